// git knot done: mark a task this agent claimed as done.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

int cmd_done(const std::vector<std::string>& args) {
    CLI::App app{"Mark a claimed task done", "done"};
    std::string id;
    app.add_option("id", id, "The task id (t3)")->required();
    if (!parse_args(app, args))
        return 0;
    Session session;
    session.deliver_outbox();
    try {
        const auto answer =
            session.client().post("/tasks/" + id + "/done", nlohmann::json::object());
        std::cout << "done " << id << ": " << json_text(answer.at("task"), "title") << '\n';
    } catch (const HttpError& e) {
        if (e.status() == 403 || e.status() == 404 || e.status() == 409)
            throw Refused(e.what());
        throw;
    }
    return 0;
}

} // namespace knot::cli
