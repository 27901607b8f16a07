// Invite URLs (see invite.hpp).
#include "libknot/protocol/invite.hpp"

#include "libknot/base/error.hpp"
#include "libknot/protocol/protocol.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace knot {
namespace {

constexpr std::string_view k_expected = "expected http(s)://host:port/join?room=rm_...&token=...";

[[noreturn]] void refuse(const std::string& why) {
    throw UsageError("not a knot invite URL: " + why + " (" + std::string(k_expected) + ")");
}

} // namespace

bool is_invite_token(std::string_view token) {
    if (token.size() != 64)
        return false;
    for (char c : token)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

Invite parse_invite(std::string_view url) {
    Poco::URI uri;
    try {
        uri = Poco::URI(std::string(url));
    } catch (const Poco::Exception&) {
        refuse("it cannot be parsed");
    }
    if (uri.getScheme() != "http" && uri.getScheme() != "https")
        refuse("the scheme must be http or https");
    if (uri.getHost().empty())
        refuse("it names no host");
    if (!uri.getUserInfo().empty() || !uri.getFragment().empty())
        refuse("it carries user information or a fragment");
    if (uri.getPath() != "/join")
        refuse("the path must be /join");
    Invite invite;
    Poco::URI::QueryParameters params;
    try {
        params = uri.getQueryParameters();
    } catch (const Poco::Exception&) {
        refuse("its query cannot be decoded");
    }
    for (const auto& [key, value] : params) {
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
    invite.base_url = uri.getScheme() + "://" + uri.getAuthority();
    return invite;
}

std::string invite_url(const Invite& invite) {
    return invite.base_url + "/join?room=" + invite.room + "&token=" + invite.token;
}

} // namespace knot
