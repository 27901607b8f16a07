// The server's side of a knot:: remote: its URL, the clone's credentials for it, the three git
// endpoints of docs/protocol.md ("Git transfer (hosted mode)"), the forge-mode notification
// ("Forge mode") and the clone's outbox, where a notification waits while the server is down.
#pragma once

#include "hooks/lock_view.hpp"
#include "libknot/client/http_client.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_integration.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace knot::remote {

// A knot:: URL without its prefix: http(s)://host[:port]/<room>.
struct Endpoint {
    std::string base_url;
    std::string room;
};

// Throws knot::Error when `url` is not of that form.
Endpoint parse_endpoint(const std::string& url);

// One ref update to send with its pack.
struct Push {
    std::string ref;
    std::string old_oid; // 40 zeros when the ref is new
    std::string new_oid;
    bool force = false;
};

// Why the server refused a push: its HTTP status, code and message, and for lock_conflict the
// locks of other agents the push changes.
struct Refusal {
    int status = 0;
    std::string code;
    std::string message;
    std::vector<wire::Lock> conflicts;
};

class Remote {
public:
    // Opens the session of the clone git runs the helper in (GIT_DIR) and sends what waits in
    // its outbox, oldest first (a server still down leaves it waiting); throws knot::Error when
    // the clone has not joined the room `url` names.
    explicit Remote(const std::string& url);

    // The room's refs: name to oid.
    std::map<std::string, std::string> refs();
    // Asks for a pack of what `wants` need and `haves` do not already give, and hands it to
    // `on_pack` as a stream read while it arrives (empty when nothing is missing; short when the
    // connection broke, which `on_pack` finds out). Throws knot::HttpError with the server's
    // message when it refuses.
    void upload(const std::vector<std::string>& wants, const std::vector<std::string>& haves,
                const std::function<void(std::istream& pack)>& on_pack);
    // Sends `pack` and the ref update it carries; nothing when the ref moved.
    std::optional<Refusal> receive(const Push& push, const std::string& pack);

    // Sends the forge-mode notification `body` (POST git/notify), or queues it in the outbox
    // when the server cannot be reached or older notifications still wait there (so they keep
    // their order). Returns the server's answer, nothing when it was queued. Throws
    // knot::HttpError when the server refuses it.
    std::optional<wire::PushAnswer> notify(const nlohmann::json& body);

private:
    std::map<std::string, std::string> headers(const std::string& method, const std::string& target,
                                               const std::string& body) const;

    Endpoint m_endpoint;
    Session m_session;
    HttpClient m_http;
};

} // namespace knot::remote
