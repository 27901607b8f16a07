// The MCP session's methods (see server.hpp).
#include "mcp/server.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/live.hpp"
#include "mcp/resources.hpp"
#include "mcp/tools.hpp"

#include <iostream>
#include <set>

namespace knot::mcp {

using nlohmann::json;

const std::string_view k_instructions =
    "knot coordinates several coding agents in one git repository. Before you edit a file, "
    "lock it (knot_lock, or knot_doing with files and a few words of what you do); a lock "
    "another agent holds is an error naming it: pick other work or ask (knot_say). Take work "
    "with knot_tasks and knot_claim; finish with knot_done. Share commits with knot_sync, "
    "which integrates them once the checks pass.\n\n"
    "More: knot_status shows who is online and what each is doing; knot_events reads the "
    "room's log since a sequence number (chat, locks, tasks, pushes, integration runs); "
    "knot_check runs the room's checks on your HEAD before you sync, or reads past runs; "
    "knot_unlock releases locks you no longer need (a commit's hook locks what you commit); "
    "knot_undo moves the integration back; knot_reviews and knot_review_verdict read and answer "
    "peer reviews; knot_share, knot_submit, knot_patches, knot_patch_verdict, knot_apply and "
    "knot_merge are the signed patch exchange. The resources knot://room, knot://locks, "
    "knot://tasks, knot://integration and knot://events are the room's live state.";

McpServer::McpServer(Session& session, LiveRoom* live)
    : m_session(session)
    , m_live(live) {}

std::optional<json> McpServer::handle_text(std::string_view text) {
    Message message;
    try {
        message = parse_message(text);
    } catch (const RpcError& e) {
        return error_message(e.id(), e.code(), e.what());
    }
    if (message.kind != Message::Kind::request) {
        // Notifications ask for nothing back, and this server sends no request whose response
        // it would wait for. Once the client is initialized, the room's events may flow.
        if (message.kind == Message::Kind::notification &&
            message.method == "notifications/initialized" && m_live) {
            try {
                m_live->start();
            } catch (const std::exception& e) {
                std::cerr << "git knot mcp: cannot follow the room's events: " << e.what() << '\n';
            }
        }
        return std::nullopt;
    }
    try {
        return result_message(message.id, dispatch(message.method, message.params));
    } catch (const RpcError& e) {
        return error_message(message.id, e.code(), e.what());
    } catch (const std::exception& e) {
        return error_message(message.id, internal_error, e.what());
    }
}

json McpServer::dispatch(const std::string& method, const json& params) {
    if (method == "initialize")
        return initialize(params);
    if (method == "ping")
        return json::object();
    if (method == "tools/list") {
        json list = json::array();
        for (const auto& tool : tools())
            list.push_back(describe_tool(tool));
        return {{"tools", list}};
    }
    if (method == "tools/call") {
        const auto name = params.find("name");
        if (name == params.end() || !name->is_string())
            throw RpcError(invalid_params, "tools/call needs the tool's \"name\"");
        const Tool* tool = find_tool(name->get<std::string>());
        if (!tool)
            throw RpcError(invalid_params, "unknown tool \"" + name->get<std::string>() +
                                               "\"; tools/list names them");
        const auto arguments = params.find("arguments");
        if (arguments != params.end() && !arguments->is_object())
            throw RpcError(invalid_params, "\"arguments\" must be an object");
        return call_tool(*tool, m_session, arguments == params.end() ? json::object() : *arguments);
    }
    if (method == "resources/list")
        return {{"resources", list_resources()}};
    if (method == "resources/templates/list")
        return {{"resourceTemplates", json::array()}};
    if (method == "resources/read") {
        const auto uri = params.find("uri");
        if (uri == params.end() || !uri->is_string())
            throw RpcError(invalid_params, "resources/read needs the resource's \"uri\"");
        return {{"contents", json::array({read_resource(m_session, uri->get<std::string>())})}};
    }
    if (method == "resources/subscribe" || method == "resources/unsubscribe") {
        const auto uri = params.find("uri");
        if (uri == params.end() || !uri->is_string())
            throw RpcError(invalid_params, method + " needs the resource's \"uri\"");
        if (!is_resource(uri->get<std::string>()))
            throw RpcError(k_resource_not_found, "no resource " + uri->get<std::string>() +
                                                     "; resources/list names them");
        if (!m_live)
            throw RpcError(method_not_found, "this session has no subscriptions");
        if (method == "resources/subscribe")
            m_live->subscribe(uri->get<std::string>());
        else
            m_live->unsubscribe(uri->get<std::string>());
        return json::object();
    }
    if (method == "logging/setLevel") {
        const auto level = params.find("level");
        static const std::set<std::string> levels = {"debug", "info",     "notice", "warning",
                                                     "error", "critical", "alert",  "emergency"};
        if (level == params.end() || !level->is_string() || !levels.count(*level))
            throw RpcError(invalid_params, "logging/setLevel needs a \"level\" of RFC 5424");
        if (m_live)
            m_live->set_log_level(level->get<std::string>());
        return json::object();
    }
    throw RpcError(method_not_found, "no method \"" + method + "\" here");
}

json McpServer::initialize(const json& params) {
    const auto asked = params.find("protocolVersion");
    if (asked == params.end() || !asked->is_string())
        throw RpcError(invalid_params, "initialize needs a \"protocolVersion\"");
    m_version = std::string(k_protocol_versions[0]);
    for (const auto version : k_protocol_versions)
        if (*asked == version)
            m_version = std::string(version);
    return {{"protocolVersion", m_version},
            {"capabilities",
             {{"tools", {{"listChanged", false}}},
              {"resources", {{"subscribe", m_live != nullptr}, {"listChanged", false}}},
              {"logging", json::object()}}},
            {"serverInfo", {{"name", "knot"}, {"title", "knot"}, {"version", KNOT_VERSION}}},
            {"instructions", std::string(k_instructions)}};
}

} // namespace knot::mcp
