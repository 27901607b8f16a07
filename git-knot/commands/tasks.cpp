// git knot tasks: the room's task board.
#include "command.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    bool all = false;
    app.add_flag("--json", json, "Print JSON");
    app.add_flag("--all", all, "Include finished tasks");
    if (!parse_args(app, args))
        return 0;
    Session session;
    const nlohmann::json answer = session.client().get("/tasks");
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    int shown = 0;
    for (const auto& task :
         wire::FieldReader(answer, "tasks answer").objects<wire::Task>("tasks")) {
        if (task.status == "done" && !all)
            continue;
        std::string id = task.id;
        std::string state = task.status;
        id.resize(std::max<std::size_t>(id.size(), 5), ' ');
        state.resize(8, ' ');
        std::cout << id << ' ' << state << ' ' << task.title;
        const std::string claimer = task.claimed_by_name.value_or("");
        if (task.status != "open" && !claimer.empty())
            std::cout << "  (" << claimer << ")";
        std::cout << '\n';
        if (!task.files.empty()) {
            std::cout << std::string(id.size() + 10, ' ') << "files:";
            for (const std::string& file : task.files)
                std::cout << ' ' << terminal_text(file);
            std::cout << '\n';
        }
        ++shown;
    }
    if (shown == 0)
        std::cout << "no open tasks (git knot plan adds some)\n";
    return 0;
}

const Registration registration{{"tasks", "Show the task board", run}};

} // namespace

} // namespace knot::cli
