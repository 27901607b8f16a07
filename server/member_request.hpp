// The two shapes every route of a room takes: a read that checks the invite token first, and a
// member's signed change (authenticate, check the input, one write that admits the member and
// makes the change, answer).
#pragma once

#include "auth.hpp"
#include "http_types.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace knot::server {

struct ServerContext;

// A request signed by a member of the room its path names. Constructing it runs the checks up to
// the signature (authenticate_member: token, form and time, unknown_agent, bad_signature) before
// the route reads its body, so an outsider's malformed body is refused as unauthorised, not as
// malformed. The route then checks its input, and makes its change with write or answer: the
// member's nonce is consumed and the agent marked seen in the same transaction as the change, so
// a refused change (an ApiError thrown inside) leaves nothing behind but the spent nonce, which
// the router records on its own (Router::call).
class MemberRequest {
public:
    // Throws the ApiError of the first check that fails (401, or 404 unknown_room).
    MemberRequest(const Request& request, ServerContext& context);

    const Member& member() const { return m_member; }
    const RoomRecord& room() const { return m_member.room; }
    const AgentRecord& agent() const { return m_member.agent; }
    // The time the request was received, which every record and event of it carries.
    std::int64_t now() const { return m_now; }
    // Whether the signer is the room's owner.
    bool is_owner() const { return m_member.agent.role == "owner"; }

    // Refuses a relay agent (a card with the relay capability: a member with no clone) the
    // change `what` ("lock paths", "push"), 403 relay_agent, saying how to gain it.
    void refuse_relay(const std::string& what) const;

    // Refuses a replayed request (401 replayed_nonce) before work outside the write, such as
    // indexing a pack or fetching from a forge (see refuse_replay in auth.hpp).
    void refuse_replay() const;

    // Admits the member and runs `change` in one write.
    void write(const std::function<void(Transaction&)>& change) const;
    // Admits the member in a write of its own, for a route that changes nothing else (a read
    // that must be signed, such as opening the event stream or fetching a pack).
    void admit() const;
    // As write, then answers `status` with the JSON object `change` returns.
    Response answer(int status, const std::function<nlohmann::json(Transaction&)>& change) const;

    // Appends the event `type` with `data` inside `transaction`, carrying the signed string and
    // signature of the member's request so that it stays verifiable later.
    EventRecord append_event(Transaction& transaction, const std::string& type,
                             const nlohmann::json& data) const;

private:
    ServerContext& m_context;
    std::int64_t m_now;
    Member m_member;
};

// Answers 200 with the JSON object `read` returns, after checking, in the same read of the store,
// that `request` carries the invite token of the room its path names (authenticate_room: 404
// unknown_room, 401 missing_token or bad_token).
Response
answer_room_read(const Request& request, ServerContext& context,
                 const std::function<nlohmann::json(const Reader&, const RoomRecord&)>& read);

} // namespace knot::server
