// The wire objects of docs/protocol.md (libknot/protocol/wire.hpp) built from store records, and
// the agent card parser.
#pragma once

#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/wire.hpp"
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

// An agent card as received, validated: the card and its public key decoded (32 bytes).
struct CheckedCard {
    wire::AgentCard card;
    Bytes key;
};

// Validates `value` as an agent card; throws ApiError 400 bad_request naming the field (under
// `where`, e.g. "owner.name", when `where` is not empty). The server's own kind "knot" and the
// reserved names are refused. The card comes from anyone who can reach the server, so it is
// checked member by member here rather than read with wire::AgentCard's from_json.
CheckedCard parse_agent_card(const nlohmann::json& value, std::string_view where);

// ag_ + the first 16 hex digits of the SHA-256 of the raw public key.
std::string agent_id_of(const Bytes& public_key);

// True when the agent is online at `now`. The server's own agent always is.
bool is_online(const AgentRecord& agent, std::int64_t now);

// The Agent object; the server's agent reports `now` as its last_seen.
wire::Agent agent_view(const AgentRecord& agent, std::int64_t now);
// An event whose stored data is not JSON (none should be) shows an empty object.
wire::Event event_view(const EventRecord& event);
wire::Lock lock_view(const LockRecord& lock);
std::vector<wire::Lock> lock_views(const std::vector<LockRecord>& locks);
wire::Task task_view(const TaskRecord& task);

// The id of task `number`: "t" followed by the number.
std::string task_id(std::int64_t number);
// The number of the task id `id` ("t" followed by a positive decimal number), or nothing.
std::optional<std::int64_t> parse_task_id(std::string_view id);

// Whether the agent's card carries the relay capability: a member with no clone, which may not
// lock paths or push.
bool is_relay(const AgentRecord& agent);

// The data of agent.joined, agent.rejoined and agent.upgraded as stored:
// {"fingerprint","kind","name"}, and "relay": true for a relay agent.
std::string agent_event_data(const AgentRecord& agent);

} // namespace knot::server
