// JSON pieces both upstream wire formats build the same way. Internal to
// the providers module.
#pragma once

#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "api/types.h"

namespace sluice::providers {

// [{"role": ..., "content": ...}, ...]
boost::json::array EncodeMessages(const std::vector<api::Message>& messages);

// The request's schema document again (it was serialized by the request
// codec, which accepted nesting deeper than Boost.JSON's default limit).
boost::json::value ParseSchemaJson(const std::string& text);

// ["a", "b"]
boost::json::array EncodeStrings(const std::vector<std::string>& strings);

}  // namespace sluice::providers
