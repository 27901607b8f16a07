// What the tool files share (see tool_support.hpp).
#include "mcp/tool_support.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/repo_path.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/schema.hpp"

namespace knot::mcp {

using nlohmann::json;
namespace s = schema;

// The output shapes: the server's objects (docs/protocol.md), the members a client relies on.
nlohmann::json lock_shape() {
    return s::object({{"path", s::of_type("string")},
                      {"agent", s::of_type("string")},
                      {"agent_name", s::of_type("string")},
                      {"intent", s::of_type("string")},
                      {"fencing", s::of_type("integer")},
                      {"acquired_at", s::of_type("integer")},
                      {"expires_at", s::of_type("integer")}},
                     {"path", "agent", "expires_at"}, false);
}

json task_shape() {
    return s::object({{"id", s::of_type("string")},
                      {"title", s::of_type("string")},
                      {"goal", s::of_type("string")},
                      {"status", s::of_type("string")},
                      {"claimed_by", s::of_type("string", true)},
                      {"claimed_by_name", s::of_type("string", true)},
                      {"files", s::array_of(s::of_type("string"))}},
                     {"id", "title", "status"}, false);
}

json event_shape() {
    return s::object({{"seq", s::of_type("integer")},
                      {"type", s::of_type("string")},
                      {"agent", s::of_type("string")},
                      {"time", s::of_type("integer")},
                      {"data", s::of_type("object")}},
                     {"seq", "type", "agent", "time"}, false);
}

json list_of(const std::string& member, json item, json extra) {
    json members = std::move(extra);
    members[member] = s::array_of(std::move(item));
    return s::object(std::move(members), {member}, false);
}

std::vector<std::string> repo_paths_of(const Session& session, const json& typed) {
    const auto workdir = session.clone().repo().workdir();
    try {
        return normalise_repo_paths(typed.get<std::vector<std::string>>(), workdir, workdir);
    } catch (const Error& e) {
        throw RpcError(invalid_params, e.what());
    }
}

std::string task_target(const json& arguments, const std::string& action) {
    const std::string id = arguments.at("id").get<std::string>();
    if (id.size() < 2 || id[0] != 't' || id.find_first_not_of("0123456789", 1) != std::string::npos)
        throw RpcError(invalid_params, "\"id\" must be a task id such as t3");
    return "/tasks/" + id + "/" + action;
}

json porcelain(const Session& session, std::vector<std::string> args) {
    args.insert(args.begin(), "knot");
    args.push_back("--json");
    const GitResult result = run_git(args, session.clone().repo().workdir());
    if (result.status != 0)
        throw Error(chomp(result.err.empty() ? result.out : result.err));
    const json printed = json::parse(result.out, nullptr, false);
    if (!printed.is_object())
        throw Error("git knot " + args[1] + " printed no JSON object");
    return printed;
}

json keep_only(json answer, const char* member, const std::function<bool(const json&)>& keep) {
    json kept = json::array();
    for (const auto& item : answer.value(member, json::array()))
        if (keep(item))
            kept.push_back(item);
    answer[member] = std::move(kept);
    return answer;
}

} // namespace knot::mcp
