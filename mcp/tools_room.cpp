// The tools of the room's coordination: status, who this agent is, locks, tasks, what it is
// doing, chat and the log, each one request of the room (see tools.hpp).
#include "libknot/base/file.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/repo_path.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/schema.hpp"
#include "mcp/tool_support.hpp"

#include <cstdint>

namespace knot::mcp {
namespace {

using nlohmann::json;
namespace s = schema;

const json k_id = s::text(2, 21, "A task id, such as t3");

} // namespace

void add_room_tools(std::vector<Tool>& t) {
    t.push_back({"knot_status", "Room status",
                 "The room this clone has joined: its members (online or not, what each is "
                 "doing), and how many tasks and locks are live. Read-only.",
                 s::object({}, {}, true),
                 s::object({{"room", s::of_type("string")},
                            {"name", s::of_type("string")},
                            {"last_seq", s::of_type("integer")},
                            {"agents", s::array_of(s::of_type("object"))},
                            {"counts", s::of_type("object")}},
                           {"room", "agents", "counts"}, false),
                 true, false, true,
                 [](Session& session, const json&) { return session.client().get(""); }});
    t.push_back({"knot_whoami", "Who this agent is",
                 "This clone's agent: its id, name, key fingerprint, and the room and server it "
                 "works in. Read-only; asks nothing of the server.",
                 s::object({}, {}, true),
                 s::object({{"agent", s::of_type("string")},
                            {"name", s::of_type("string")},
                            {"fingerprint", s::of_type("string")},
                            {"room", s::of_type("string")},
                            {"server", s::of_type("string")}},
                           {"agent", "room", "server"}, false),
                 true, false, true, [](Session& session, const json&) {
                     return json{{"agent", session.room().agent_id},
                                 {"name", session.agent_name()},
                                 {"fingerprint", session.identity().fingerprint()},
                                 {"room", session.room().room},
                                 {"server", session.room().server}};
                 }});
    t.push_back({"knot_locks", "List file locks",
                 "The room's live file locks: path, holder, intent and when the lease ends. "
                 "Set mine to list only this agent's. Read-only.",
                 s::object({{"mine", s::flag("Only the locks this agent holds")}}, {}, true),
                 list_of("locks", lock_shape()), true, false, true,
                 [](Session& session, const json& arguments) {
                     json answer = session.client().get("/locks");
                     if (!arguments.value("mine", false))
                         return answer;
                     const std::string self = session.room().agent_id;
                     return keep_only(std::move(answer), "locks", [&](const json& lock) {
                         return lock.value("agent", "") == self;
                     });
                 }});
    t.push_back(
        {"knot_lock", "Lock files",
         "Locks repository paths (relative to the top of the work tree) for this agent, "
         "all or none, with an optional intent others see. Locking a path already held "
         "renews it. When another agent holds one, nothing is locked and the result is an "
         "error naming the holder, its intent and when its lease ends.",
         s::object({{"paths", s::texts(1, k_max_paths_per_request, "Repository paths")},
                    {"intent", s::text(0, 200, "What you are doing with them")},
                    {"force", s::flag("Break other agents' locks first (room owner only)")}},
                   {"paths"}, true),
         list_of("locks", lock_shape()), false, false, true,
         [](Session& session, const json& arguments) {
             json body = {{"paths", repo_paths_of(session, arguments.at("paths"))},
                          {"force", arguments.value("force", false)}};
             if (!arguments.value("intent", "").empty())
                 body["intent"] = arguments["intent"];
             return session.client().post("/locks", body);
         }});
    t.push_back({"knot_unlock", "Release file locks",
                 "Releases locks this agent holds on repository paths, all or none. The room's "
                 "owner may force the release of another agent's lock (recorded in the log).",
                 s::object({{"paths", s::texts(1, k_max_paths_per_request, "Repository paths")},
                            {"force", s::flag("Break another agent's lock (room owner only)")}},
                           {"paths"}, true),
                 list_of("released", s::of_type("string")), false, true, false,
                 [](Session& session, const json& arguments) {
                     return session.client().post(
                         "/locks/release",
                         {{"paths", repo_paths_of(session, arguments.at("paths"))},
                          {"force", arguments.value("force", false)}});
                 }});
    t.push_back({"knot_tasks", "List tasks",
                 "The room's tasks, open and claimed (all: done ones too), with who claimed each. "
                 "Read-only.",
                 s::object({{"all", s::flag("Include finished tasks")}}, {}, true),
                 list_of("tasks", task_shape()), true, false, true,
                 [](Session& session, const json& arguments) {
                     json answer = session.client().get("/tasks");
                     if (arguments.value("all", false))
                         return answer;
                     return keep_only(std::move(answer), "tasks", [](const json& task) {
                         return task.value("status", "") != "done";
                     });
                 }});
    t.push_back(
        {"knot_plan", "Add tasks",
         "Adds tasks to the room, one per title, under an optional goal. Any member may then "
         "claim one. With one title, files names the repository paths that task will touch: "
         "claiming it warns of others' locks and tasks on them.",
         s::object({{"titles", s::texts(1, 100, "One title (1 to 200 characters) a task")},
                    {"goal", s::text(0, 200, "What the tasks are for")},
                    {"files", s::texts(0, 100, "With one title: the files its task will touch")}},
                   {"titles"}, true),
         list_of("tasks", task_shape()), false, false, false,
         [](Session& session, const json& arguments) {
             json body = {{"titles", arguments.at("titles")}};
             if (arguments.contains("files") && !arguments["files"].empty()) {
                 if (arguments["titles"].size() != 1)
                     throw RpcError(invalid_params, "\"files\" go with exactly one title");
                 body = {{"tasks",
                          {{{"title", arguments["titles"][0]},
                            {"files", repo_paths_of(session, arguments["files"])}}}}};
             }
             if (!arguments.value("goal", "").empty())
                 body["goal"] = arguments["goal"];
             return session.client().post("/tasks", body);
         }});
    t.push_back(
        {"knot_claim", "Claim a task",
         "Claims a task for this agent: exactly one of any number of racing claims wins. "
         "A task another agent holds, or one done, is an error naming it. With worktree, "
         "also creates a git worktree on branch knot/<id> for it (as git knot claim does) "
         "and gives its path.",
         s::object({{"id", k_id}, {"worktree", s::flag("Also create a worktree for the task")}},
                   {"id"}, true),
         s::object({{"task", task_shape()}}, {"task"}, false), false, false, true,
         [](Session& session, const json& arguments) {
             if (arguments.value("worktree", false)) {
                 task_target(arguments, "claim"); // the id checked first
                 return porcelain(session, {"claim", arguments["id"].get<std::string>()});
             }
             return session.client().post(task_target(arguments, "claim"), json::object());
         }});
    t.push_back({"knot_done", "Finish a task",
                 "Marks a task this agent claimed as done. A task another agent claimed, or one "
                 "already done, is an error saying so.",
                 s::object({{"id", k_id}}, {"id"}, true),
                 s::object({{"task", task_shape()}}, {"task"}, false), false, false, false,
                 [](Session& session, const json& arguments) {
                     return session.client().post(task_target(arguments, "done"), json::object());
                 }});
    t.push_back({"knot_release", "Give a task back",
                 "Gives a task this agent claimed back to the room (open again). The owner may "
                 "force it for another agent's claim.",
                 s::object({{"id", k_id}, {"force", s::flag("Release another agent's claim")}},
                           {"id"}, true),
                 s::object({{"task", task_shape()}}, {"task"}, false), false, true, false,
                 [](Session& session, const json& arguments) {
                     return session.client().post(task_target(arguments, "release"),
                                                  {{"force", arguments.value("force", false)}});
                 }});
    t.push_back(
        {"knot_doing", "Say what you are doing",
         "Sets this agent's status, which every member sees, and locks the files named "
         "for it with the status as their intent, all or none (a conflict is an error "
         "naming the holder, and the status is not changed). The commit hook gives later "
         "locks the same intent.",
         s::object({{"status", s::text(0, 200, "What you are doing, in a few words")},
                    {"files", s::texts(0, k_max_paths_per_request, "Files to lock")}},
                   {"status"}, true),
         s::object({{"status", s::of_type("string")}, {"locks", s::array_of(lock_shape())}},
                   {"status", "locks"}, false),
         false, false, true, [](Session& session, const json& arguments) {
             const std::string status = arguments.at("status").get<std::string>();
             const auto files = arguments.contains("files")
                                    ? repo_paths_of(session, arguments["files"])
                                    : std::vector<std::string>{};
             json answer = session.client().post("/doing", {{"status", status}, {"files", files}});
             write_file_atomic(session.state_dir() / "intent", status + "\n", 0600);
             return answer;
         }});
    t.push_back({"knot_say", "Send a message",
                 "Sends one chat message to the room; every member and the dashboard see it.",
                 s::object({{"text", s::text(1, 4000, "The message")}}, {"text"}, true),
                 s::object({{"event", event_shape()}}, {"event"}, false), false, false, false,
                 [](Session& session, const json& arguments) {
                     return session.client().post("/messages", {{"text", arguments.at("text")}});
                 }});
    t.push_back(
        {"knot_events", "Read the room's log",
         "The room's events after a sequence number, oldest first: chat messages, locks "
         "taken and released, tasks, pushes and integration results. Pass the last seq "
         "you saw as since to read only what is new; chat_only keeps the messages. "
         "Read-only.",
         s::object({{"since", s::integer(0, s::k_max_safe_integer, "Only events after this seq")},
                    {"limit", s::integer(1, 1000, "At most this many (default 1000)")},
                    {"chat_only", s::flag("Only chat messages")}},
                   {}, true),
         list_of("events", event_shape(), {{"last_seq", s::of_type("integer")}}), true, false, true,
         [](Session& session, const json& arguments) {
             json answer = session.client().get(
                 "/events?since=" + std::to_string(arguments.value("since", 0LL)) +
                 "&limit=" + std::to_string(arguments.value("limit", 1000LL)));
             if (!arguments.value("chat_only", false))
                 return answer;
             return keep_only(std::move(answer), "events", [](const json& event) {
                 return event.value("type", "") == "chat.message";
             });
         }});
}

} // namespace knot::mcp
