// One line of text per event, as `git knot log`, `chat`, `dash` and `sync` show them, and the
// line that explains a lock conflict (the lock commands and the hooks).
#pragma once

// Its callers show a lock's expiry beside these lines (relative_time, local_clock).
#include "libknot/base/time_text.hpp"
#include "libknot/protocol/wire.hpp"

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace knot {

// Agent ids to names, for showing who did what.
using AgentNames = std::map<std::string, std::string>;

// The string at `key` of `object`, or "" when it is missing, null or not a string: for the
// members of an event's data, which vary by type and are shown, never trusted.
std::string json_text(const nlohmann::json& object, const char* key);

// Builds the id-to-name map from a list of agents.
AgentNames agent_names(const std::vector<wire::Agent>& agents);
// The same from GET /agents' answer; throws knot::Error when it is malformed.
AgentNames agent_names_of(const nlohmann::json& answer);

// Learns the name of an agent that `event` says joined (agent.joined), for events that follow.
void learn_name(AgentNames& names, const wire::Event& event);

// "coder-1 locked src/a.c, src/b.c (fix the parser)" and the like: the event's meaning without
// its sequence number or time. Unknown types are shown with their type and data.
std::string describe_event(const wire::Event& event, const AgentNames& names);

// "#12 10:04:31 " + describe_event: a log line, its control characters shown as '?'.
std::string event_line(const wire::Event& event, const AgentNames& names);

// "src/a.c is locked by coder-2 (fix the parser) until 10:04:31 (in 4m 10s)": why a lock
// conflicts, for the lock commands and the hooks.
std::string conflict_line(const wire::Lock& lock, long long now);

} // namespace knot
