// The JSON Schemas (draft 2020-12) of the MCP tools' inputs and outputs, built from a few
// shapes, and the check of a call's arguments against its input schema. The check knows the
// subset the tools use: an object of named members (required ones, no others), each a string
// (with a length range), an integer (with a range), a boolean, an enum of strings, or an array of
// strings (with a count range). It never recurses into the arguments.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace knot::mcp::schema {

// The largest integer every JSON reader keeps exactly (2^53), and the one the porcelain takes.
inline constexpr std::int64_t k_max_safe_integer = 9007199254740992;

nlohmann::json text(std::size_t min_length = 0, std::size_t max_length = 0,
                    const std::string& description = "");
nlohmann::json integer(std::int64_t minimum, std::int64_t maximum,
                       const std::string& description = "");
nlohmann::json flag(const std::string& description = "");
nlohmann::json choice(const std::vector<std::string>& values, const std::string& description = "");
nlohmann::json texts(std::size_t min_items, std::size_t max_items,
                     const std::string& description = "");
// An object with `members`, `required` of them required. `closed`: no other member allowed (the
// inputs); the outputs stay open, so a newer server may add members.
nlohmann::json object(nlohmann::json members, const std::vector<std::string>& required,
                      bool closed);
// An output value of `type` ("string", "integer", "boolean", "object", "array"), or null too.
nlohmann::json of_type(const std::string& type, bool nullable = false);
nlohmann::json array_of(nlohmann::json items);

// What is wrong with `arguments` against the input schema `input`, for people ("\"paths\" must
// hold at least 1 item"), or nothing when they conform.
std::optional<std::string> violation(const nlohmann::json& input, const nlohmann::json& arguments);

} // namespace knot::mcp::schema
