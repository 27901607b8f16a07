// The wire protocol shared by the clients and the server (see protocol.hpp).
#include "libknot/protocol/protocol.hpp"

#include "libknot/base/hex.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/identity.hpp"

#include <array>
#include <chrono>

namespace knot {
namespace {

bool is_prefixed_hex(std::string_view text, std::string_view prefix, std::size_t digits) {
    return text.size() == prefix.size() + digits && text.substr(0, prefix.size()) == prefix &&
           is_lower_hex(text.substr(prefix.size()), digits);
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

} // namespace

std::string canonical_string(std::string_view method, std::string_view target,
                             std::int64_t timestamp, std::string_view nonce,
                             std::string_view body) {
    return canonical_string_of_digest(method, target, timestamp, nonce, sha256_hex(body));
}

std::string canonical_string_of_digest(std::string_view method, std::string_view target,
                                       std::int64_t timestamp, std::string_view nonce,
                                       std::string_view body_sha256) {
    std::string out(k_protocol_version);
    out += '\n';
    out += method;
    out += '\n';
    out += target;
    out += '\n';
    out += std::to_string(timestamp);
    out += '\n';
    out += nonce;
    out += '\n';
    out += body_sha256;
    return out;
}

std::map<std::string, std::string> sign_request(const Identity& identity, std::string_view agent_id,
                                                std::string_view method, std::string_view target,
                                                std::string_view body, std::int64_t now) {
    return sign_request_of_digest(identity, agent_id, method, target, sha256_hex(body), now);
}

std::map<std::string, std::string>
sign_request_of_digest(const Identity& identity, std::string_view agent_id, std::string_view method,
                       std::string_view target, std::string_view body_sha256, std::int64_t now) {
    const std::string nonce = random_hex(16);
    std::map<std::string, std::string> headers;
    headers[std::string(k_header_timestamp)] = std::to_string(now);
    headers[std::string(k_header_nonce)] = nonce;
    headers[std::string(k_header_signature)] =
        identity.sign(canonical_string_of_digest(method, target, now, nonce, body_sha256));
    if (!agent_id.empty())
        headers[std::string(k_header_agent)] = std::string(agent_id);
    return headers;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::string> invalid_agent_name(std::string_view name) {
    if (name.empty() || name.size() > 39)
        return "an agent name has 1 to 39 characters";
    if (name.front() == '.' || name.front() == '_' || name.front() == '-')
        return "an agent name starts with a letter or a digit";
    for (char c : name)
        if (!is_name_char(c))
            return "an agent name uses only a-z, 0-9, '.', '_' and '-'";
    if (name.find("..") != std::string_view::npos || name.back() == '.')
        return "an agent name cannot contain '..' or end with '.' (it names git refs)";
    if (name == "integration" || name == "knot")
        return "'" + std::string(name) + "' is reserved for the server's own agent";
    return std::nullopt;
}

bool is_agent_kind(std::string_view kind) {
    static constexpr std::array<std::string_view, 6> kinds = {"claude", "codex", "cursor",
                                                              "human",  "knot",  "other"};
    for (auto k : kinds)
        if (k == kind)
            return true;
    return false;
}

bool is_room_id(std::string_view room) {
    return is_prefixed_hex(room, "rm_", 16);
}
bool is_agent_id(std::string_view agent) {
    return is_prefixed_hex(agent, "ag_", 16);
}
bool is_nonce(std::string_view nonce) {
    return nonce.size() == 32 && is_lower_hex(nonce);
}
bool is_object_id(std::string_view text) {
    return is_lower_hex(text, 40) || is_lower_hex(text, 64);
}

std::string slug_agent_name(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (is_name_char(c) && c != '.')
            out += c;
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && (out.front() == '-' || out.front() == '_'))
        out.erase(out.begin());
    while (!out.empty() && (out.back() == '-' || out.back() == '_'))
        out.pop_back();
    if (out.size() > 39)
        out.resize(39);
    if (invalid_agent_name(out))
        return "";
    return out;
}

std::string numbered_agent_name(std::string_view base, int n) {
    const std::string suffix = "-" + std::to_string(n);
    std::string name(base.substr(0, 39 - std::min<std::size_t>(suffix.size(), 38)));
    return name + suffix;
}

} // namespace knot
