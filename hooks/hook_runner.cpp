// What each git hook does for knot (see hook_runner.hpp).
#include "hooks/hook_runner.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/outbox.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/repo_path.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

namespace knot {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A hook waits at most this long for the server before it warns and lets git go on.
constexpr std::chrono::seconds k_hook_timeout{3};
// What a sync.pushing notice may carry (docs/protocol.md).
constexpr std::size_t k_max_notice_refs = 100;
constexpr std::size_t k_max_notice_remote_bytes = 1024;

// "4m 59s", "2h 5m", "now".
std::string duration_text(std::int64_t seconds) {
    return seconds <= 0 ? "now" : seconds_text(seconds);
}

// A report this hook sends, or queues when the server cannot be reached.
struct Report {
    std::string target;
    json body;
};

// What every hook needs once it knows the clone is in a room.
class HookContext {
public:
    HookContext(Clone clone, RoomConfig room, std::string hook, std::ostream& err)
        : m_clone(std::move(clone))
        , m_room(std::move(room))
        , m_identity(m_clone.identity())
        , m_client(m_room.server, m_room.room, m_room.token, &m_identity, m_room.agent_id)
        , m_outbox(m_clone.knot_dir() / "outbox")
        , m_hook(std::move(hook))
        , m_err(err) {
        m_client.http() = HttpClient(m_room.server, k_hook_timeout);
    }

    Clone& clone() { return m_clone; }
    fs::path workdir() const { return m_clone.repo().workdir(); }
    const std::string& self() const { return m_room.agent_id; }
    RoomClient& client() { return m_client; }
    std::ostream& err() { return m_err; }

    // Delivers what waits in the outbox, first, so the room sees reports in order. Throws
    // knot::UnreachableError when the server did not take the first of them.
    void deliver_outbox() {
        const int waiting = m_outbox.size();
        if (waiting == 0)
            return;
        m_outbox.flush(m_client);
        if (m_outbox.size() == waiting)
            throw UnreachableError("cannot reach the knot server at " + m_room.server);
    }

    // The server is down: one warning line, the reports queued, git goes on.
    int go_on_offline(const UnreachableError& e, const std::vector<Report>& reports) {
        for (const auto& report : reports)
            m_outbox.queue(report.target, report.body);
        m_err << "knot: warning: " << e.what() << "; " << m_hook << " goes on";
        if (!reports.empty())
            m_err << ", its report queued (" << m_outbox.size() << " waiting in the outbox)";
        m_err << '\n';
        return 0;
    }

private:
    Clone m_clone;
    RoomConfig m_room;
    Identity m_identity;
    RoomClient m_client;
    Outbox m_outbox;
    std::string m_hook;
    std::ostream& m_err;
};

// Splits `paths` into requests the server accepts (at most k_max_paths_per_request each).
std::vector<std::vector<std::string>> batches(const std::vector<std::string>& paths) {
    std::vector<std::vector<std::string>> out;
    for (std::size_t i = 0; i < paths.size(); i += k_max_paths_per_request) {
        const auto end = std::min(paths.size(), i + k_max_paths_per_request);
        out.emplace_back(paths.begin() + static_cast<std::ptrdiff_t>(i),
                         paths.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return out;
}

int pre_commit(HookContext& ctx) {
    const auto autolock = ctx.clone().repo().config_get("knot.autolock").value_or("commit");
    if (autolock == "off")
        return 0;
    const auto paths = lockable_paths(staged_paths(ctx.clone().repo()), ctx.err());
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
                if (e.code() != "lock_conflict")
                    throw;
                const json answer = json::parse(e.body(), nullptr, false);
                const auto conflicts = parse_locks(
                    answer.is_object() && answer.contains("conflicts") ? answer["conflicts"]
                                                                       : json::array());
                ctx.err() << refusal_message("commit", conflicts, unix_now());
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

// The remote as the room may see it: git passes a URL when there is no remote of that name,
// and a URL may carry a password ("https://user:secret@host/...").
std::string remote_for_notice(std::string remote) {
    if (const auto scheme = remote.find("://"); scheme != std::string::npos) {
        const auto host = scheme + 3;
        const auto at = remote.find('@', host);
        if (at != std::string::npos && at < remote.find('/', host))
            remote.erase(host, at + 1 - host);
    }
    if (remote.size() > k_max_notice_remote_bytes) {
        // Cut at a character boundary: half a UTF-8 sequence would make the JSON invalid.
        std::size_t cut = k_max_notice_remote_bytes;
        while (cut > 0 && (static_cast<unsigned char>(remote[cut]) & 0xC0) == 0x80)
            --cut;
        remote.resize(cut);
    }
    return remote.empty() ? "(unknown)" : remote;
}

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
            const auto locks =
                parse_locks(ctx.client().get("/locks").value("locks", json::array()));
            const auto conflicts = locks_held_by_others(locks, paths, ctx.self());
            if (!conflicts.empty()) {
                ctx.err() << refusal_message("push", conflicts, unix_now());
                return 1;
            }
            const bool holds_any = std::any_of(locks.begin(), locks.end(), [&](const LockView& l) {
                return l.agent == ctx.self();
            });
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

// The branch HEAD names, read from the work tree's HEAD file ("" when detached).
std::string head_branch_of(const GitRepo& repo) {
    std::ifstream in(repo.git_dir() / "HEAD");
    std::string line;
    std::getline(in, line);
    return line.rfind("ref: ", 0) == 0 ? chomp(line.substr(5)) : "";
}

// post-merge, post-checkout, post-rewrite: the new head, then the locks that can go.
int post_head(HookContext& ctx, std::string commit) {
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
             parse_locks(ctx.client().get("/locks").value("locks", json::array())))
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

int dispatch(HookContext& ctx, std::string_view name, const std::vector<std::string>& args,
             std::istream& input) {
    if (name == "pre-commit")
        return pre_commit(ctx);
    if (name == "pre-push")
        return pre_push(ctx, args, input);
    if (name == "post-merge")
        return post_head(ctx, "");
    if (name == "post-checkout") {
        // Arguments: previous HEAD, new HEAD, 1 for a branch checkout (0: files only).
        if (args.size() < 3 || args[2] != "1")
            return 0;
        return post_head(ctx, is_null_oid(args[1]) ? "" : args[1]);
    }
    if (name == "post-rewrite") {
        // Its input lists the rewritten commits; drain it so git's writes never block.
        input.ignore(std::numeric_limits<std::streamsize>::max());
        return post_head(ctx, "");
    }
    return 0; // a hook a later version installs: nothing to do here
}

} // namespace

std::vector<LockView> parse_locks(const json& locks) {
    std::vector<LockView> out;
    if (!locks.is_array())
        return out;
    for (const auto& lock : locks) {
        if (!lock.is_object() || !lock.contains("path") || !lock["path"].is_string())
            continue;
        LockView view;
        view.path = lock["path"].get<std::string>();
        const auto text = [&](const char* key) {
            return lock.contains(key) && lock[key].is_string() ? lock[key].get<std::string>() : "";
        };
        view.agent = text("agent");
        view.agent_name = text("agent_name");
        view.intent = text("intent");
        if (lock.contains("expires_at") && lock["expires_at"].is_number_integer())
            view.expires_at = lock["expires_at"].get<std::int64_t>();
        out.push_back(std::move(view));
    }
    return out;
}

std::vector<LockView> locks_held_by_others(const std::vector<LockView>& locks,
                                           const std::vector<std::string>& paths,
                                           std::string_view self) {
    std::vector<LockView> out;
    for (const auto& lock : locks)
        if (lock.agent != self && std::binary_search(paths.begin(), paths.end(), lock.path))
            out.push_back(lock);
    return out;
}

std::string refusal_message(std::string_view action, const std::vector<LockView>& conflicts,
                            std::int64_t now) {
    std::ostringstream out;
    const std::size_t n = conflicts.size();
    out << "knot: " << action << " refused: " << n << (n == 1 ? " path is" : " paths are")
        << " locked by another agent\n";
    for (const auto& lock : conflicts) {
        const std::string holder = lock.agent_name.empty() ? lock.agent : lock.agent_name;
        out << "  " << lock.path << "  locked by " << holder;
        out << (lock.intent.empty() ? " (no intent given)" : " (\"" + lock.intent + "\")");
        if (lock.expires_at > 0)
            out << ", expires in " << duration_text(lock.expires_at - now) << " (at "
                << local_clock(lock.expires_at) << ")";
        out << '\n';
    }
    out << "hint: coordinate with the holder ('git knot say ...') or wait for the lease to end; "
           "the room's server refuses (hosted) or holds (forge) a push of this change whatever "
           "the hooks say\n";
    return out.str();
}

std::string current_intent(const fs::path& knot_dir) {
    std::ifstream in(knot_dir / "intent");
    std::string line;
    std::getline(in, line);
    line = chomp(line);
    // The server takes 200 characters; cut at 200 bytes, never inside a UTF-8 character.
    if (line.size() > 200) {
        std::size_t end = 200;
        while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80)
            --end;
        line.resize(end);
    }
    return line;
}

int run_hook(std::string_view name, const std::vector<std::string>& args, std::istream& input,
             std::ostream& err) {
    // The one place a hook turns every failure into a warning: git must go on whatever happens
    // to knot; only a lock held by another agent (exit 1, from the hooks above) stops it.
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
        HookContext ctx(std::move(*clone), std::move(*room), std::string(name), err);
        return dispatch(ctx, name, args, input);
    } catch (const std::exception& e) {
        err << "knot: warning: the " << name << " hook skipped its knot part: " << e.what() << '\n';
        return 0;
    }
}

} // namespace knot
