// Runs a git hook's knot part: the clone and its room opened, then the hook of that name (see
// hook_runner.hpp; each hook in its own file, see hooks.hpp).
#include "hooks/hook_runner.hpp"

#include "hooks/agent_starter.hpp"
#include "hooks/hook_context.hpp"
#include "hooks/hooks.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"

#include <optional>
#include <ostream>

namespace knot {
namespace {

int dispatch(HookContext& ctx, std::string_view name, const std::vector<std::string>& args,
             std::istream& input) {
    if (name == "pre-commit")
        return pre_commit(ctx);
    if (name == "pre-push")
        return pre_push(ctx, args, input);
    if (name == "post-merge")
        return post_merge(ctx);
    if (name == "post-checkout")
        return post_checkout(ctx, args);
    if (name == "post-rewrite")
        return post_rewrite(ctx, input);
    return 0; // a hook a later version installs: nothing to do here
}

} // namespace

int run_hook(std::string_view name, const std::vector<std::string>& args, std::istream& input,
             std::ostream& err) {
    // The one place a hook turns every failure into a warning: git must go on whatever happens
    // to knot; only a lock held by another agent (exit 1, from the hooks) stops it.
    try {
        std::optional<Clone> clone;
        try {
            clone = Clone::open();
        } catch (const Error&) {
            return 0; // not in a work tree (a bare repository): nothing of knot's here
        }
        std::optional<RoomConfig> room;
        room = clone->room();
        if (!room)
            return 0; // not in a room: hooks stay silent
        if (name == "pre-commit")
            start_agent(*clone); // the next commit asks it, without starting git-knot
        HookContext ctx(std::move(*clone), std::move(*room), std::string(name), err);
        return dispatch(ctx, name, args, input);
    } catch (const std::exception& e) {
        err << "knot: warning: the " << name << " hook skipped its knot part: " << e.what() << '\n';
        return 0;
    }
}

} // namespace knot
