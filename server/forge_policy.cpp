// The host's rules for forges (see forge_policy.hpp).
#include "forge_policy.hpp"

#include "api_error.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>

namespace knot::server {
namespace {

ApiError refused(const std::string& why) {
    return ApiError(error_code::forge_refused, "this server does not use that forge: " + why);
}

struct ParsedForge {
    std::string scheme; // https, http, ssh, git or file
    std::string host;   // without brackets; empty for file
    std::string port;   // as written, empty when absent
    bool password = false;
    std::string path; // file only: the local path
};

std::optional<ParsedForge> parse(const std::string& url) {
    if (!is_forge_url(url))
        return std::nullopt;
    ParsedForge out;
    if (url.front() == '/') {
        out.scheme = "file";
        out.path = url;
        return out;
    }
    const std::size_t marker = url.find("://");
    std::string authority;
    if (marker == std::string::npos) { // scp-like [user@]host:path
        out.scheme = "ssh";
        authority = url.substr(0, url.find(':'));
        const std::size_t at = authority.rfind('@');
        out.host = at == std::string::npos ? authority : authority.substr(at + 1);
        if (!out.host.empty() && out.host.front() == '[' && out.host.back() == ']')
            out.host = out.host.substr(1, out.host.size() - 2);
        return out.host.empty() ? std::nullopt : std::optional(out);
    }
    out.scheme = url.substr(0, marker);
    const std::string rest = url.substr(marker + 3);
    if (out.scheme == "file") {
        // file:///path, or file://localhost/path; a path of another host means nothing here.
        const std::size_t slash = rest.find('/');
        const std::string host = rest.substr(0, slash);
        if (slash == std::string::npos || (!host.empty() && host != "localhost"))
            return std::nullopt;
        out.path = rest.substr(slash);
        return out;
    }
    authority = rest.substr(0, rest.find('/'));
    const std::size_t at = authority.rfind('@');
    if (at != std::string::npos) {
        out.password = authority.substr(0, at).find(':') != std::string::npos;
        authority = authority.substr(at + 1);
    }
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string::npos)
            return std::nullopt;
        out.host = authority.substr(1, close - 1);
        const std::string after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':')
            return std::nullopt;
        out.port = after.empty() ? "" : after.substr(1);
    } else {
        const std::size_t colon = authority.find(':');
        out.host = authority.substr(0, colon);
        out.port = colon == std::string::npos ? "" : authority.substr(colon + 1);
    }
    if (out.host.empty() || out.port.size() > 5 ||
        out.port.find_first_not_of("0123456789") != std::string::npos ||
        (!out.port.empty() && (std::stoi(out.port) < 1 || std::stoi(out.port) > 65535)))
        return std::nullopt;
    return out;
}

bool in_v4(const std::uint8_t* a, std::uint8_t b0, std::uint8_t b1, int bits) {
    const std::uint32_t address = (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) |
                                  (std::uint32_t{a[2]} << 8) | a[3];
    const std::uint32_t net = (std::uint32_t{b0} << 24) | (std::uint32_t{b1} << 16);
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (address & mask) == (net & mask);
}

// True for an address of the public internet: not unspecified, loopback, private (RFC 1918,
// shared 100.64/10, unique local fc00::/7), link-local, multicast, reserved or documentation.
bool is_public_v4(const std::uint8_t* a) {
    return !(in_v4(a, 0, 0, 8) || in_v4(a, 10, 0, 8) || in_v4(a, 100, 64, 10) ||
             in_v4(a, 127, 0, 8) || in_v4(a, 169, 254, 16) || in_v4(a, 172, 16, 12) ||
             in_v4(a, 192, 0, 24) || in_v4(a, 192, 168, 16) || in_v4(a, 198, 18, 15) ||
             in_v4(a, 224, 0, 3) /* 224/4 multicast and 240/4 reserved */);
}

bool is_public_v6(const std::uint8_t* a) {
    static constexpr std::array<std::uint8_t, 10> k_zero{};
    // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address inside.
    if (std::memcmp(a, k_zero.data(), 10) == 0 && a[10] == 0xff && a[11] == 0xff)
        return is_public_v4(a + 12);
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b)
        return is_public_v4(a + 12);
    if (std::memcmp(a, k_zero.data(), 10) == 0 && a[10] == 0 && a[11] == 0)
        return false; // ::, ::1 and the old IPv4-compatible form
    if ((a[0] & 0xfe) == 0xfc || a[0] == 0xff)
        return false; // unique local, multicast
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return false; // link-local
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
        return false; // old site-local
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        return false; // documentation
    return true;
}

// The addresses `host` resolves to, as text for curl's resolve list ("[v6]" bracketed);
// empty when it does not resolve. `all_public` tells whether every one is public.
std::vector<std::string> resolve(const std::string& host, bool& all_public) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    all_public = true;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &raw) != 0)
        return {};
    const std::unique_ptr<addrinfo, void (*)(addrinfo*)> list(raw, ::freeaddrinfo);
    std::vector<std::string> out;
    for (const addrinfo* info = raw; info; info = info->ai_next) {
        std::array<char, INET6_ADDRSTRLEN> text{};
        if (info->ai_family == AF_INET) {
            const auto* v4 = reinterpret_cast<const sockaddr_in*>(info->ai_addr);
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v4->sin_addr);
            all_public = all_public && is_public_v4(bytes);
            ::inet_ntop(AF_INET, &v4->sin_addr, text.data(), text.size());
            out.emplace_back(text.data());
        } else if (info->ai_family == AF_INET6) {
            const auto* v6 = reinterpret_cast<const sockaddr_in6*>(info->ai_addr);
            all_public = all_public && is_public_v6(v6->sin6_addr.s6_addr);
            ::inet_ntop(AF_INET6, &v6->sin6_addr, text.data(), text.size());
            out.push_back("[" + std::string(text.data()) + "]");
        }
    }
    return out;
}

bool is_inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
    const auto [dir_end, path_end] =
        std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
    (void)path_end;
    return dir_end == dir.end();
}

} // namespace

bool is_forge_url(std::string_view url) {
    if (url.empty() || url.size() > 1024 || url.front() == '-')
        return false;
    // git reads `<transport>::<address>` as a remote helper (ext:: runs commands); "::" inside
    // an IPv6 literal ("https://[::1]/x") is no such thing.
    if (const std::size_t helper = url.find("::");
        helper != std::string_view::npos &&
        url.substr(0, helper).find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
            "0123456789+.-") == std::string_view::npos)
        return false;
    for (const unsigned char c : url)
        if (c < 0x20 || c == 0x7f)
            return false;
    if (url.front() == '/')
        return true;
    for (const std::string_view scheme : {"file://", "http://", "https://", "ssh://", "git://"})
        if (url.rfind(scheme, 0) == 0)
            return url.size() > scheme.size();
    if (url.find("://") != std::string_view::npos)
        return false;
    // scp-like: a colon before any slash, after a host that is not empty.
    const std::size_t colon = url.find(':');
    const std::size_t slash = url.find('/');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= url.size() ||
        (slash != std::string_view::npos && slash < colon))
        return false;
    const std::string_view host = url.substr(0, colon);
    return host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                  "@._-[]") == std::string_view::npos;
}

ForgeTarget check_forge(const ForgePolicy& policy, const std::string& url) {
    const auto parsed = parse(url);
    if (!parsed)
        throw bad_request("forge_url", "must be an https://, http://, ssh://, git:// or "
                                       "[user@]host:path URL, or an absolute path");
    ForgeTarget target{url,
                       {"-c", "protocol.allow=never", "-c",
                        "protocol." + parsed->scheme + ".allow=always", "-c",
                        "http.followRedirects=false"}};
    if (parsed->scheme == "file") {
        if (!policy.allow_local_paths)
            throw refused("a path on the server's machine (knot-server --allow-local-forges "
                          "allows one, for a server that hosts only its own clone's rooms)");
        std::error_code ec;
        const auto path = std::filesystem::weakly_canonical(parsed->path, ec);
        const auto data = std::filesystem::weakly_canonical(policy.data_dir, ec);
        // The data directory may lie inside the forge (git knot up keeps it in the host's own
        // clone, which is the room's forge when the host has no origin): git reads only the
        // forge's own repository there, never the rooms' repositories below it.
        if (path.empty() || is_inside(path, data))
            throw refused("the server's data directory holds the rooms' own repositories");
        target.url = path.string();
        return target;
    }
    if (!policy.schemes.count(parsed->scheme))
        throw refused(parsed->scheme + " URLs (knot-server --forge-schemes lists those allowed)");
    if (parsed->password)
        throw refused("the URL carries a password; the server uses its own credentials");
    bool all_public = true;
    const std::vector<std::string> addresses = resolve(parsed->host, all_public);
    if (addresses.empty())
        throw refused("its host does not resolve");
    if (!all_public && !policy.allow_private_hosts)
        throw refused("its host is on a loopback, private or link-local network "
                      "(knot-server --allow-private-forges allows that)");
    if (parsed->scheme == "https" || parsed->scheme == "http") {
        const std::string port = !parsed->port.empty()       ? parsed->port
                                 : parsed->scheme == "https" ? "443"
                                                             : "80";
        std::string pinned;
        for (const std::string& address : addresses)
            pinned += (pinned.empty() ? "" : ",") + address;
        target.git_options.push_back("-c");
        target.git_options.push_back("http.curloptResolve=" + parsed->host + ":" + port + ":" +
                                     pinned);
    }
    return target;
}

std::string forge_display(const std::string& url) {
    const auto parsed = parse(url);
    if (!parsed)
        return "an invalid forge URL";
    if (parsed->scheme == "file")
        return "a repository on the server's machine";
    const std::size_t marker = url.find("://");
    if (marker == std::string::npos) { // scp-like: the user part is not a secret, keep it
        return url;
    }
    const std::size_t start = marker + 3;
    const std::size_t slash = url.find('/', start);
    const std::size_t at = url.rfind('@', slash == std::string::npos ? url.size() : slash);
    if (at == std::string::npos || at < start)
        return url;
    return url.substr(0, start) + url.substr(at + 1);
}

std::set<std::string> parse_forge_schemes(const std::string& list) {
    std::set<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t comma = list.find(',', start);
        const std::string scheme =
            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (scheme != "https" && scheme != "http" && scheme != "ssh" && scheme != "git")
            throw Error("--forge-schemes: unknown scheme '" + scheme +
                        "' (use https, http, ssh and git, separated by commas)");
        out.insert(scheme);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

} // namespace knot::server
