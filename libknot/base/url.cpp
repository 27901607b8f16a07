// URLs (see url.hpp).
#include "libknot/base/url.hpp"

#include "libknot/base/ascii.hpp"

#include <arpa/inet.h>
#include <charconv>

namespace knot {
namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::uint16_t default_port(std::string_view scheme) {
    return scheme == "https" ? 443 : 80;
}

} // namespace

std::string Url::authority() const {
    std::string out = host.find(':') == std::string::npos ? host : "[" + host + "]";
    if (port != default_port(scheme))
        out += ":" + std::to_string(port);
    return out;
}

std::optional<Url> parse_url(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f' || c == '#' || c == '@')
            return std::nullopt;
    const std::size_t scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos)
        return std::nullopt;
    Url url;
    url.scheme = ascii_lower(text.substr(0, scheme_end));
    if (url.scheme != "http" && url.scheme != "https")
        return std::nullopt;
    std::string_view rest = text.substr(scheme_end + 3);
    const std::size_t authority_end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, authority_end);
    rest = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        url.host = authority.substr(1, close - 1);
        in6_addr address{};
        if (::inet_pton(AF_INET6, url.host.c_str(), &address) != 1)
            return std::nullopt;
        authority = authority.substr(close + 1);
        if (!authority.empty() && authority.front() != ':')
            return std::nullopt;
        if (!authority.empty())
            port = authority.substr(1);
        if (authority.size() == 1)
            return std::nullopt;
    } else {
        const std::size_t colon = authority.find(':');
        url.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty())
                return std::nullopt;
        }
        if (url.host.empty())
            return std::nullopt;
        for (char c : url.host)
            if (!is_name_char(c))
                return std::nullopt;
    }
    url.port = default_port(url.scheme);
    if (!port.empty()) {
        unsigned value = 0;
        const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (error != std::errc() || end != port.data() + port.size() || value == 0 ||
            value > 65535 || port.front() == '+')
            return std::nullopt;
        url.port = static_cast<std::uint16_t>(value);
    }
    const std::size_t query_start = rest.find('?');
    url.path = rest.substr(0, query_start);
    if (query_start != std::string_view::npos)
        url.query = rest.substr(query_start + 1);
    return url;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] != '%') {
            out += text[i];
        } else {
            if (i + 2 >= text.size())
                return std::nullopt;
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0)
                return std::nullopt;
            out += static_cast<char>(high * 16 + low);
            i += 2;
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>>
query_parameters(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const std::size_t end = query.find('&');
        const std::string_view pair = query.substr(0, end);
        query = end == std::string_view::npos ? "" : query.substr(end + 1);
        if (pair.empty())
            continue;
        const std::size_t equals = pair.find('=');
        auto name = percent_decode(pair.substr(0, equals));
        auto value =
            percent_decode(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
        if (!name || !value)
            return std::nullopt;
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

} // namespace knot
