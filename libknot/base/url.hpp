// URLs as knot reads them: http(s)://host[:port][/path][?query], parsed strictly (no user
// information, no fragment, no spaces or control characters), and percent-decoding for queries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace knot {

struct Url {
    std::string scheme;     // lower case
    std::string host;       // a name, an IPv4 address, or an IPv6 address without its brackets
    std::uint16_t port = 0; // the scheme's default (80, 443) when the URL names none
    std::string path;       // as written, not decoded; empty when the URL has none
    std::string query;      // as written, after '?', not decoded

    // host[:port], brackets around an IPv6 host, the port only when not the default.
    std::string authority() const;
    // scheme://authority.
    std::string origin() const { return scheme + "://" + authority(); }
};

// `text` split into its parts, or nothing when it is not an http or https URL of that form: an
// unknown scheme, a missing or malformed host (a name of letters, digits, '-', '.', '_', '~'; an
// IPv6 address in brackets), a port outside 1-65535, user information ('@'), a fragment ('#'),
// or a space or control character anywhere.
std::optional<Url> parse_url(std::string_view text);

// `text` with every %XX decoded and, as in a form, '+' read as a space; nothing when a '%' is
// not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

// The name=value pairs of a query, in order, decoded; a pair without '=' has an empty value.
// Nothing when one of them cannot be decoded.
std::optional<std::vector<std::pair<std::string, std::string>>>
query_parameters(std::string_view query);

} // namespace knot
