// git knot share: sign and share the work tree's changes as a draft patch for teammates to read.
#include "command.hpp"
#include "libknot/client/patch_exchange.hpp"
#include "libknot/client/session.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string message;
    bool staged = false;
    bool json = false;
    app.add_option("-m,--message", message, "What the patch is for")
        ->required()
        ->option_text("msg");
    app.add_flag("--staged", staged, "Share only the staged changes");
    app.add_flag("--json", json, "Print the patch as JSON");
    if (!parse_args(app, args))
        return 0;
    Session session({.outbox = OutboxOnOpen::deliver});
    const auto workdir = session.clone().repo().workdir();
    const PatchCommits commits =
        work_tree_commits(workdir, staged ? ChangeScope::staged : ChangeScope::all);
    const wire::Patch patch = publish_patch(session, commits, "draft", message);
    if (json) {
        std::cout << nlohmann::json(patch).dump(2) << '\n';
        return 0;
    }
    std::cout << "shared " << patch.id << " (draft): " << message << '\n'
              << "  teammates read it with: git knot apply " << patch.id << '\n';
    return 0;
}

const Registration registration{
    {"share", "Sign and share your uncommitted changes as a draft patch", run}};

} // namespace

} // namespace knot::cli
