// The one strict JSON reader for what arrives from outside: RFC 8259 text and nothing else, so
// that what is acted on is exactly what a signature covered and every reader of the text sees
// the same. The server reads request bodies with it (server/strict_json.hpp), knot-mcp the
// JSON-RPC messages an MCP client sends.
#pragma once

#include "libknot/base/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string_view>

namespace knot {

// Why a text was refused; what() is the reason for people, without a position.
class StrictJsonError : public Error {
public:
    using Error::Error;
};

// Parses `text` as one JSON value. Refuses what lenient parsers accept and what could be read
// two ways: a byte-order mark, a NUL byte anywhere, anything but white space after the value, an
// object naming a key twice, invalid UTF-8, and nesting deeper than `max_depth` (refused before
// anything deeper is built; the parser does not recurse). Throws StrictJsonError.
nlohmann::json parse_strict_json(std::string_view text, std::size_t max_depth);

// One past the end of the JSON object or array that opens (with '{' or '[') at `start` of
// `text`, found by counting brackets outside strings, or npos when it does not close or nests
// deeper than `max_depth`. For finding a model's JSON answer among its prose; what it delimits
// is then parsed with parse_strict_json.
std::size_t json_value_end(std::string_view text, std::size_t start, std::size_t max_depth);

} // namespace knot
