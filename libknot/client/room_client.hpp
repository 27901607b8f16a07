// The client side of the protocol (docs/protocol.md): reads with the invite token, writes
// signed with the agent's key, error bodies turned into knot::HttpError.
#pragma once

#include "libknot/client/http_client.hpp"
#include "libknot/protocol/wire.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace knot {

class Identity;

class RoomClient {
public:
    // `identity` may be null for a client that only reads; it must outlive the client.
    RoomClient(const std::string& base_url, std::string room, std::string token,
               const Identity* identity, std::string agent_id);

    // GET /v1/health: throws knot::UnreachableError when nothing answers.
    nlohmann::json health();
    // A GET of `target` under /v1/rooms/<room> ("" for the room itself).
    nlohmann::json get(const std::string& target);
    // A signed POST of `body` to `target` under /v1/rooms/<room>.
    nlohmann::json post(const std::string& target, const nlohmann::json& body);

    // Registers (or re-registers) this clone's agent with a signed card (its public_key is the
    // identity's, whatever `card` says); returns the agent.
    wire::Agent register_agent(wire::AgentCard card);

    // Creates a room with the server's admin token, the owner's card signed by `identity` (its
    // public_key is the identity's). Returns the server's answer.
    static wire::RoomCreated create_room(const std::string& base_url,
                                         const std::string& admin_token, const Identity& identity,
                                         const std::string& room_name, wire::AgentCard owner);

    const std::string& room() const { return m_room; }
    const std::string& token() const { return m_token; }
    HttpClient& http() { return m_http; }

private:
    nlohmann::json send(const std::string& method, const std::string& target,
                        const std::string& body, bool signed_request, bool with_agent);

    HttpClient m_http;
    std::string m_room;
    std::string m_token;
    const Identity* m_identity;
    std::string m_agent_id;
};

// Whether a registration takes the card's name or nothing (exact), or may number it when another
// agent has it (first_free: the name was a default, not one the user chose).
enum class NameChoice { exact, first_free };

// Registers `card` as RoomClient::register_agent does. With NameChoice::first_free, when another
// agent holds or held the card's name (a second clone of the same person), registers as the
// first free numbered_agent_name of it instead: "ana-2", "ana-3" ..., skipping the room's current
// names without asking, at most 100 tried. Returns the agent; its "name" is the name it got.
// A taken name with NameChoice::exact, or no free one, is the server's 409 name_taken.
wire::Agent register_agent_named(RoomClient& client, wire::AgentCard card, NameChoice choice);

// Turns a response into its JSON body, or throws knot::HttpError with the server's message.
nlohmann::json json_or_throw(const HttpResponse& response);

} // namespace knot
