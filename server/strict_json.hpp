// The one JSON reader for request bodies: RFC 8259 text and nothing else, so that what the
// server acts on is exactly what a signature covered and every reader of the text sees the same.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace knot::server {

// How deep objects and arrays may nest in a request body; no route takes more than a few levels.
inline constexpr std::size_t k_max_json_depth = 32;

// Parses `text` as one JSON value. Refuses, with a reason for people (no position: bodies are
// small), what lenient parsers accept and what could be read two ways: a byte-order mark,
// a NUL byte anywhere, anything but white space after the value, an object naming a key twice,
// invalid UTF-8, and nesting deeper than k_max_json_depth. Throws ApiError 400 bad_json.
nlohmann::json parse_strict_json(std::string_view text);

} // namespace knot::server
