// git knot release: give a claimed task back to the board.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string id;
    bool force = false;
    app.add_option("id", id, "The task id (t3)")->required();
    app.add_flag("--force", force, "Release another agent's claim (room owner only)");
    if (!parse_args(app, args))
        return 0;
    Session session({.outbox = OutboxOnOpen::deliver});
    session.client().post("/tasks/" + id + "/release", {{"force", force}});
    std::cout << "released " << id << "; it is open again\n";
    return 0;
}

const Registration registration{{"release", "Give a claimed task back to the board", run}};

} // namespace

} // namespace knot::cli
