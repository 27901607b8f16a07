// git knot doing: announce what this agent is doing and lock its files, all or none.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string status;
    std::vector<std::string> typed;
    bool json = false;
    app.add_option("status", status, "What you are doing, in a few words")->required();
    app.add_option("--files", typed, "Files to lock for it (all or none)")->option_text("path");
    app.add_flag("--json", json, "Print JSON");
    if (!parse_args(app, args))
        return 0;
    const auto paths = typed.empty() ? std::vector<std::string>{} : repo_paths(typed);
    Session session({.outbox = OutboxOnOpen::deliver});
    nlohmann::json answer;
    try {
        answer = session.client().post("/doing", {{"status", status}, {"files", paths}});
    } catch (const HttpError& e) {
        rethrow_with_conflicts(e);
    }
    // The hooks lock staged files with this intent until the next `doing`.
    write_file_atomic(session.state_dir() / "intent", status + "\n", 0600);
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    std::cout << "doing: " << status << '\n';
    for (const auto& lock : wire::FieldReader(answer, "doing answer").objects<wire::Lock>("locks"))
        std::cout << "  locked " << lock.path << " #" << lock.fencing << '\n';
    return 0;
}

const Registration registration{
    {"doing", "Announce what you are doing and lock its files, all or none", run}};

} // namespace

} // namespace knot::cli
