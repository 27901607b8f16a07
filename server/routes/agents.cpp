// The agents of a room: list, register (idempotent per key) and heartbeat.
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

constexpr std::size_t k_max_status_chars = 200;

Response list_agents(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        std::vector<wire::Agent> agents;
        for (const AgentRecord& agent : reader.agents(room.id))
            agents.push_back(agent_view(agent, now));
        return nlohmann::json{{"agents", agents}};
    });
}

// A new key joins as a member (201, agent.joined); a known key re-registers with its card's
// name, kind and capabilities (200, agent.rejoined): a rename; agent.upgraded when a relay agent's
// card drops the relay capability (`git knot upgrade` carried it into a clone). A name another
// key holds, or ever held, is 409.
Response register_agent(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    int status = 201;
    nlohmann::json answer;
    context.store.read([&](const Reader& reader) { authenticate_room(reader, request); });
    check_signature_headers(request, now);
    const CheckedCard checked = parse_agent_card(request.json_body(), "");
    const wire::AgentCard& card = checked.card;
    const SignedRequest signed_request = verify_signature(request, checked.key, now);
    context.store.write([&](Transaction& transaction) {
        const RoomRecord room = authenticate_room(transaction, request);
        consume_nonce(transaction, checked.key, signed_request, now);

        const std::string id = agent_id_of(checked.key);
        const auto holder = transaction.name_owner(room.id, card.name);
        if (holder && *holder != id)
            throw ApiError(error_code::name_taken,
                           "the name '" + card.name +
                               "' belongs to another agent of this room (names are never "
                               "reused: its refs stay that agent's); choose another name");
        const auto existing = transaction.find_agent(room.id, id);
        if (existing && existing->role == "server")
            throw bad_request("public_key", "is the server's own key");

        const bool upgraded = existing && is_relay(*existing);
        AgentRecord agent = existing.value_or(AgentRecord{});
        agent.room_id = room.id;
        agent.id = id;
        agent.name = card.name;
        agent.kind = card.kind;
        agent.capabilities = card.capabilities;
        agent.public_key = checked.key;
        agent.signed_card = true;
        agent.card_signature = signed_request.signature;
        agent.last_seen = now;
        if (!existing) {
            agent.role = "member";
            agent.joined_at = now;
        }
        transaction.put_agent(agent);
        status = existing ? 200 : 201;
        const char* type = !existing                      ? "agent.joined"
                           : upgraded && !is_relay(agent) ? "agent.upgraded"
                                                          : "agent.rejoined";
        transaction.append_event(room.id, type, id, now, agent_event_data(agent),
                                 signed_request.signed_string, signed_request.signature);
        answer = {{"agent", agent_view(agent, now)}};
    });
    return Response::json(status, answer);
}

// Marks the signer online and, when `status` is given, sets its status (not logged).
Response heartbeat(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const auto status = optional_text(body_object(request), "status", 0, k_max_status_chars);
    return call.answer(200, [&](Transaction& transaction) {
        if (status)
            transaction.set_agent_status(call.room().id, call.agent().id, *status);
        return nlohmann::json{{"ok", true}, {"time", call.now()}};
    });
}

} // namespace

void add_agent_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/agents", list_agents);
    router.add("POST", "/v1/rooms/{room}/agents", register_agent);
    router.add("POST", "/v1/rooms/{room}/heartbeat", heartbeat);
}

} // namespace knot::server
