// Validation of the fields of JSON request bodies: texts, flags and repository paths.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knot::server {

struct Request;

// The non-negative integer query parameter `name`, or `fallback` when absent. Throws ApiError
// 400 bad_request naming it when it is not one.
std::int64_t query_integer(const Request& request, const std::string& name, std::int64_t fallback);

// The body as a JSON object; an empty body counts as {}. Throws ApiError 400 bad_json.
nlohmann::json body_object(const Request& request);

// Whether a text may span lines: single_line refuses every control character, multi_line
// allows newline and tab.
enum class TextLines { single_line, multi_line };

// The number of UTF-8 code points in `text` (which the JSON parser already checked).
std::size_t utf8_length(std::string_view text);

// The string `field` of `body`, or nothing when absent or null. Throws ApiError 400
// bad_request naming the field when it is not a string, has more than `max_chars` characters
// or fewer than `min_chars`, or holds a control character `lines` does not allow.
std::optional<std::string> optional_text(const nlohmann::json& body, const char* field,
                                         std::size_t min_chars, std::size_t max_chars,
                                         TextLines lines = TextLines::single_line);
// As optional_text, but an absent field is 400 "missing".
std::string required_text(const nlohmann::json& body, const char* field, std::size_t min_chars,
                          std::size_t max_chars, TextLines lines = TextLines::single_line);
// Checks `text` (named `field` in errors) against the same rules.
void check_text(const std::string& text, std::string_view field, std::size_t min_chars,
                std::size_t max_chars, TextLines lines);

// The boolean `field`, false when absent. Throws 400 bad_request when it is not a boolean.
bool optional_flag(const nlohmann::json& body, const char* field);

// Whether a paths array may be absent or empty.
enum class PathsRequired { yes, no };

// The repository paths in the array `field`, duplicates dropped (first occurrence kept).
// Throws 400 bad_path naming the path and the rule it breaks, and 400 bad_request when the
// field is not an array of strings, holds more than k_max_paths_per_request distinct paths,
// or (when `required`) is missing or empty.
std::vector<std::string> parse_paths(const nlohmann::json& body, const char* field,
                                     PathsRequired required);
// The same rules for `array` itself, named `field` in errors ("tasks[2].files"), holding at most
// `max_paths` distinct paths.
std::vector<std::string> parse_path_array(const nlohmann::json& array, const std::string& field,
                                          PathsRequired required, std::size_t max_paths);

} // namespace knot::server
