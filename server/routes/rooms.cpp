// POST /v1/rooms (create a room with its owner and the server's agent) and GET /v1/rooms/{room}.
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/member_request.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

constexpr std::size_t k_max_room_name_chars = 64;

// 1 to 64 printable characters: no control characters, counted as UTF-8 code points.
std::string parse_room_name(const nlohmann::json& body) {
    const auto it = body.find("name");
    if (it == body.end())
        throw bad_request("name", "missing");
    if (!it->is_string())
        throw bad_request("name", "must be a string");
    const auto& name = it->get_ref<const std::string&>();
    std::size_t chars = 0;
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f)
            throw bad_request("name", "control characters are not allowed");
        if ((c & 0xc0) != 0x80)
            ++chars;
    }
    if (chars == 0 || chars > k_max_room_name_chars)
        throw bad_request("name", "a room name has 1 to 64 characters");
    return name;
}

Response create_room(const Request& request, ServerContext& context) {
    check_admin_token(request, context.admin_token);
    const std::int64_t now = unix_now();
    check_signature_headers(request, now);
    const nlohmann::json body = request.json_body();
    const std::string name = parse_room_name(body);
    if (!body.contains("owner"))
        throw bad_request("owner", "missing");
    const CheckedCard checked = parse_agent_card(body["owner"], "owner");
    const wire::AgentCard& card = checked.card;
    if (checked.key == context.server_public_key)
        throw bad_request("owner.public_key", "is the server's own key");

    const SignedRequest signed_request = verify_signature(request, checked.key, now);
    nlohmann::json answer;
    context.store.write([&](Transaction& transaction) {
        consume_nonce(transaction, checked.key, signed_request, now);
        const std::string token = random_hex(32);
        const RoomRecord room{"rm_" + random_hex(8), name, sha256_hex(token), now, 300};
        transaction.insert_room(room);

        AgentRecord owner;
        owner.room_id = room.id;
        owner.id = agent_id_of(checked.key);
        owner.name = card.name;
        owner.kind = card.kind;
        owner.capabilities = card.capabilities;
        owner.public_key = checked.key;
        owner.role = "owner";
        owner.signed_card = true;
        owner.card_signature = signed_request.signature;
        owner.joined_at = now;
        owner.last_seen = now;
        transaction.put_agent(owner);

        AgentRecord server_agent;
        server_agent.room_id = room.id;
        server_agent.id = agent_id_of(context.server_public_key);
        server_agent.name = "knot";
        server_agent.kind = "knot";
        server_agent.public_key = context.server_public_key;
        server_agent.role = "server";
        server_agent.joined_at = now;
        server_agent.last_seen = now;
        transaction.put_agent(server_agent);

        transaction.append_event(room.id, "room.created", owner.id, now,
                                 nlohmann::json{{"name", name}}.dump(),
                                 signed_request.signed_string, signed_request.signature);
        transaction.append_event(room.id, "agent.joined", owner.id, now, agent_event_data(owner),
                                 signed_request.signed_string, signed_request.signature);
        answer = wire::RoomCreated{room.id, token, agent_view(owner, now),
                                   agent_view(server_agent, now)};
    });
    return Response::json(201, answer);
}

Response get_room(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        wire::Room out{
            room.id, room.name, room.created_at, room.lease_seconds, reader.last_seq(room.id),
            {},      {}};
        for (const AgentRecord& agent : reader.agents(room.id)) {
            out.agents.push_back(agent_view(agent, now));
            out.counts.online += out.agents.back().online ? 1 : 0;
        }
        const TaskCounts tasks = reader.task_counts(room.id);
        out.counts.agents = static_cast<std::int64_t>(out.agents.size());
        out.counts.tasks = tasks.open + tasks.claimed;
        out.counts.tasks_done = tasks.done;
        out.counts.locks = static_cast<std::int64_t>(reader.live_locks(room.id, now).size());
        return nlohmann::json(out);
    });
}

} // namespace

void add_room_routes(Router& router) {
    router.add("POST", "/v1/rooms", create_room);
    router.add("GET", "/v1/rooms/{room}", get_room);
}

} // namespace knot::server
