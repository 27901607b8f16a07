// Invite URLs: http(s)://host[:port]/join?room=rm_...&token=...
#pragma once

#include <string>
#include <string_view>

namespace knot {

struct Invite {
    std::string base_url; // scheme://host[:port], where the API lives
    std::string room;
    std::string token;
};

// Parses and validates an invite URL. Throws knot::UsageError naming what is wrong when the
// text is not a knot invite (a foreign URL, a missing room or token, a malformed one).
Invite parse_invite(std::string_view url);
std::string invite_url(const Invite& invite);

// True when `token` has the form of an invite token: 64 lower-case hex digits.
bool is_invite_token(std::string_view token);

} // namespace knot
