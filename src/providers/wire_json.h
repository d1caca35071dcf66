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

// ["a", "b"]
boost::json::array EncodeStrings(const std::vector<std::string>& strings);

}  // namespace sluice::providers
