// post-checkout: after a branch checkout, the new head reported as post-merge reports it (see
// hooks.hpp).
#include "hooks/hook_git.hpp"
#include "hooks/hooks.hpp"

namespace knot {

int post_checkout(HookContext& ctx, const std::vector<std::string>& args) {
    // Arguments: previous HEAD, new HEAD, 1 for a branch checkout (0: files only).
    if (args.size() < 3 || args[2] != "1")
        return 0;
    return report_new_head(ctx, is_null_oid(args[1]) ? "" : args[1]);
}

} // namespace knot
