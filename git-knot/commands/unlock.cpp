// git knot unlock: release locks this agent holds (the room owner may --force others').
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"
#include "server_errors.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> typed;
    bool force = false;
    app.add_option("paths", typed, "Paths to release, relative to the current directory")
        ->required();
    app.add_flag("--force", force, "Break another agent's lock (room owner only; recorded)");
    if (!parse_args(app, args))
        return 0;
    const auto paths = repo_paths(typed);
    Session session({.outbox = OutboxOnOpen::deliver});
    nlohmann::json answer;
    try {
        answer = session.client().post("/locks/release", {{"paths", paths}, {"force", force}});
    } catch (const HttpError& e) {
        rethrow_refusal(e, "; nothing was released");
    }
    for (const auto& path : wire::FieldReader(answer, "release answer").texts("released"))
        std::cout << "unlocked  " << path << '\n';
    return 0;
}

const Registration registration{{"unlock", "Release locks you hold (owners may --force)", run}};

} // namespace

} // namespace knot::cli
