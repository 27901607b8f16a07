// The strict HTTP/1.1 request-head parser (see http_head.hpp).
#include "http_head.hpp"

#include "api_error.hpp"

#include "libknot/base/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace knot::server {
namespace {

constexpr std::string_view k_crlf = "\r\n";

ApiError framing(const std::string& problem) {
    return ApiError(error_code::bad_request, "request head: " + problem);
}

bool is_tchar(unsigned char c) {
    static constexpr std::string_view k_symbols = "!#$%&'*+-.^_`|~";
    return std::isalnum(c) != 0 || k_symbols.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return is_tchar(c); });
}

// A field value may hold visible characters, blanks and obs-text, never a control character.
bool is_field_value(std::string_view value) {
    return std::all_of(value.begin(), value.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c == '\t' || (c >= 0x20 && c != 0x7f);
    });
}

// Canonical decimal: digits only, no sign, no leading zero, at most 2^63-1.
std::uint64_t parse_content_length(std::string_view text) {
    if (text.empty() || (text.size() > 1 && text.front() == '0'))
        throw framing("Content-Length: not a canonical decimal number");
    constexpr auto k_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            throw framing("Content-Length: not a canonical decimal number");
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (k_max - digit) / 10)
            throw framing("Content-Length: too large");
        value = value * 10 + digit;
    }
    return value;
}

// Each comma-separated token of a list field such as Connection, lower-cased.
std::vector<std::string> list_tokens(std::string_view value) {
    std::vector<std::string> tokens;
    while (!value.empty()) {
        const auto comma = value.find(',');
        const auto item = trim_blanks(value.substr(0, comma));
        if (!item.empty())
            tokens.push_back(ascii_lower(item));
        if (comma == std::string_view::npos)
            break;
        value.remove_prefix(comma + 1);
    }
    return tokens;
}

void parse_request_line(std::string_view line, RequestHead& head) {
    const auto first = line.find(' ');
    const auto last = line.rfind(' ');
    if (first == std::string_view::npos || first == last)
        throw framing("the request line is not METHOD TARGET VERSION");
    const auto method = line.substr(0, first);
    const auto target = line.substr(first + 1, last - first - 1);
    const auto version = line.substr(last + 1);
    if (!is_token(method))
        throw framing("the method is not a token");
    if (target.empty() || target.front() != '/' ||
        !std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
        throw framing("the target is not an absolute path with an optional query");
    if (version == "HTTP/1.1")
        head.minor_version = 1;
    else if (version == "HTTP/1.0")
        head.minor_version = 0;
    else
        throw framing("the version is not HTTP/1.1 or HTTP/1.0");
    head.method = std::string(method);
    head.target = std::string(target);
}

// Settles the framing and the connection's fate once every field is known.
void apply_fields(RequestHead& head) {
    bool transfer_encoding = false;
    bool keep_alive_token = false;
    bool close_token = false;
    for (const auto& [name, value] : head.fields) {
        if (name == "content-length") {
            const std::uint64_t length = parse_content_length(value);
            if (head.content_length && *head.content_length != length)
                throw framing("two different Content-Length fields");
            head.content_length = length;
        } else if (name == "transfer-encoding") {
            if (transfer_encoding || ascii_lower(value) != "chunked")
                throw framing("Transfer-Encoding: only a single \"chunked\" is accepted");
            transfer_encoding = true;
        } else if (name == "connection") {
            for (const auto& token : list_tokens(value)) {
                close_token = close_token || token == "close";
                keep_alive_token = keep_alive_token || token == "keep-alive";
            }
        } else if (name == "expect") {
            head.expect_continue = ascii_lower(value) == "100-continue";
        }
    }
    if (transfer_encoding && head.content_length)
        throw framing("both Content-Length and Transfer-Encoding");
    if (transfer_encoding && head.minor_version == 0)
        throw framing("Transfer-Encoding in an HTTP/1.0 request");
    head.chunked = transfer_encoding;
    head.keep_alive = !close_token && (head.minor_version == 1 || keep_alive_token);
}

} // namespace

std::string RequestHead::field(std::string_view lower_name) const {
    for (const auto& [name, value] : fields)
        if (name == lower_name)
            return value;
    return {};
}

std::optional<std::size_t> find_head_end(std::string_view buffer) {
    const auto end = buffer.find("\r\n\r\n");
    const std::string_view head =
        end == std::string_view::npos ? buffer : buffer.substr(0, end + 4);
    if (head.size() > k_max_head_bytes)
        throw framing("longer than " + std::to_string(k_max_head_bytes) + " bytes");
    std::size_t lines = 0;
    std::size_t line_start = 0;
    for (auto at = head.find(k_crlf); at != std::string_view::npos;
         at = head.find(k_crlf, line_start)) {
        if (at - line_start > k_max_head_line)
            throw framing("a line is longer than " + std::to_string(k_max_head_line) + " bytes");
        line_start = at + 2;
        ++lines;
    }
    // The request line, the fields, and (when complete) the blank line.
    if (lines > k_max_header_fields + 2)
        throw framing("more than " + std::to_string(k_max_header_fields) + " header fields");
    if (end == std::string_view::npos) {
        if (head.size() - line_start > k_max_head_line + 1)
            throw framing("a line is longer than " + std::to_string(k_max_head_line) + " bytes");
        return std::nullopt;
    }
    return end + 4;
}

RequestHead parse_request_head(std::string_view head) {
    if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n")
        throw framing("does not end with an empty line");
    head.remove_suffix(2); // the blank line; every line below ends with its own CRLF
    RequestHead parsed;
    bool first = true;
    while (!head.empty()) {
        const auto end = head.find(k_crlf);
        const std::string_view line = head.substr(0, end);
        head.remove_prefix(end + 2);
        if (line.size() > k_max_head_line)
            throw framing("a line is longer than " + std::to_string(k_max_head_line) + " bytes");
        if (line.find_first_of("\r\n") != std::string_view::npos)
            throw framing("a bare CR or LF inside a line");
        if (first) {
            parse_request_line(line, parsed);
            first = false;
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            throw framing("a header line is not NAME: VALUE");
        const auto value = trim_blanks(line.substr(colon + 1));
        if (!is_field_value(value))
            throw framing("a header value holds a control character");
        if (parsed.fields.size() == k_max_header_fields)
            throw framing("more than " + std::to_string(k_max_header_fields) + " header fields");
        parsed.fields.emplace_back(ascii_lower(line.substr(0, colon)), std::string(value));
    }
    if (first)
        throw framing("no request line");
    apply_fields(parsed);
    return parsed;
}

std::uint64_t parse_chunk_size(std::string_view line) {
    const auto digits = trim_blanks(line.substr(0, line.find(';')));
    if (digits.empty() || digits.size() > 15)
        throw ApiError(error_code::bad_request,
                       "chunked body: a chunk size is not 1 to 15 hex digits");
    std::uint64_t size = 0;
    for (const char c : digits) {
        const auto h = static_cast<unsigned char>(c);
        if (!std::isxdigit(h))
            throw ApiError(error_code::bad_request, "chunked body: a chunk size is not hex");
        size = size * 16 +
               static_cast<std::uint64_t>(std::isdigit(h) ? h - '0' : std::tolower(h) - 'a' + 10);
    }
    return size;
}

} // namespace knot::server
