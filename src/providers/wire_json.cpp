#include "providers/wire_json.h"

#include <boost/json/object.hpp>

namespace sluice::providers {

namespace json = boost::json;

json::array EncodeMessages(const std::vector<api::Message>& messages) {
  json::array out;
  out.reserve(messages.size());
  for (const api::Message& m : messages) {
    out.push_back(json::object{{"role", m.role}, {"content", m.content}});
  }
  return out;
}

json::array EncodeStrings(const std::vector<std::string>& strings) {
  json::array out;
  for (const std::string& s : strings) out.emplace_back(s);
  return out;
}

}  // namespace sluice::providers
