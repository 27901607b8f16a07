// Invite URLs (see invite.hpp).
#include "libknot/protocol/invite.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/hex.hpp"
#include "libknot/base/url.hpp"
#include "libknot/protocol/protocol.hpp"

namespace knot {
namespace {

constexpr std::string_view k_expected = "expected http(s)://host:port/join?room=rm_...&token=...";

[[noreturn]] void refuse(const std::string& why) {
    throw UsageError("not a knot invite URL: " + why + " (" + std::string(k_expected) + ")");
}

} // namespace

bool is_invite_token(std::string_view token) {
    return is_lower_hex(token, 64);
}

Invite parse_invite(std::string_view url) {
    if (url.find("://") == std::string_view::npos)
        refuse("it cannot be parsed");
    const std::string_view scheme = url.substr(0, url.find("://"));
    if (scheme != "http" && scheme != "https")
        refuse("the scheme must be http or https");
    if (url.find_first_of("@#") != std::string_view::npos)
        refuse("it carries user information or a fragment");
    const auto parsed = parse_url(url);
    if (!parsed)
        refuse("it cannot be parsed (a malformed host or port, or a space)");
    if (parsed->path != "/join")
        refuse("the path must be /join");
    const auto params = query_parameters(parsed->query);
    if (!params)
        refuse("its query cannot be decoded");
    Invite invite;
    for (const auto& [key, value] : *params) {
        if (key == "room")
            invite.room = value;
        else if (key == "token")
            invite.token = value;
    }
    if (invite.room.empty())
        refuse("it has no room");
    if (!is_room_id(invite.room))
        refuse("the room id '" + invite.room + "' is malformed");
    if (invite.token.empty())
        refuse("it has no token");
    if (!is_invite_token(invite.token))
        refuse("the token is malformed");
    invite.base_url = parsed->origin();
    return invite;
}

std::string invite_url(const Invite& invite) {
    return invite.base_url + "/join?room=" + invite.room + "&token=" + invite.token;
}

} // namespace knot
