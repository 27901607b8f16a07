// The room's JSON objects of docs/protocol.md ("Objects", "Locks", "Tasks", "Endpoints"), each
// defined once for the server that writes them and the clients that read them, with nlohmann's
// to_json and from_json. from_json reads strictly (wire_reader.hpp): a member of the wrong type
// is a knot::Error naming it. The integration's objects are in wire_integration.hpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace knot::wire {

// What an agent sends to register ("Agent card"); `public_key` is standard base64. The server
// checks a received card field by field (server/views.hpp, parse_agent_card) before it trusts
// one.
struct AgentCard {
    std::string name;
    std::string kind;
    std::vector<std::string> capabilities;
    std::string public_key;
};

// A member as the server reports it ("Agent"). `role` is owner, member or server; `status` what
// it last said it is doing ("" when nothing).
struct Agent {
    std::string id;
    std::string name;
    std::string kind;
    std::vector<std::string> capabilities;
    std::string public_key;
    std::string fingerprint;
    std::string role;
    bool signed_card = false; // "signed"
    bool online = false;
    std::int64_t last_seen = 0;
    std::int64_t joined_at = 0;
    std::string status;
};

// A live lock ("Lock object"): `agent` is the holder's id, `agent_name` its name.
struct Lock {
    std::string path;
    std::string agent;
    std::string agent_name;
    std::string intent;
    std::int64_t fencing = 0;
    std::int64_t acquired_at = 0;
    std::int64_t expires_at = 0;
};

// A task ("Task object"); `claimed_by` and `claimed_by_name` are null (nothing) while it is open.
struct Task {
    std::string id;
    std::string title;
    std::string goal;
    std::string status; // open, claimed or done
    std::optional<std::string> claimed_by;
    std::optional<std::string> claimed_by_name;
    std::string created_by;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::vector<std::string> files; // the repository paths it will touch (none from old servers)
};

// The request a signed event was caused by: its canonical string and base64 signature.
struct EventSignature {
    std::string string;
    std::string signature;
};

// One event of the room's log ("Event"), as GET /events, the stream and POST /messages (a
// chat.message) show it. `data` is the type's own object, kept as JSON: it is hashed as stored,
// and each type has its members (docs/protocol.md, "Event types").
struct Event {
    std::int64_t seq = 0;
    std::string type;
    std::string agent;
    std::int64_t time = 0;
    nlohmann::json data;
    std::string prev;
    std::string hash;
    std::optional<EventSignature> signature; // "signed", absent for the server's own events
};

// GET /v1/health.
struct Health {
    bool ok = false;
    std::string server;
    std::string version;
    std::string protocol;
    std::int64_t time = 0;
};

// The counts of GET /v1/rooms/{room}: tasks open or claimed, tasks done, live locks.
struct RoomCounts {
    std::int64_t agents = 0;
    std::int64_t online = 0;
    std::int64_t tasks = 0;
    std::int64_t tasks_done = 0;
    std::int64_t locks = 0;
};

// GET /v1/rooms/{room}.
struct Room {
    std::string room;
    std::string name;
    std::int64_t created_at = 0;
    std::int64_t lease_seconds = 0;
    std::int64_t last_seq = 0;
    std::vector<Agent> agents;
    RoomCounts counts;
};

// The answer of POST /v1/rooms.
struct RoomCreated {
    std::string room;
    std::string token;
    Agent agent;
    Agent server_agent;
};

// An error's body: a message for people, the stable code, and for lock_conflict the locks.
struct ErrorBody {
    std::string error;
    std::string code;
    std::optional<std::vector<Lock>> conflicts; // absent unless the error carries locks
};

void to_json(nlohmann::json& out, const AgentCard& card);
void from_json(const nlohmann::json& in, AgentCard& card);
void to_json(nlohmann::json& out, const Agent& agent);
void from_json(const nlohmann::json& in, Agent& agent);
void to_json(nlohmann::json& out, const Lock& lock);
void from_json(const nlohmann::json& in, Lock& lock);
void to_json(nlohmann::json& out, const Task& task);
void from_json(const nlohmann::json& in, Task& task);
void to_json(nlohmann::json& out, const EventSignature& signature);
void from_json(const nlohmann::json& in, EventSignature& signature);
void to_json(nlohmann::json& out, const Event& event);
void from_json(const nlohmann::json& in, Event& event);
void to_json(nlohmann::json& out, const Health& health);
void from_json(const nlohmann::json& in, Health& health);
void to_json(nlohmann::json& out, const RoomCounts& counts);
void from_json(const nlohmann::json& in, RoomCounts& counts);
void to_json(nlohmann::json& out, const Room& room);
void from_json(const nlohmann::json& in, Room& room);
void to_json(nlohmann::json& out, const RoomCreated& created);
void from_json(const nlohmann::json& in, RoomCreated& created);
void to_json(nlohmann::json& out, const ErrorBody& body);
void from_json(const nlohmann::json& in, ErrorBody& body);

// The error body in `text`, nothing when it is not a JSON object (a proxy's page, an empty
// body): for reading an HTTP error's details. A JSON object with members of the wrong type
// throws as from_json does.
std::optional<ErrorBody> parse_error_body(const std::string& text);
// The locks the error body `text` lists as its conflicts (a lock_conflict), none when it lists
// none or is not a JSON object.
std::vector<Lock> conflicts_in(const std::string& text);

} // namespace knot::wire
