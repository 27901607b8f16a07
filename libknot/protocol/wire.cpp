// The room's JSON objects, written and read (see wire.hpp).
#include "libknot/protocol/wire.hpp"

#include "libknot/protocol/wire_reader.hpp"

namespace knot::wire {

void to_json(nlohmann::json& out, const AgentCard& card) {
    out = {{"name", card.name},
           {"kind", card.kind},
           {"capabilities", card.capabilities},
           {"public_key", card.public_key}};
}

void from_json(const nlohmann::json& in, AgentCard& card) {
    const FieldReader fields(in, "agent card");
    fields.require({"name", "kind", "public_key"});
    card.name = fields.text("name");
    card.kind = fields.text("kind");
    card.capabilities = fields.texts("capabilities");
    card.public_key = fields.text("public_key");
}

void to_json(nlohmann::json& out, const Agent& agent) {
    out = {{"id", agent.id},
           {"name", agent.name},
           {"kind", agent.kind},
           {"capabilities", agent.capabilities},
           {"public_key", agent.public_key},
           {"fingerprint", agent.fingerprint},
           {"role", agent.role},
           {"signed", agent.signed_card},
           {"online", agent.online},
           {"last_seen", agent.last_seen},
           {"joined_at", agent.joined_at},
           {"status", agent.status}};
}

void from_json(const nlohmann::json& in, Agent& agent) {
    const FieldReader fields(in, "agent");
    fields.require({"id", "name"});
    agent.id = fields.text("id");
    agent.name = fields.text("name");
    agent.kind = fields.text("kind");
    agent.capabilities = fields.texts("capabilities");
    agent.public_key = fields.text("public_key");
    agent.fingerprint = fields.text("fingerprint");
    agent.role = fields.text("role");
    agent.signed_card = fields.flag("signed");
    agent.online = fields.flag("online");
    agent.last_seen = fields.integer("last_seen");
    agent.joined_at = fields.integer("joined_at");
    // docs/protocol.md once said null for an agent that never said what it does.
    agent.status = fields.nullable_text("status").value_or("");
}

void to_json(nlohmann::json& out, const Lock& lock) {
    out = {{"path", lock.path},
           {"agent", lock.agent},
           {"agent_name", lock.agent_name},
           {"intent", lock.intent},
           {"fencing", lock.fencing},
           {"acquired_at", lock.acquired_at},
           {"expires_at", lock.expires_at}};
}

void from_json(const nlohmann::json& in, Lock& lock) {
    const FieldReader fields(in, "lock");
    fields.require({"path"});
    lock.path = fields.text("path");
    lock.agent = fields.text("agent");
    lock.agent_name = fields.text("agent_name");
    lock.intent = fields.text("intent");
    lock.fencing = fields.integer("fencing");
    lock.acquired_at = fields.integer("acquired_at");
    lock.expires_at = fields.integer("expires_at");
}

void to_json(nlohmann::json& out, const Task& task) {
    out = {{"id", task.id},
           {"title", task.title},
           {"goal", task.goal},
           {"status", task.status},
           {"claimed_by", text_or_null(task.claimed_by)},
           {"claimed_by_name", text_or_null(task.claimed_by_name)},
           {"created_by", task.created_by},
           {"created_at", task.created_at},
           {"updated_at", task.updated_at},
           {"files", task.files}};
}

void from_json(const nlohmann::json& in, Task& task) {
    const FieldReader fields(in, "task");
    fields.require({"id"});
    task.id = fields.text("id");
    task.title = fields.text("title");
    task.goal = fields.text("goal");
    task.status = fields.text("status");
    task.claimed_by = fields.nullable_text("claimed_by");
    task.claimed_by_name = fields.nullable_text("claimed_by_name");
    task.created_by = fields.text("created_by");
    task.created_at = fields.integer("created_at");
    task.updated_at = fields.integer("updated_at");
    task.files = fields.texts("files");
}

void to_json(nlohmann::json& out, const EventSignature& signature) {
    out = {{"string", signature.string}, {"signature", signature.signature}};
}

void from_json(const nlohmann::json& in, EventSignature& signature) {
    const FieldReader fields(in, "event's signature");
    signature.string = fields.text("string");
    signature.signature = fields.text("signature");
}

void to_json(nlohmann::json& out, const Event& event) {
    out = {{"seq", event.seq},   {"type", event.type}, {"agent", event.agent}, {"time", event.time},
           {"data", event.data}, {"prev", event.prev}, {"hash", event.hash}};
    if (event.signature)
        out["signed"] = *event.signature;
}

void from_json(const nlohmann::json& in, Event& event) {
    const FieldReader fields(in, "event");
    fields.require({"seq", "type"});
    event.seq = fields.integer("seq");
    event.type = fields.text("type");
    event.agent = fields.text("agent");
    event.time = fields.integer("time");
    event.data = fields.any("data", nlohmann::json::object());
    if (!event.data.is_object())
        fields.wrong("data", "an object");
    event.prev = fields.text("prev");
    event.hash = fields.text("hash");
    event.signature = fields.nullable_object<EventSignature>("signed");
}

void to_json(nlohmann::json& out, const Health& health) {
    out = {{"ok", health.ok},
           {"server", health.server},
           {"version", health.version},
           {"protocol", health.protocol},
           {"time", health.time}};
}

void from_json(const nlohmann::json& in, Health& health) {
    const FieldReader fields(in, "health answer");
    health.ok = fields.flag("ok");
    health.server = fields.text("server");
    health.version = fields.text("version");
    health.protocol = fields.text("protocol");
    health.time = fields.integer("time");
}

void to_json(nlohmann::json& out, const RoomCounts& counts) {
    out = {{"agents", counts.agents},
           {"online", counts.online},
           {"tasks", counts.tasks},
           {"tasks_done", counts.tasks_done},
           {"locks", counts.locks}};
}

void from_json(const nlohmann::json& in, RoomCounts& counts) {
    const FieldReader fields(in, "room's counts");
    counts.agents = fields.integer("agents");
    counts.online = fields.integer("online");
    counts.tasks = fields.integer("tasks");
    counts.tasks_done = fields.integer("tasks_done");
    counts.locks = fields.integer("locks");
}

void to_json(nlohmann::json& out, const Room& room) {
    out = {{"room", room.room},
           {"name", room.name},
           {"created_at", room.created_at},
           {"lease_seconds", room.lease_seconds},
           {"last_seq", room.last_seq},
           {"agents", room.agents},
           {"counts", room.counts}};
}

void from_json(const nlohmann::json& in, Room& room) {
    const FieldReader fields(in, "room");
    room.room = fields.text("room");
    room.name = fields.text("name");
    room.created_at = fields.integer("created_at");
    room.lease_seconds = fields.integer("lease_seconds");
    room.last_seq = fields.integer("last_seq");
    room.agents = fields.objects<Agent>("agents");
    room.counts = fields.object<RoomCounts>("counts");
}

void to_json(nlohmann::json& out, const RoomCreated& created) {
    out = {{"room", created.room},
           {"token", created.token},
           {"agent", created.agent},
           {"server_agent", created.server_agent}};
}

void from_json(const nlohmann::json& in, RoomCreated& created) {
    const FieldReader fields(in, "new room");
    fields.require({"room", "token", "agent"});
    created.room = fields.text("room");
    created.token = fields.text("token");
    created.agent = fields.object<Agent>("agent");
    created.server_agent = fields.object<Agent>("server_agent");
}

void to_json(nlohmann::json& out, const ErrorBody& body) {
    out = {{"error", body.error}, {"code", body.code}};
    if (body.conflicts)
        out["conflicts"] = *body.conflicts;
}

void from_json(const nlohmann::json& in, ErrorBody& body) {
    const FieldReader fields(in, "error");
    body.error = fields.text("error");
    body.code = fields.text("code");
    if (fields.has("conflicts"))
        body.conflicts = fields.objects<Lock>("conflicts");
}

std::optional<ErrorBody> parse_error_body(const std::string& text) {
    const nlohmann::json body = nlohmann::json::parse(text, nullptr, false);
    if (!body.is_object())
        return std::nullopt;
    return body.get<ErrorBody>();
}

std::vector<Lock> conflicts_in(const std::string& text) {
    const auto body = parse_error_body(text);
    return body && body->conflicts ? *body->conflicts : std::vector<Lock>{};
}

} // namespace knot::wire
