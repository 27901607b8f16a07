// git knot lock: lock repository paths for this agent, all or none.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> typed;
    std::string intent;
    bool force = false;
    bool json = false;
    app.add_option("paths", typed, "Paths to lock, relative to the current directory")->required();
    app.add_option("--intent,-m", intent, "What you are doing with them (shown on conflicts)")
        ->option_text("text");
    app.add_flag("--force", force, "Break other agents' locks first (room owner only)");
    app.add_flag("--json", json, "Print the granted locks as JSON");
    if (!parse_args(app, args))
        return 0;
    const auto paths = repo_paths(typed);
    Session session({.outbox = OutboxOnOpen::deliver});
    nlohmann::json body = {{"paths", paths}, {"force", force}};
    if (!intent.empty())
        body["intent"] = intent;
    nlohmann::json answer;
    try {
        answer = session.client().post("/locks", body);
    } catch (const HttpError& e) {
        rethrow_with_conflicts(e);
    }
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    const auto now = unix_now();
    for (const auto& lock : wire::FieldReader(answer, "locks answer").objects<wire::Lock>("locks"))
        std::cout << "locked  " << lock.path << "  fencing " << lock.fencing << "  expires "
                  << relative_time(lock.expires_at, now) << '\n';
    return 0;
}

const Registration registration{
    {"lock", "Lock repository paths (a lease, renewed by activity)", run}};

} // namespace

} // namespace knot::cli
