// The MCP server, whatever carries its messages (stdio.hpp): initialize and its instructions,
// ping, the tools (tools.hpp) and the room's state as resources (resources.hpp). One object
// serves one MCP session as this clone's agent.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace knot {
class Session;
}

namespace knot::mcp {

// The protocol versions this server speaks, newest first; an initialize naming another gets the
// newest.
inline constexpr std::string_view k_protocol_versions[] = {"2025-11-25", "2025-06-18",
                                                           "2025-03-26"};

// What initialize tells an agent of the flow; its first 512 characters stand alone (some
// clients show no more).
extern const std::string_view k_instructions;

class LiveRoom;

class McpServer {
public:
    // Serves as `session`'s agent; `live` (may be null: no subscriptions) follows the room once
    // the client says it is initialized. Both must outlive the server.
    McpServer(Session& session, LiveRoom* live);

    // The answer to one message as received (a line of stdio, a POST's body), or nothing for a
    // notification or a response. A message that cannot be read is answered with its JSON-RPC
    // error; nothing here throws for what a client sends.
    std::optional<nlohmann::json> handle_text(std::string_view text);

    // The protocol version initialize agreed on, "" before.
    const std::string& protocol_version() const { return m_version; }

private:
    nlohmann::json dispatch(const std::string& method, const nlohmann::json& params);
    nlohmann::json initialize(const nlohmann::json& params);

    Session& m_session;
    LiveRoom* m_live;
    std::string m_version;
};

} // namespace knot::mcp
