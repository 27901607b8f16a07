// git knot submit: sign and propose commits for merging, as a patch others approve.
#include "command.hpp"
#include "libknot/client/patch_exchange.hpp"
#include "libknot/client/session.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string message;
    std::string range;
    bool json = false;
    app.add_option("-m,--message", message, "What the patch is for (default: the tip's subject)")
        ->option_text("msg");
    app.add_option("range", range,
                   "The commits: A..B, or one commit (default: the branch since "
                   "refs/knot/integration)");
    app.add_flag("--json", json, "Print the patch as JSON");
    if (!parse_args(app, args))
        return 0;
    Session session({.outbox = OutboxOnOpen::deliver});
    const auto workdir = session.clone().repo().workdir();
    const PatchCommits commits = range_commits(workdir, range);
    if (message.empty())
        message = default_message(workdir, commits);
    const wire::Patch patch = publish_patch(session, commits, "submitted", message);
    if (json) {
        std::cout << nlohmann::json(patch).dump(2) << '\n';
        return 0;
    }
    std::cout << "submitted " << patch.id << ": " << message << '\n'
              << "  " << commits.base.substr(0, 12) << ".." << commits.tip.substr(0, 12)
              << "; another agent approves it with: git knot approve " << patch.id << '\n';
    return 0;
}

const Registration registration{
    {"submit", "Sign and propose commits for merging, for others to approve", run}};

} // namespace

} // namespace knot::cli
