// GET /join?room=..&token=..: the invite URL opened in a browser tells a person what to run.
#include "libknot/protocol/invite.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"

namespace knot::server {
namespace {

Response get_join(const Request& request, ServerContext&) {
    const std::string room = request.query_value("room").value_or("");
    const std::string token = request.query_value("token").value_or("");
    if (!is_room_id(room))
        throw bad_request("room", "an invite names a room id rm_ followed by 16 hex digits");
    if (!is_invite_token(token))
        throw bad_request("token", "an invite carries a token of 64 hex digits");
    std::string host = request.header("Host");
    if (host.empty())
        host = "localhost";
    // Behind a tunnel or a TLS proxy the request arrives as plain http; the proxy says how the
    // person reached it.
    const std::string scheme = request.header("X-Forwarded-Proto") == "https" ? "https" : "http";
    const std::string url = scheme + "://" + host + "/join?room=" + room + "&token=" + token;
    Response response;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "This is an invitation to the knot room " + room +
                    ".\n\nTo join it, run this in your clone of the repository:\n\n"
                    "    git knot join '" +
                    url +
                    "'\n\nKeep this URL to yourself and your team: it carries the room's "
                    "invite token.\n";
    return response;
}

} // namespace

void add_join_routes(Router& router) {
    router.add("GET", "/join", get_join);
}

} // namespace knot::server
