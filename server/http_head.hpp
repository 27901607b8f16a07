// The strict HTTP/1.1 request-head parser: the request line, the header fields and the body's
// framing, refused with 400 unless each is exactly what RFC 9112 allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace knot::server {

// The largest request head (request line, fields, the blank line) the server reads.
constexpr std::size_t k_max_head_bytes = 32 * 1024;
// The longest request line or header line, CRLF excluded.
constexpr std::size_t k_max_head_line = 8 * 1024;
// The most header fields one request may carry.
constexpr std::size_t k_max_header_fields = 100;

struct RequestHead {
    std::string method;
    std::string target;
    // 0 for HTTP/1.0, 1 for HTTP/1.1.
    int minor_version = 1;
    // Field names lower-cased, values with surrounding blanks removed, in the order received.
    std::vector<std::pair<std::string, std::string>> fields;
    // The body's framing: a Content-Length, chunked, or neither (no body).
    std::optional<std::uint64_t> content_length;
    bool chunked = false;
    // Whether the client keeps the connection open after the answer (HTTP/1.1 unless
    // "Connection: close"; HTTP/1.0 only with "Connection: keep-alive").
    bool keep_alive = true;
    // "Expect: 100-continue": the client waits for a 100 before it sends the body.
    bool expect_continue = false;

    // The value of field `lower_name` (the first when it repeats), or "" when absent.
    std::string field(std::string_view lower_name) const;
};

// Parses `head`, everything up to and including the blank line that ends it. Lines end with
// CRLF. Throws ApiError 400 bad_request naming the problem when the request line is not
// `METHOD SP TARGET SP HTTP/1.x`, a line is longer than k_max_head_line, there are more than
// k_max_header_fields fields, a field is not `token ":" value` or holds a control character,
// or the framing is ambiguous: Content-Length not canonical decimal or past 2^63-1, two
// different lengths, Transfer-Encoding other than exactly "chunked", or both at once (a request
// that could be read two ways is how requests are smuggled past a proxy).
RequestHead parse_request_head(std::string_view head);

// Where the head in `buffer` ends (the index after its blank line), or nothing when it has not
// all arrived. Throws ApiError 400 when what arrived can no longer become a head within the
// limits above (too long in all, a line too long, too many lines).
std::optional<std::size_t> find_head_end(std::string_view buffer);

// Parses the size of a chunk from its line (CRLF removed): hex digits, optionally followed by
// chunk extensions after ';' (ignored). Throws ApiError 400 when it is empty, not hex, or has
// more than 15 digits (a chunk size past 2^60 is no real chunk and would overflow).
std::uint64_t parse_chunk_size(std::string_view line);

} // namespace knot::server
