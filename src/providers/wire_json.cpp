#include "providers/wire_json.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

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

json::value ParseSchemaJson(const std::string& text) {
  json::parse_options opts;
  opts.max_depth = 4096;  // anything our own serializer produced
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, json::storage_ptr(), opts);
  if (ec) return json::object();  // unreachable: the text came from json::serialize
  return v;
}

json::array EncodeStrings(const std::vector<std::string>& strings) {
  json::array out;
  for (const std::string& s : strings) out.emplace_back(s);
  return out;
}

}  // namespace sluice::providers
