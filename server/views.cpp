// The protocol's JSON objects and the agent card parser (see views.hpp).
#include "views.hpp"

#include "api_error.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

constexpr std::size_t k_max_capabilities = 16;
constexpr std::size_t k_max_capability_chars = 32;

std::string field_name(std::string_view where, std::string_view field) {
    return where.empty() ? std::string(field) : std::string(where) + "." + std::string(field);
}

const std::string& require_string(const nlohmann::json& object, std::string_view where,
                                  const char* field) {
    const auto it = object.find(field);
    if (it == object.end())
        throw bad_request(field_name(where, field), "missing");
    if (!it->is_string())
        throw bad_request(field_name(where, field), "must be a string");
    return it->get_ref<const std::string&>();
}

} // namespace

AgentCard parse_agent_card(const nlohmann::json& value, std::string_view where) {
    if (!value.is_object())
        throw bad_request(where.empty() ? "body" : where, "must be an agent card object");
    AgentCard card;
    card.name = require_string(value, where, "name");
    if (auto reason = invalid_agent_name(card.name))
        throw bad_request(field_name(where, "name"), *reason);
    card.kind = require_string(value, where, "kind");
    if (!is_agent_kind(card.kind) || card.kind == "knot")
        throw bad_request(field_name(where, "kind"),
                          "must be one of claude, codex, cursor, human, other");
    if (const auto caps = value.find("capabilities"); caps != value.end() && !caps->is_null()) {
        const std::string field = field_name(where, "capabilities");
        if (!caps->is_array())
            throw bad_request(field, "must be an array of strings");
        if (caps->size() > k_max_capabilities)
            throw bad_request(field, "at most 16 capabilities");
        for (const auto& cap : *caps) {
            if (!cap.is_string())
                throw bad_request(field, "must be an array of strings");
            const auto& text = cap.get_ref<const std::string&>();
            if (text.empty() || text.size() > k_max_capability_chars)
                throw bad_request(field, "each capability has 1 to 32 characters");
            for (unsigned char c : text)
                if (c < 0x20 || c == 0x7f)
                    throw bad_request(field, "control characters are not allowed");
            card.capabilities.push_back(text);
        }
    }
    const std::string& key = require_string(value, where, "public_key");
    try {
        card.public_key = from_base64(key);
    } catch (const Error&) {
        throw bad_request(field_name(where, "public_key"), "not valid base64");
    }
    if (card.public_key.size() != 32)
        throw bad_request(field_name(where, "public_key"),
                          "must be a 32-byte Ed25519 public key in base64");
    return card;
}

std::string agent_id_of(const Bytes& public_key) {
    const std::string hex = sha256_hex(
        std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
    return "ag_" + hex.substr(0, 16);
}

bool is_online(const AgentRecord& agent, std::int64_t now) {
    return agent.role == "server" || now - agent.last_seen <= k_online_seconds;
}

nlohmann::json agent_json(const AgentRecord& agent, std::int64_t now) {
    return {{"id", agent.id},
            {"name", agent.name},
            {"kind", agent.kind},
            {"capabilities", agent.capabilities},
            {"public_key", to_base64(agent.public_key)},
            {"fingerprint", fingerprint_of(agent.public_key)},
            {"role", agent.role},
            {"signed", agent.signed_card},
            {"online", is_online(agent, now)},
            {"last_seen", agent.role == "server" ? now : agent.last_seen},
            {"joined_at", agent.joined_at},
            {"status", agent.status}};
}

nlohmann::json event_json(const EventRecord& event) {
    nlohmann::json data = nlohmann::json::parse(event.data, nullptr, false);
    if (data.is_discarded())
        data = nlohmann::json::object();
    nlohmann::json out = {{"seq", event.seq},   {"type", event.type}, {"agent", event.agent_id},
                          {"time", event.time}, {"data", data},       {"prev", event.prev},
                          {"hash", event.hash}};
    // The request that caused it, for whoever wants to check the agent's signature later.
    if (!event.signature.empty())
        out["signed"] = {{"string", event.signed_string}, {"signature", event.signature}};
    return out;
}

nlohmann::json lock_json(const LockRecord& lock) {
    return {{"path", lock.path},
            {"agent", lock.agent_id},
            {"agent_name", lock.agent_name},
            {"intent", lock.intent},
            {"fencing", lock.fencing},
            {"acquired_at", lock.acquired_at},
            {"expires_at", lock.expires_at}};
}

nlohmann::json locks_json(const std::vector<LockRecord>& locks) {
    nlohmann::json out = nlohmann::json::array();
    for (const LockRecord& lock : locks)
        out.push_back(lock_json(lock));
    return out;
}

nlohmann::json task_json(const TaskRecord& task) {
    const bool claimed = !task.claimed_by.empty();
    return {{"id", task_id(task.number)},
            {"title", task.title},
            {"goal", task.goal},
            {"status", task.status},
            {"claimed_by", claimed ? nlohmann::json(task.claimed_by) : nlohmann::json()},
            {"claimed_by_name", claimed ? nlohmann::json(task.claimed_by_name) : nlohmann::json()},
            {"created_by", task.created_by},
            {"created_at", task.created_at},
            {"updated_at", task.updated_at}};
}

std::string task_id(std::int64_t number) {
    return "t" + std::to_string(number);
}

std::optional<std::int64_t> parse_task_id(std::string_view id) {
    if (id.size() < 2 || id.size() > 19 || id.front() != 't' || id[1] == '0')
        return std::nullopt;
    std::int64_t number = 0;
    for (char c : id.substr(1)) {
        if (c < '0' || c > '9')
            return std::nullopt;
        number = number * 10 + (c - '0');
    }
    return number;
}

std::string agent_event_data(const AgentRecord& agent) {
    return nlohmann::json{{"name", agent.name},
                          {"kind", agent.kind},
                          {"fingerprint", fingerprint_of(agent.public_key)}}
        .dump();
}

} // namespace knot::server
