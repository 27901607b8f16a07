// pre-push: refuses to send paths other agents hold, renews this agent's locks and announces
// the push (see hooks.hpp).
#include "hooks/hook_context.hpp"
#include "hooks/hook_git.hpp"
#include "hooks/hooks.hpp"
#include "hooks/lock_view.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/repo_path.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <algorithm>
#include <istream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>

namespace knot {
namespace {

using nlohmann::json;

// What a sync.pushing notice may carry (docs/protocol.md).
constexpr std::size_t k_max_notice_refs = 100;
constexpr std::size_t k_max_notice_remote_bytes = 1024;

// The remote as the room may see it: git passes a URL when there is no remote of that name,
// and a URL may carry a password ("https://user:secret@host/...").
std::string remote_for_notice(std::string remote) {
    if (const auto scheme = remote.find("://"); scheme != std::string::npos) {
        const auto host = scheme + 3;
        const auto at = remote.find('@', host);
        if (at != std::string::npos && at < remote.find('/', host))
            remote.erase(host, at + 1 - host);
    }
    remote = std::string(utf8_prefix(remote, k_max_notice_remote_bytes));
    return remote.empty() ? "(unknown)" : remote;
}

} // namespace

int pre_push(HookContext& ctx, const std::vector<std::string>& args, std::istream& input) {
    const std::string text{std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>()};
    const auto updates = parse_push_updates(text);
    if (updates.empty())
        return 0;
    auto paths = lockable_paths(outgoing_paths(updates, ctx.workdir()), ctx.err());
    json refs = json::array();
    for (const auto& u : updates)
        if (refs.size() < k_max_notice_refs)
            refs.push_back({{"ref", u.remote_ref}, {"old", u.remote_sha}, {"new", u.local_sha}});
    json notice_paths = paths;
    if (paths.size() > k_max_paths_per_request)
        notice_paths = std::vector<std::string>(
            paths.begin(), paths.begin() + static_cast<std::ptrdiff_t>(k_max_paths_per_request));
    const Report notice{"/notices",
                        {{"type", "sync.pushing"},
                         {"remote", remote_for_notice(args.empty() ? "" : args[0])},
                         {"refs", refs},
                         {"paths", notice_paths}}};
    // A push through knot itself is announced by the server (sync.pushed) once it lands; the
    // "pushing" notice is for pushes that bypass knot.
    const bool through_knot = args.size() > 1 && args[1].rfind("knot::", 0) == 0;
    try {
        ctx.deliver_outbox();
        if (!paths.empty()) {
            const auto locks = wire::FieldReader(ctx.client().get("/locks"), "answer")
                                   .objects<wire::Lock>("locks");
            const auto conflicts = locks_held_by_others(locks, paths, ctx.self());
            if (!conflicts.empty()) {
                ctx.err() << refusal_message("push", conflicts, unix_now());
                return 1;
            }
            const bool holds_any =
                std::any_of(locks.begin(), locks.end(),
                            [&](const wire::Lock& l) { return l.agent == ctx.self(); });
            if (holds_any)
                ctx.client().post("/locks/renew", json::object());
        }
        if (!through_knot)
            ctx.client().post(notice.target, notice.body);
    } catch (const UnreachableError& e) {
        return ctx.go_on_offline(e, through_knot ? std::vector<Report>{}
                                                 : std::vector<Report>{notice});
    }
    return 0;
}

} // namespace knot
