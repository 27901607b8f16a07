// git knot release: give a claimed task back to the board.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

int cmd_release(const std::vector<std::string>& args) {
    CLI::App app{"Give a claimed task back to the board", "release"};
    std::string id;
    bool force = false;
    app.add_option("id", id, "The task id (t3)")->required();
    app.add_flag("--force", force, "Release another agent's claim (room owner only)");
    if (!parse_args(app, args))
        return 0;
    Session session;
    session.deliver_outbox();
    try {
        session.client().post("/tasks/" + id + "/release", {{"force", force}});
    } catch (const HttpError& e) {
        if (e.status() == 403 || e.status() == 404 || e.status() == 409)
            throw Refused(e.what());
        throw;
    }
    std::cout << "released " << id << "; it is open again\n";
    return 0;
}

} // namespace knot::cli
