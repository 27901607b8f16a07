// pre-commit: claims locks on the staged paths, so that another agent's commit of them is
// refused (see hooks.hpp).
#include "hooks/hook_context.hpp"
#include "hooks/hook_git.hpp"
#include "hooks/hooks.hpp"
#include "hooks/lock_view.hpp"

#include "libknot/base/error.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/repo_path.hpp"
#include "libknot/protocol/wire.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace knot {

using nlohmann::json;

namespace {

bool autolock_off(HookContext& ctx) {
    return ctx.clone().repo().config_get("knot.autolock").value_or("commit") == "off";
}

int claim_staged(HookContext& ctx, const std::vector<std::string>& staged);

} // namespace

int pre_commit(HookContext& ctx) {
    // Off: not even git is asked what is staged.
    if (autolock_off(ctx))
        return 0;
    return claim_staged(ctx, staged_paths(ctx.clone().repo()));
}

int pre_commit_paths(HookContext& ctx, const std::vector<std::string>& staged) {
    return autolock_off(ctx) ? 0 : claim_staged(ctx, staged);
}

namespace {

// Claims `staged` (those a lock can name), with the agent's intent; see pre_commit.
int claim_staged(HookContext& ctx, const std::vector<std::string>& staged) {
    const auto paths = lockable_paths(staged, ctx.err());
    if (paths.empty())
        return 0;
    const std::string intent = current_intent(ctx.clone().knot_dir());
    std::vector<Report> claims;
    for (auto& batch : batches(paths)) {
        // The intent is the last `doing`: it names new locks, and leaves alone the intent of a
        // lock this agent already holds (`git knot lock -m` after `doing` said something else).
        json body = {{"paths", batch}, {"keep_intent", true}};
        if (!intent.empty())
            body["intent"] = intent;
        claims.push_back({"/locks", std::move(body)});
    }
    try {
        ctx.deliver_outbox();
        for (std::size_t i = 0; i < claims.size(); ++i) {
            try {
                ctx.client().post(claims[i].target, claims[i].body);
            } catch (const HttpError& e) {
                if (e.code() != error_code::lock_conflict)
                    throw;
                ctx.err() << refusal_message("commit", wire::conflicts_in(e.body()), unix_now());
                return 1;
            } catch (const UnreachableError& e) {
                return ctx.go_on_offline(
                    e, {claims.begin() + static_cast<std::ptrdiff_t>(i), claims.end()});
            }
        }
    } catch (const UnreachableError& e) {
        return ctx.go_on_offline(e, claims);
    }
    return 0;
}

} // namespace

} // namespace knot
