#include "api/lab_codec.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/field_rules.h"

namespace sluice::api {

namespace json = boost::json;

namespace {

constexpr std::string_view kLabSchemaText = R"({
  "title": "DatabaseSchema",
  "type": "object",
  "properties": {
    "table_name": {
      "type": "string",
      "description": "Name of the table, must be snake_case",
      "pattern": "^[a-z][a-z0-9_]*$"
    },
    "columns": {
      "type": "array",
      "description": "List of columns in the table",
      "items": {
        "title": "Column",
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "description": "Column name, must be snake_case",
            "pattern": "^[a-z][a-z0-9_]*$"
          },
          "data_type": {
            "type": "string",
            "description": "SQL data type, e.g. VARCHAR(255), INTEGER, TIMESTAMP"
          },
          "is_nullable": {"type": "boolean", "default": true}
        },
        "required": ["name", "data_type"]
      }
    }
  },
  "required": ["table_name", "columns"]
})";

}  // namespace

const json::value& LabDefaultSchema() {
  static const json::value* schema = new json::value(json::parse(kLabSchemaText));
  return *schema;
}

std::string BuildStructuredSystemPrompt(std::string_view system_prompt,
                                        std::string_view schema_json) {
  std::string out(system_prompt);
  out += "\n\nYou must respond with a JSON object that matches this JSON Schema:\n";
  out += schema_json;
  out += "\n\nRespond with the raw JSON object only: no markdown, no code fences, no explanation.";
  return out;
}

StatusOr<ChatRequest> ParseStructuredRequest(const json::value& body) {
  if (!body.is_object()) {
    return Status(ErrorCode::kUnprocessable, "request body must be a JSON object",
                  {{{"body"},
                    "Input should be a valid dictionary or object to extract fields from",
                    "model_attributes_type"}});
  }
  const json::object& obj = body.get_object();
  FieldRules rules(obj, {"body"});

  ChatRequest req;
  auto prompt = rules.RequiredString("prompt", 5);
  std::string system_prompt =
      rules.OptionalString("system_prompt").value_or(std::string(kLabDefaultSystemPrompt));
  // Pydantic's `temperature: float = 0.1` refuses null; only absence means the default.
  if (const auto* t = obj.if_contains("temperature"); t != nullptr && t->is_null()) {
    rules.Add("temperature", "Input should be a valid number", "float_type");
  }
  req.sampling.temperature = rules.OptionalNumber("temperature", 0.0, 2.0);
  if (!obj.contains("temperature")) req.sampling.temperature = kLabDefaultTemperature;
  req.model = rules.OptionalString("model").value_or("");
  req.sampling.max_tokens = rules.OptionalInteger("max_tokens", 1, 1 << 20);
  req.sampling.top_p = rules.OptionalNumber("top_p", 0.0, 1.0);
  req.sampling.top_k = rules.OptionalInteger("top_k", 1, 1 << 20);
  req.sampling.seed = rules.OptionalInteger("seed", INT64_MIN, INT64_MAX);

  const json::value* schema_doc = &LabDefaultSchema();
  if (const auto* s = obj.if_contains("schema"); s != nullptr && !s->is_null()) {
    if (!s->is_object() && !s->is_bool()) {
      rules.Add("schema", "Input should be a JSON Schema (an object or a boolean)",
                "schema_type");
    } else {
      schema_doc = s;
    }
  }
  std::shared_ptr<const schema::Schema> compiled;
  if (rules.errors().empty()) {
    auto c = schema::Compile(*schema_doc);
    if (!c.ok()) {
      rules.Add("schema", c.status().message(), "schema_invalid");
    } else {
      compiled = std::move(c).value();
    }
  }
  if (!rules.errors().empty()) {
    return Status(ErrorCode::kUnprocessable, "request validation failed",
                  std::move(rules.errors()));
  }

  req.response_format.kind = ResponseKind::kJsonSchema;
  req.response_format.name = "structured_output";
  req.response_format.schema_json = json::serialize(*schema_doc);
  req.response_format.schema = std::move(compiled);
  req.stream = true;
  req.include_usage = true;
  req.messages.push_back(
      {"system", BuildStructuredSystemPrompt(system_prompt, req.response_format.schema_json)});
  req.messages.push_back({"user", std::move(*prompt)});
  return req;
}

std::string LabTokenEvent(std::string_view token) {
  json::object o;
  o["status"] = "generating";
  o["token"] = token;
  return json::serialize(o);
}

std::string LabSuccessEvent(const json::value& data) {
  json::object o;
  o["status"] = "success";
  o["data"] = data;
  return json::serialize(o);
}

std::string LabValidationErrorEvent(const std::vector<schema::ValidationError>& errors) {
  json::object o;
  o["status"] = "validation_error";
  o["message"] = kLabValidationMessage;
  json::array list;
  for (const auto& e : errors) {
    list.push_back(json::object{{"path", e.instance_path}, {"message", e.message}});
  }
  o["errors"] = std::move(list);
  return json::serialize(o);
}

std::string LabErrorEvent(std::string_view message) {
  json::object o;
  o["status"] = "error";
  o["message"] = message;
  return json::serialize(o);
}

}  // namespace sluice::api
