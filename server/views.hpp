// The JSON objects of docs/protocol.md built from store records, and the agent card parser.
#pragma once

#include "libknot/protocol/crypto.hpp"
#include "store.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knot::server {

// An agent counts as online when its last signed request is at most this old.
inline constexpr std::int64_t k_online_seconds = 90;

// An agent card as received, validated.
struct AgentCard {
    std::string name;
    std::string kind;
    std::vector<std::string> capabilities;
    Bytes public_key;
};

// Validates `value` as an agent card; throws ApiError 400 bad_request naming the field (under
// `where`, e.g. "owner.name", when `where` is not empty). The server's own kind "knot" and the
// reserved names are refused.
AgentCard parse_agent_card(const nlohmann::json& value, std::string_view where);

// ag_ + the first 16 hex digits of the SHA-256 of the raw public key.
std::string agent_id_of(const Bytes& public_key);

// True when the agent is online at `now`. The server's own agent always is.
bool is_online(const AgentRecord& agent, std::int64_t now);

// The Agent object; the server's agent reports `now` as its last_seen.
nlohmann::json agent_json(const AgentRecord& agent, std::int64_t now);
nlohmann::json event_json(const EventRecord& event);
nlohmann::json lock_json(const LockRecord& lock);
// A JSON array of lock objects.
nlohmann::json locks_json(const std::vector<LockRecord>& locks);
nlohmann::json task_json(const TaskRecord& task);

// The id of task `number`: "t" followed by the number.
std::string task_id(std::int64_t number);
// The number of the task id `id` ("t" followed by a positive decimal number), or nothing.
std::optional<std::int64_t> parse_task_id(std::string_view id);

// The data of agent.joined and agent.rejoined as stored: {"fingerprint","kind","name"}.
std::string agent_event_data(const AgentRecord& agent);

} // namespace knot::server
