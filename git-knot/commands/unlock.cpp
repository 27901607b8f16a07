// git knot unlock: release locks this agent holds (the room owner may --force others').
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

int cmd_unlock(const std::vector<std::string>& args) {
    CLI::App app{"Release locks you hold (owners may --force)", "unlock"};
    std::vector<std::string> typed;
    bool force = false;
    app.add_option("paths", typed, "Paths to release, relative to the current directory")
        ->required();
    app.add_flag("--force", force, "Break another agent's lock (room owner only; recorded)");
    if (!parse_args(app, args))
        return 0;
    const auto paths = repo_paths(typed);
    Session session;
    session.deliver_outbox();
    nlohmann::json answer;
    try {
        answer = session.client().post("/locks/release", {{"paths", paths}, {"force", force}});
    } catch (const HttpError& e) {
        if (e.code() == "unknown_lock" || e.code() == "not_holder" || e.code() == "not_owner")
            throw Refused(std::string(e.what()) + "; nothing was released");
        throw;
    }
    for (const auto& path : answer.at("released"))
        std::cout << "unlocked  " << path.get<std::string>() << '\n';
    return 0;
}

} // namespace knot::cli
