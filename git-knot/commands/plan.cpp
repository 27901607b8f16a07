// git knot plan: add tasks to the room's board, from arguments, a file or standard input.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace knot::cli {
namespace {

void read_titles(std::istream& in, std::vector<std::string>& titles) {
    for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        const auto start = line.find_first_not_of(" \t-*");
        if (start == std::string::npos || line[start] == '#')
            continue;
        titles.push_back(line.substr(start));
    }
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string goal;
    std::vector<std::string> titles;
    std::string file;
    bool json = false;
    app.add_option("goal", goal,
                   "The goal the tasks serve (recorded with them, not split into tasks)");
    app.add_option("--task,-t", titles, "A task title (repeatable)")->option_text("title");
    app.add_option("--file,-f", file, "Read task titles from a file, one a line ('-': stdin)")
        ->option_text("file");
    app.add_flag("--json", json, "Print the created tasks as JSON");
    if (!parse_args(app, args))
        return 0;
    if (file == "-") {
        read_titles(std::cin, titles);
    } else if (!file.empty()) {
        std::ifstream in(file);
        if (!in)
            throw Error("cannot read " + file);
        read_titles(in, titles);
    } else if (titles.empty() && !::isatty(0)) {
        read_titles(std::cin, titles);
    }
    // A goal is not split into tasks here: rather than make one task of it, which reads as a
    // plan and is not one, say how to give the tasks (or the goal itself as the one task).
    if (titles.empty() && !goal.empty())
        throw UsageError("a goal alone is not split into tasks: give its tasks with -t, a file "
                         "with -f, or lines on stdin (-t '" +
                         goal + "' adds the goal itself as one task)");
    if (titles.empty())
        throw UsageError("no tasks given: pass titles with -t, a file with -f, or lines on stdin");
    Session session({.outbox = OutboxOnOpen::deliver});
    nlohmann::json body = {{"titles", titles}};
    if (!goal.empty())
        body["goal"] = goal;
    const nlohmann::json answer = session.client().post("/tasks", body);
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    for (const auto& task : wire::FieldReader(answer, "tasks answer").objects<wire::Task>("tasks"))
        std::cout << "planned  " << task.id << "  " << task.title << '\n';
    return 0;
}

const Registration registration{
    {"plan", "Add tasks to the board, from arguments, a file or stdin", run}};

} // namespace

} // namespace knot::cli
