// The gitremote-helpers(7) conversation (see helper.hpp).
#include "helper.hpp"

#include "forge.hpp"
#include "helper_command.hpp"
#include "hooks/lock_view.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/protocol.hpp"
#include "local_repo.hpp"
#include "remote.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <vector>

namespace knot::remote {
namespace {

constexpr std::string_view k_zero_oid = "0000000000000000000000000000000000000000";
// The server takes at most this many haves; more would only trim the pack a little further.
constexpr std::size_t k_max_haves = 10000;
// The server records at most this many changed paths per push.
constexpr std::size_t k_max_paths = 1000;

// Where git sends a branch pushed under its own name.
constexpr std::string_view k_branch_prefix = "refs/heads/";

// git's words for the refusals it explains itself (transport-helper.c).
std::string reason_for(const Refusal& refusal) {
    if (refusal.code == error_code::non_fast_forward)
        return "non-fast forward";
    if (refusal.code == error_code::stale_old)
        return "stale info";
    return "\"" + refusal.message + "\"";
}

// The sources of `pushes` that are not deletions.
std::vector<std::string> sources_of(const std::vector<PushLine>& pushes) {
    std::vector<std::string> sources;
    for (const PushLine& push : pushes)
        if (!push.src.empty())
            sources.push_back(push.src);
    return sources;
}

class Conversation {
public:
    Conversation(std::string url, std::ostream& out)
        : m_url(std::move(url))
        , m_out(out) {}

    void capabilities() { m_out << "fetch\npush\noption\n\n" << std::flush; }

    void option(const std::string& name, const std::string& value) {
        if (name == "verbosity") {
            m_quiet = value == "0";
            m_out << "ok\n";
        } else if (name == "progress") {
            m_progress = value == "true" ? Progress::shown : Progress::quiet;
            m_out << "ok\n";
        } else if (name == "dry-run") {
            m_dry_run = value == "true";
            m_out << "ok\n";
        } else {
            m_out << "unsupported\n";
        }
        m_out << std::flush;
    }

    // A push in forge mode compares with the forge's refs, which it can read while the server
    // is down; everything else lists the server's. For a push, this agent's refs are listed
    // again under the branch names they are pushed from (see knot_ref), so that git compares a
    // branch with its ref: it reports "up to date" and refuses what is not a fast-forward.
    void list(bool for_push) {
        const bool from_forge = for_push && forge();
        if (from_forge)
            m_forge_refs = forge_refs(*forge());
        else
            m_their_refs = remote().refs();
        const std::map<std::string, std::string>& refs = from_forge ? *m_forge_refs : *m_their_refs;
        for (const auto& [ref, oid] : refs)
            m_out << oid << ' ' << ref << '\n';
        if (for_push) {
            const std::string& own = own_prefix();
            for (const auto& [ref, oid] : refs)
                if (ref.rfind(own, 0) == 0)
                    m_out << oid << ' ' << k_branch_prefix << ref.substr(own.size()) << '\n';
        }
        m_out << '\n' << std::flush;
    }

    void fetch(const std::vector<FetchLine>& lines) {
        std::vector<std::string> asked;
        for (const FetchLine& line : lines)
            asked.push_back(line.oid);
        const std::set<std::string> have = local().present(asked);
        std::vector<std::string> wants;
        for (const std::string& oid : asked)
            if (!have.count(oid))
                wants.push_back(oid);
        if (!wants.empty()) {
            std::vector<std::string> haves = local().tips();
            if (haves.size() > k_max_haves)
                haves.resize(k_max_haves);
            remote().upload(wants, haves,
                            [&](std::istream& pack) { local().write_pack(pack, m_progress); });
        }
        m_out << '\n' << std::flush;
    }

    void push(const std::vector<PushLine>& pushes) {
        if (forge()) {
            push_through_forge(pushes);
            return;
        }
        // The refs git compared with when it listed them: the server checks each old oid again
        // when the ref moves, so they need not be asked for twice.
        if (!m_their_refs)
            m_their_refs = remote().refs();
        const std::map<std::string, std::string>& theirs = *m_their_refs;
        std::vector<std::string> their_oids;
        for (const auto& [ref, oid] : theirs)
            their_oids.push_back(oid);
        // One git process finds every tip and which of the server's commits are here to leave
        // out of the packs.
        const LocalRepo::Lookup found = local().look_up(sources_of(pushes), their_oids);
        const std::vector<std::string> hide(found.present.begin(), found.present.end());
        for (const PushLine& line : pushes) {
            // git hears back about the ref it named; the server moves the one it maps to.
            const std::string& dst = line.dst;
            Push push;
            push.force = line.force;
            push.ref = knot_ref(dst);
            if (line.src.empty()) {
                m_out << "error " << dst << " \"deleting a ref through knot is not supported\"\n";
                continue;
            }
            const auto tip = found.commits.find(line.src);
            if (tip == found.commits.end()) {
                m_out << "error " << dst << " \"" << line.src << " is not a commit\"\n";
                continue;
            }
            push.new_oid = tip->second;
            const auto current = theirs.find(push.ref);
            push.old_oid = current == theirs.end() ? std::string(k_zero_oid) : current->second;
            if (push.old_oid == push.new_oid || m_dry_run) {
                m_out << "ok " << dst << '\n';
                continue;
            }
            const auto refusal =
                remote().receive(push, local().pack_for(push.new_oid, hide, m_progress));
            // The server enforces locks: a push that changes what another agent holds is
            // refused whatever the hooks did, and git shows only one line of why.
            if (refusal && !refusal->conflicts.empty())
                std::cerr << refusal_message("push to " + push.ref, refusal->conflicts, unix_now());
            if (refusal) {
                m_out << "error " << dst << ' ' << reason_for(*refusal) << '\n';
                continue;
            }
            moved(dst, push.ref, push.new_oid);
            m_out << "ok " << dst << '\n';
        }
        m_out << '\n' << std::flush;
    }

private:
    // Forge mode: git pushes each ref to the forge, then the server hears of it (or the outbox
    // keeps the notification until it can).
    void push_through_forge(const std::vector<PushLine>& pushes) {
        if (!m_forge_refs)
            m_forge_refs = forge_refs(*forge());
        const LocalRepo::Lookup found = local().look_up(sources_of(pushes), {});
        for (const PushLine& line : pushes) {
            const std::string& dst = line.dst; // as git named it; `ref` is what moves
            const std::string ref = knot_ref(dst);
            if (line.src.empty()) {
                m_out << "error " << dst << " \"deleting a ref through knot is not supported\"\n";
                continue;
            }
            // The forge would take any ref; knot moves only this agent's.
            if (ref.rfind(own_prefix(), 0) != 0) {
                m_out << "error " << dst << " \"knot moves only this agent's refs, under "
                      << own_prefix() << "\"\n";
                continue;
            }
            const auto tip = found.commits.find(line.src);
            if (tip == found.commits.end()) {
                m_out << "error " << dst << " \"" << line.src << " is not a commit\"\n";
                continue;
            }
            const auto current = m_forge_refs->find(ref);
            const std::string old_oid =
                current == m_forge_refs->end() ? std::string(k_zero_oid) : current->second;
            const std::string spec = (line.force ? "+" : "") + line.src + ":" + ref;
            const std::optional<std::string> failure = push_to_forge(
                *forge(), spec, m_dry_run ? ForgePushMode::dry_run : ForgePushMode::real, m_quiet,
                m_progress);
            if (failure) {
                m_out << "error " << dst << ' ' << *failure << '\n';
                continue;
            }
            if (!m_dry_run && old_oid != tip->second) {
                moved(dst, ref, tip->second);
                announce(ref, old_oid, tip->second);
            }
            m_out << "ok " << dst << '\n';
        }
        m_out << '\n' << std::flush;
    }

    // refs/knot/<this clone's agent name>/
    const std::string& own_prefix() {
        if (m_own_prefix.empty())
            m_own_prefix = "refs/knot/" + Clone::open().agent_name() + "/";
        return m_own_prefix;
    }

    // A branch pushed under its own name, refs/heads/<branch> (what `git push knot` sends with
    // the push refspec HEAD that join sets, and a branch named on the command line or --all),
    // goes to this agent's ref of that name, refs/knot/<agent>/<branch>, so each task branch has
    // its own. Any other destination is taken as it is (and refused unless it is this agent's).
    std::string knot_ref(const std::string& dst) {
        if (dst.rfind(k_branch_prefix, 0) != 0)
            return dst;
        return own_prefix() + dst.substr(k_branch_prefix.size());
    }

    // After git's `dst` went to `ref` (a branch mapped by knot_ref): the local copy of `ref` is
    // moved, as git moves the copies of refs it pushed by their own names, and people are told
    // where the branch went, since git's own report names only the branch.
    void moved(const std::string& dst, const std::string& ref, const std::string& oid) {
        if (dst == ref)
            return;
        try {
            local().set_ref(ref, oid);
        } catch (const Error& error) {
            std::cerr << "knot: warning: " << error.what() << '\n';
        }
        if (!m_quiet)
            std::cerr << "knot: " << dst.substr(k_branch_prefix.size()) << " -> " << ref << '\n';
    }

    // The push already succeeded: whatever the server says, it is only warned about.
    void announce(const std::string& ref, const std::string& old_oid, const std::string& new_oid) {
        const nlohmann::json body{{"ref", ref},
                                  {"old", old_oid},
                                  {"new", new_oid},
                                  {"forge_url", forge()->url},
                                  {"paths", changed_paths(old_oid, new_oid, k_max_paths)}};
        try {
            const std::optional<wire::PushAnswer> answer = remote().notify(body);
            if (!answer)
                std::cerr << "knot: warning: the coordination server is unreachable; the "
                             "notification of "
                          << ref << " waits in the outbox for the next contact\n";
            else if (answer->held)
                // The bytes are on the forge; the server holds back their integration.
                std::cerr << "knot: warning: " << ref << " reached the forge, but its "
                          << "integration is held: " << answer->held->summary
                          << "\nhint: it is integrated once the lock ends; coordinate with the "
                             "holder ('git knot say ...'), or push again without that change\n";
        } catch (const Error& error) {
            std::cerr << "knot: warning: the server refused the notification of " << ref << ": "
                      << error.what() << '\n';
        }
    }

    // The server, first reached here; what waits in the outbox goes out before anything else.
    Remote& remote() {
        if (!m_remote)
            m_remote = std::make_unique<Remote>(m_url);
        return *m_remote;
    }
    const std::optional<Forge>& forge() {
        if (!m_forge_looked_up) {
            m_forge = find_forge();
            m_forge_looked_up = true;
        }
        return m_forge;
    }
    LocalRepo& local() {
        if (!m_local)
            m_local = std::make_unique<LocalRepo>();
        return *m_local;
    }

    std::string m_url;
    std::ostream& m_out;
    bool m_dry_run = false;
    Progress m_progress = Progress::quiet;
    bool m_quiet = false;
    bool m_forge_looked_up = false;
    std::optional<Forge> m_forge;
    std::string m_own_prefix;
    std::optional<std::map<std::string, std::string>> m_forge_refs;
    std::optional<std::map<std::string, std::string>> m_their_refs; // as listed to git
    std::unique_ptr<Remote> m_remote;
    std::unique_ptr<LocalRepo> m_local;
};

} // namespace

void serve(const std::string& url, std::istream& in, std::ostream& out) {
    Conversation conversation(url, out);
    while (const std::optional<Command> command = read_command(in)) {
        switch (command->kind) {
        case CommandKind::capabilities:
            conversation.capabilities();
            break;
        case CommandKind::option:
            conversation.option(command->option_name, command->option_value);
            break;
        case CommandKind::list:
        case CommandKind::list_for_push:
            conversation.list(command->kind == CommandKind::list_for_push);
            break;
        case CommandKind::fetch:
            conversation.fetch(command->fetches);
            break;
        case CommandKind::push:
            conversation.push(command->pushes);
            break;
        }
    }
}

} // namespace knot::remote
