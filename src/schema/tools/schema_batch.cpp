// schema_batch: reads JSON Lines {"schema": ..., "instance": ...} on stdin and
// prints one line per input: `true`, `false`, or `error: <message>` (bad
// line or schema that fails to compile). `{"schema":..., "draft": "draft7"}`
// picks draft 7 when the schema has no `$schema`.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <string>

#include "schema/schema.h"

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    const boost::json::value input = boost::json::parse(line, ec);
    const boost::json::object* obj = ec ? nullptr : input.if_object();
    if (obj == nullptr || !obj->contains("schema") || !obj->contains("instance")) {
      std::cout << "error: expected {\"schema\":...,\"instance\":...}\n";
      continue;
    }
    sluice::schema::CompileOptions options;
    if (const auto* draft = obj->if_contains("draft"); draft && *draft == "draft7") {
      options.draft = sluice::schema::Draft::kDraft7;
    }
    auto schema = sluice::schema::Compile(obj->at("schema"), options);
    if (!schema.ok()) {
      std::cout << "error: " << schema.status().message() << "\n";
      continue;
    }
    std::cout << (sluice::schema::IsValid(**schema, obj->at("instance")) ? "true" : "false")
              << "\n";
  }
  return 0;
}
