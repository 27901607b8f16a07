// knot's MCP tools: one a capability, each with its description, its input and output schemas
// (schema.hpp) and its annotations, run as this clone's agent through the same room session the
// CLI opens (it signs with the clone's own key). A refusal of the room (a lock held, a task
// taken) is a tool result with isError naming who holds it, never a JSON-RPC error; arguments
// that break the input schema are RpcError invalid_params.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace knot {
class Session;
}

namespace knot::mcp {

struct Tool {
    std::string name;
    std::string title;
    std::string description;
    nlohmann::json input_schema;
    nlohmann::json output_schema;
    bool read_only = false;
    bool destructive = false;
    bool idempotent = false;
    // The structured result; throws HttpError for a refusal, knot::Error for a failure.
    std::function<nlohmann::json(Session&, const nlohmann::json& arguments)> run;
};

// Every tool, in the order tools/list gives them.
const std::vector<Tool>& tools();

// The tool named `name`, or null.
const Tool* find_tool(const std::string& name);

// The tool as tools/list describes it.
nlohmann::json describe_tool(const Tool& tool);

// Runs `tool` with `arguments` in `session`: the CallToolResult (structuredContent and the same
// JSON as text; isError with the reason as text for a refusal or a failure). Throws RpcError
// invalid_params when the arguments break the input schema or name a path outside the clone.
nlohmann::json call_tool(const Tool& tool, Session& session, const nlohmann::json& arguments);

} // namespace knot::mcp
