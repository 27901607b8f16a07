// Which forges the server may fetch from and push to. The forge is a room setting only the
// room's owner changes; even so, the URL is checked against the host's policy before every
// fetch or push, because what a name resolves to can change and the server's network and
// files are the host's, not the room's.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace knot::server {

struct ForgePolicy {
    // URL schemes allowed: "https" by default; "http", "ssh" (ssh:// and scp-like host:path)
    // and "git" only when the host lists them (knot-server --forge-schemes).
    std::set<std::string> schemes{"https"};
    // Whether a forge host may resolve to a loopback, link-local, private or otherwise
    // non-public address (knot-server --allow-private-forges).
    bool allow_private_hosts = false;
    // Whether the forge may be a path on this machine or file:// (knot-server
    // --allow-local-forges, which `git knot up` passes for the host's own clone).
    bool allow_local_paths = false;
    // The server's data directory: never a forge, whatever the flags (other rooms'
    // repositories, the database and the keys live there).
    std::filesystem::path data_dir;
};

// A forge URL the policy allows, and how git must reach it.
struct ForgeTarget {
    std::string url;
    // `-c name=value` pairs for git fetch and push: only the URL's own protocol allowed, no
    // redirects, and for http(s) the checked address pinned (http.curloptResolve), so a name
    // that resolves elsewhere by the time git connects reaches nothing new.
    std::vector<std::string> git_options;
};

// True for a URL the server may fetch a forge from: an absolute local path, file://, http(s)://,
// ssh://, git:// or scp-like [user@]host:path. Never an option (leading '-'), a transport helper
// (`x::`), a relative path or text with control characters.
bool is_forge_url(std::string_view url);

// Checks `url` against `policy`. Throws ApiError 400 bad_request (field forge_url) when it is
// not a forge URL at all, and 403 forge_refused, saying which rule, when the policy refuses
// it: a scheme not allowed, a password in the URL, a host that does not resolve or resolves to
// a non-public address, a local path when those are off, or one inside the data directory.
ForgeTarget check_forge(const ForgePolicy& policy, const std::string& url);

// The forge as events and answers show it: a network URL without its user part, and a local
// path as "a repository on the server's machine" (no event carries a server path).
std::string forge_display(const std::string& url);

// Parses a --forge-schemes value ("https,ssh"); throws knot::Error naming an unknown scheme.
std::set<std::string> parse_forge_schemes(const std::string& list);

} // namespace knot::server
