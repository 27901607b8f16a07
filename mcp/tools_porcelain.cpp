// The tools that do what the porcelain does around the room, by running it (`git knot <command>
// --json` in the clone): sync moves commits with git, check runs the integration checks, undo
// moves the integration back (see tools.hpp).
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "libknot/git/git_command.hpp"
#include "mcp/schema.hpp"
#include "mcp/tool_support.hpp"

#include <string>

namespace knot::mcp {

using nlohmann::json;
namespace s = schema;

void add_porcelain_tools(std::vector<Tool>& t) {
    t.push_back(
        {"knot_sync", "Push and pull through the room",
         "Sends this clone's branch to the room (the integration agent merges it onto "
         "refs/knot/integration once the checks pass) and brings the room's integration "
         "and teammates' branches back, as git knot sync does; direction push or pull does "
         "one half. The result says what moved and the last integration run.",
         s::object({{"direction", s::choice({"both", "push", "pull"}, "Default both")}}, {}, true),
         s::object({}, {}, false), false, false, true, [](Session& session, const json& arguments) {
             std::vector<std::string> args = {"sync"};
             const std::string direction = arguments.value("direction", "both");
             if (direction == "push")
                 args.push_back("--push-only");
             else if (direction == "pull")
                 args.push_back("--pull-only");
             return porcelain(session, args);
         }});
    t.push_back(
        {"knot_check", "Run or read the integration checks",
         "Without arguments, runs the room's checks (knot.check) on HEAD merged onto the "
         "integration, as the integration agent will, and reports each check. With "
         "history, the last integration runs instead; with log, the output of one run. "
         "history and log only read.",
         s::object(
             {{"history", s::flag("List the last integration runs")},
              {"count", s::integer(1, 100, "With history: how many (default 10)")},
              {"log", s::integer(1, s::k_max_safe_integer, "The run whose check output to read")}},
             {}, true),
         s::object({}, {}, false), false, false, false,
         [](Session& session, const json& arguments) {
             std::vector<std::string> args = {"check"};
             if (arguments.contains("log")) {
                 // A run's log is text as the checks printed it; it has no JSON form.
                 const auto run = arguments["log"].get<std::int64_t>();
                 const GitResult printed = run_git({"knot", "check", "--log", std::to_string(run)},
                                                   session.clone().repo().workdir());
                 if (printed.status != 0)
                     throw Error(chomp(printed.err.empty() ? printed.out : printed.err));
                 return json{{"run", run}, {"log", printed.out}};
             }
             if (arguments.value("history", false)) {
                 args.push_back("--history");
                 args.push_back("-n");
                 args.push_back(std::to_string(arguments.value("count", 10)));
             }
             return porcelain(session, args);
         }});
    t.push_back({"knot_undo", "Undo the last integration",
                 "Moves refs/knot/integration back to where it was before the last integration "
                 "run that moved it, as git knot undo does (any member may; it is signed and "
                 "logged as integration.undone). Teammates' next sync brings the change.",
                 s::object({}, {}, true), s::object({}, {}, false), false, true, false,
                 [](Session& session, const json&) { return porcelain(session, {"undo"}); }});
}

} // namespace knot::mcp
