// The protocol's JSON objects and the agent card parser (see views.hpp).
#include "views.hpp"

#include "api_error.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

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

CheckedCard parse_agent_card(const nlohmann::json& value, std::string_view where) {
    if (!value.is_object())
        throw bad_request(where.empty() ? "body" : where, "must be an agent card object");
    CheckedCard checked;
    wire::AgentCard& card = checked.card;
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
    card.public_key = require_string(value, where, "public_key");
    try {
        checked.key = from_base64(card.public_key);
    } catch (const Error&) {
        throw bad_request(field_name(where, "public_key"), "not valid base64");
    }
    if (checked.key.size() != 32)
        throw bad_request(field_name(where, "public_key"),
                          "must be a 32-byte Ed25519 public key in base64");
    return checked;
}

std::string agent_id_of(const Bytes& public_key) {
    const std::string hex = sha256_hex(
        std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
    return "ag_" + hex.substr(0, 16);
}

bool is_online(const AgentRecord& agent, std::int64_t now) {
    return agent.role == "server" || now - agent.last_seen <= k_online_seconds;
}

wire::Agent agent_view(const AgentRecord& agent, std::int64_t now) {
    wire::Agent out;
    out.id = agent.id;
    out.name = agent.name;
    out.kind = agent.kind;
    out.capabilities = agent.capabilities;
    out.public_key = to_base64(agent.public_key);
    out.fingerprint = fingerprint_of(agent.public_key);
    out.role = agent.role;
    out.signed_card = agent.signed_card;
    out.online = is_online(agent, now);
    out.last_seen = agent.role == "server" ? now : agent.last_seen;
    out.joined_at = agent.joined_at;
    out.status = agent.status;
    return out;
}

wire::Event event_view(const EventRecord& event) {
    wire::Event out;
    out.seq = event.seq;
    out.type = event.type;
    out.agent = event.agent_id;
    out.time = event.time;
    out.data = nlohmann::json::parse(event.data, nullptr, false);
    if (out.data.is_discarded())
        out.data = nlohmann::json::object();
    out.prev = event.prev;
    out.hash = event.hash;
    // The request that caused it, for whoever wants to check the agent's signature later.
    if (!event.signature.empty())
        out.signature = wire::EventSignature{event.signed_string, event.signature};
    return out;
}

wire::Lock lock_view(const LockRecord& lock) {
    return {lock.path,    lock.agent_id,    lock.agent_name, lock.intent,
            lock.fencing, lock.acquired_at, lock.expires_at};
}

std::vector<wire::Lock> lock_views(const std::vector<LockRecord>& locks) {
    std::vector<wire::Lock> out;
    out.reserve(locks.size());
    for (const LockRecord& lock : locks)
        out.push_back(lock_view(lock));
    return out;
}

wire::Task task_view(const TaskRecord& task) {
    wire::Task out;
    out.id = task_id(task.number);
    out.title = task.title;
    out.goal = task.goal;
    out.status = task.status;
    if (!task.claimed_by.empty()) {
        out.claimed_by = task.claimed_by;
        out.claimed_by_name = task.claimed_by_name;
    }
    out.created_by = task.created_by;
    out.created_at = task.created_at;
    out.updated_at = task.updated_at;
    out.files = task.files;
    return out;
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
    nlohmann::json data = {{"name", agent.name},
                           {"kind", agent.kind},
                           {"fingerprint", fingerprint_of(agent.public_key)}};
    if (is_relay(agent))
        data["relay"] = true;
    return data.dump();
}

bool is_relay(const AgentRecord& agent) {
    return std::find(agent.capabilities.begin(), agent.capabilities.end(), "relay") !=
           agent.capabilities.end();
}

} // namespace knot::server
