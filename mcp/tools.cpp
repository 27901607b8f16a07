// The MCP tools' table and running one (see tools.hpp); the tools themselves are in
// tools_room.cpp and tools_porcelain.cpp.
#include "mcp/tools.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/repo_path.hpp"
#include "libknot/protocol/wire.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/schema.hpp"
#include "mcp/tool_support.hpp"

#include <string>

namespace knot::mcp {
namespace {

using nlohmann::json;

// A refusal for the agent to read: the server's words, and for a lock conflict each lock in
// the way, with its holder, intent and lease.
std::string refusal_text(const HttpError& e) {
    std::string text = e.what();
    for (const auto& lock : wire::conflicts_in(e.body())) {
        text += "\n" + printable_path(lock.path) + " is locked by " + lock.agent_name + " (" +
                lock.agent + ")";
        if (!lock.intent.empty())
            text += ", intent \"" + lock.intent + "\"";
        text += ", lease ends at " + std::to_string(lock.expires_at) + " (Unix time)";
    }
    return text;
}

json error_result(const std::string& text) {
    return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", true}};
}

} // namespace

const std::vector<Tool>& tools() {
    static const std::vector<Tool> all = [] {
        std::vector<Tool> list;
        add_room_tools(list);
        add_porcelain_tools(list);
        add_review_and_patch_tools(list);
        return list;
    }();
    return all;
}

const Tool* find_tool(const std::string& name) {
    for (const auto& tool : tools())
        if (tool.name == name)
            return &tool;
    return nullptr;
}

json describe_tool(const Tool& tool) {
    return {{"name", tool.name},
            {"title", tool.title},
            {"description", tool.description},
            {"inputSchema", tool.input_schema},
            {"outputSchema", tool.output_schema},
            {"annotations",
             {{"title", tool.title},
              {"readOnlyHint", tool.read_only},
              {"destructiveHint", tool.destructive},
              {"idempotentHint", tool.idempotent},
              {"openWorldHint", false}}}};
}

json call_tool(const Tool& tool, Session& session, const json& arguments) {
    if (auto wrong = schema::violation(tool.input_schema, arguments))
        throw RpcError(invalid_params, tool.name + ": " + *wrong);
    try {
        json structured = tool.run(session, arguments);
        if (!structured.is_object())
            structured = json{{"result", std::move(structured)}};
        return {{"content", json::array({{{"type", "text"}, {"text", structured.dump()}}})},
                {"structuredContent", structured},
                {"isError", false}};
    } catch (const RpcError&) {
        throw;
    } catch (const HttpError& e) {
        return error_result(refusal_text(e));
    } catch (const std::exception& e) {
        return error_result(e.what());
    }
}

} // namespace knot::mcp
