// What the tool files share: the output shapes of the room's objects, paths and task ids checked
// as the room takes them, and running the porcelain for the tools that do what it does.
#pragma once

#include "mcp/tools.hpp"

#include "libknot/client/session.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace knot::mcp {

// The schemas of a lock, a task and an event as the server sends them (docs/protocol.md), with
// the members a client relies on required.
nlohmann::json lock_shape();
nlohmann::json task_shape();
nlohmann::json event_shape();
// An object whose `member` is an array of `item`, with `extra` members beside it.
nlohmann::json list_of(const std::string& member, nlohmann::json item,
                       nlohmann::json extra = nlohmann::json::object());

// `answer` with only those items of its array `member` that `keep` accepts (the room's answer
// narrowed: this agent's locks, the tasks not done, the chat among the events).
nlohmann::json keep_only(nlohmann::json answer, const char* member,
                         const std::function<bool(const nlohmann::json&)>& keep);

// `typed` (an array of strings) as the room names paths: relative to the top of the work tree,
// normalised. Throws RpcError invalid_params for a path outside the clone.
std::vector<std::string> repo_paths_of(const Session& session, const nlohmann::json& typed);

// "/tasks/<id>/<action>" for the "id" argument. Throws RpcError invalid_params unless it is a
// task id ("t" and a number).
std::string task_target(const nlohmann::json& arguments, const std::string& action);

// Runs `git knot <args> --json` in the clone and returns the JSON object it printed: the tools
// that do what the porcelain does around the room (git, the checks, a worktree) run the porcelain
// itself. Throws knot::Error with what it said when it fails.
nlohmann::json porcelain(const Session& session, std::vector<std::string> args);

// The tools of the room's coordination (tools_room.cpp), of the porcelain (tools_porcelain.cpp),
// and of reviews and patches (tools_review.cpp), appended to `tools`.
void add_room_tools(std::vector<Tool>& tools);
void add_porcelain_tools(std::vector<Tool>& tools);
void add_review_and_patch_tools(std::vector<Tool>& tools);

} // namespace knot::mcp
