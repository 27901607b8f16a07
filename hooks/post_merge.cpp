// post-merge, and what post-checkout and post-rewrite share with it: the new head reported,
// then the locks whose changes reached refs/knot/integration released (see hooks.hpp).
#include "hooks/hook_context.hpp"
#include "hooks/hook_git.hpp"
#include "hooks/hooks.hpp"
#include "hooks/lock_view.hpp"

#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

namespace knot {
namespace {

using nlohmann::json;

// The branch HEAD names, read from the work tree's HEAD file ("" when detached).
std::string head_branch_of(const GitRepo& repo) {
    std::ifstream in(repo.git_dir() / "HEAD");
    std::string line;
    std::getline(in, line);
    return line.rfind("ref: ", 0) == 0 ? chomp(line.substr(5)) : "";
}

} // namespace

int report_new_head(HookContext& ctx, std::string commit) {
    const std::string branch = head_branch_of(ctx.clone().repo());
    if (commit.empty() && !branch.empty()) { // an unborn branch has no head to report
        const GitResult head =
            run_git({"rev-parse", "-q", "--verify", "HEAD^{commit}"}, ctx.workdir());
        commit = head.status == 0 ? chomp(head.out) : "";
    }
    std::vector<Report> reports;
    // A detached HEAD (mid-rebase, a checked-out tag) is not an agent's head to report.
    if (!branch.empty() && !commit.empty())
        reports.push_back(
            {"/notices", {{"type", "agent.head"}, {"branch", branch}, {"commit", commit}}});
    const bool integration = has_integration_ref(ctx.clone().repo());
    if (reports.empty() && !integration)
        return 0;
    try {
        ctx.deliver_outbox();
        for (const auto& report : reports)
            ctx.client().post(report.target, report.body);
        if (!integration)
            return 0;
        std::vector<std::string> mine;
        for (const auto& lock :
             wire::FieldReader(ctx.client().get("/locks"), "answer").objects<wire::Lock>("locks"))
            if (lock.agent == ctx.self())
                mine.push_back(lock.path);
        if (mine.empty())
            return 0;
        const auto settled = paths_settled_in_integration(mine, ctx.workdir());
        for (const auto& batch : batches(settled))
            ctx.client().post("/locks/release", {{"paths", batch}});
        if (!settled.empty())
            ctx.err() << "knot: released " << settled.size()
                      << (settled.size() == 1 ? " lock" : " locks") << " whose changes reached "
                      << k_integration_ref << '\n';
    } catch (const UnreachableError& e) {
        return ctx.go_on_offline(e, reports);
    }
    return 0;
}

int post_merge(HookContext& ctx) {
    return report_new_head(ctx, "");
}

} // namespace knot
