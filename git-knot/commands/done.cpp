// git knot done: mark a task this agent claimed as done.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string id;
    app.add_option("id", id, "The task id (t3)")->required();
    if (!parse_args(app, args))
        return 0;
    Session session({.outbox = OutboxOnOpen::deliver});
    const auto answer = session.client().post("/tasks/" + id + "/done", nlohmann::json::object());
    std::cout << "done " << id << ": "
              << wire::FieldReader(answer, "task answer").object<wire::Task>("task").title << '\n';
    return 0;
}

const Registration registration{{"done", "Mark a claimed task done", run}};

} // namespace

} // namespace knot::cli
