// The client's half of the patch exchange (see patch_exchange.hpp).
#include "libknot/client/patch_exchange.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "libknot/client/sync_summary.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/patch_statement.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/refs.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <algorithm>
#include <array>
#include <fstream>

namespace knot {
namespace {

namespace fs = std::filesystem;

// The commit `name` resolves to, "" when it does not.
std::string commit_of(const fs::path& workdir, const std::string& name) {
    const auto r = run_git({"rev-parse", "-q", "--verify", name + "^{commit}"}, workdir);
    return r.status == 0 ? chomp(r.out) : "";
}

std::string required_commit(const fs::path& workdir, const std::string& name) {
    const std::string commit = commit_of(workdir, name);
    if (commit.empty())
        throw Error("'" + name + "' is not a commit here");
    return commit;
}

std::string merge_base(const fs::path& workdir, const std::string& a, const std::string& b) {
    const auto r = run_git({"merge-base", a, b}, workdir);
    if (r.status != 0)
        throw Error(a.substr(0, 12) + " and " + b.substr(0, 12) + " have no common ancestor");
    return chomp(r.out);
}

// The diff of a patch, kept in a file of its own for the few git apply runs that read it, and
// removed afterwards whatever happens.
class DiffFile {
public:
    DiffFile(const fs::path& workdir, const wire::Patch& patch) {
        const auto dir = run_git_checked({"rev-parse", "--absolute-git-dir"}, workdir);
        m_path = fs::path(chomp(dir)) / ("knot-patch-" + random_hex(8) + ".diff");
        const auto diff =
            run_git({"diff", "--binary", "--full-index", patch.base, patch.tip}, workdir);
        if (diff.status != 0)
            throw Error("cannot make the diff of " + patch.id + ": " + chomp(diff.err));
        std::ofstream(m_path, std::ios::binary) << diff.out;
        m_empty = diff.out.empty();
    }
    ~DiffFile() {
        std::error_code ignored;
        fs::remove(m_path, ignored);
    }
    DiffFile(const DiffFile&) = delete;
    DiffFile& operator=(const DiffFile&) = delete;
    const fs::path& path() const { return m_path; }
    bool empty() const { return m_empty; }

private:
    fs::path m_path;
    bool m_empty = false;
};

bool ends_run(const std::string& type) {
    static constexpr std::array<std::string_view, 6> k_ending = {
        "sync.integrated",    "sync.check_failed",   "sync.merge_conflict",
        "sync.review_failed", "integration.skipped", "integration.error"};
    return std::find(k_ending.begin(), k_ending.end(), type) != k_ending.end();
}

} // namespace

PatchCommits work_tree_commits(const fs::path& workdir, ChangeScope scope) {
    const std::string head = required_commit(workdir, "HEAD");
    PatchCommits commits{head, ""};
    if (scope == ChangeScope::all) {
        commits.tip = chomp(run_git_checked({"stash", "create", "knot patch"}, workdir));
    } else {
        const std::string tree = chomp(run_git_checked({"write-tree"}, workdir));
        if (tree != chomp(run_git_checked({"rev-parse", "HEAD^{tree}"}, workdir)))
            commits.tip = chomp(run_git_checked(
                {"commit-tree", "-p", "HEAD", "-m", "knot patch (staged)", tree}, workdir));
    }
    if (commits.tip.empty())
        throw Refused(std::string("nothing to share: no ") +
                      (scope == ChangeScope::staged ? "staged " : "") +
                      "changes against HEAD (untracked files need git add)");
    return commits;
}

PatchCommits range_commits(const fs::path& workdir, const std::string& range) {
    PatchCommits commits;
    if (range.empty()) {
        // The integration as the room has it now, when the room can be reached.
        try {
            const std::string ref(k_integration_ref);
            fetch_refs(workdir, "+" + ref + ":" + ref);
        } catch (const Error&) { // what this clone last fetched is the next best
        }
        const std::string integration = commit_of(workdir, std::string(k_integration_ref));
        if (integration.empty())
            throw Error("this clone has no refs/knot/integration yet: run git knot sync, or name "
                        "the commits (git knot submit A..B)");
        commits.tip = required_commit(workdir, "HEAD");
        commits.base = merge_base(workdir, integration, commits.tip);
    } else if (const auto dots = range.find(".."); dots != std::string::npos) {
        if (range.find("...") != std::string::npos)
            throw UsageError("'" + range + "': use A..B (two dots) or a single commit");
        const std::string from = range.substr(0, dots);
        const std::string to = range.substr(dots + 2);
        commits.tip = required_commit(workdir, to.empty() ? "HEAD" : to);
        commits.base = merge_base(workdir, required_commit(workdir, from.empty() ? "HEAD" : from),
                                  commits.tip);
    } else {
        commits.tip = required_commit(workdir, range);
        commits.base = commit_of(workdir, commits.tip + "^");
        if (commits.base.empty())
            throw Refused("'" + range + "' has no parent: submit a range (git knot submit A..B)");
    }
    if (commits.base == commits.tip)
        throw Refused("nothing to submit: " + commits.tip.substr(0, 12) +
                      " is already part of refs/knot/integration");
    return commits;
}

std::string default_message(const fs::path& workdir, const PatchCommits& commits) {
    std::string subject =
        chomp(run_git_checked({"log", "-1", "--format=%s", commits.tip}, workdir));
    if (subject.size() > k_max_patch_message_bytes)
        subject.resize(k_max_patch_message_bytes);
    return subject.empty() ? "(no message)" : subject;
}

wire::Patch publish_patch(Session& session, const PatchCommits& commits, const std::string& kind,
                          const std::string& message) {
    if (message.empty() || message.size() > k_max_patch_message_bytes)
        throw UsageError("the message must have 1 to 4096 bytes");
    const fs::path workdir = session.clone().repo().workdir();
    wire::NewPatch patch;
    patch.id = new_patch_id();
    patch.kind = kind;
    patch.base = commits.base;
    patch.tip = commits.tip;
    patch.message = message;
    patch.time = unix_now();
    // The objects first: the server stores a patch only once its ref is at the signed tip.
    push_commit(workdir, commits.tip, patch_ref(session.clone().agent_name(), patch.id));
    patch.signature = session.identity().sign(
        statement_text({patch.id, session.room().room, session.room().agent_id, patch.base,
                        patch.tip, sha256_hex(patch.message), patch.time}));
    const nlohmann::json answer = session.client().post("/patches", patch);
    return wire::FieldReader(answer, "patch answer").object<wire::Patch>("patch");
}

void require_patch_id(const std::string& id) {
    if (!is_patch_id(id))
        throw UsageError("'" + id +
                         "' is not a patch id (p and 10 hex digits; see git knot patches)");
}

wire::Patch fetch_patch_record(Session& session, const std::string& id) {
    const nlohmann::json answer = session.client().get("/patches/" + id);
    return wire::FieldReader(answer, "patch answer").object<wire::Patch>("patch");
}

void verify_patch(const wire::Patch& patch, const std::string& room,
                  const std::vector<wire::Agent>& agents) {
    const std::string refused = patch.id + " does not match its author's signature: ";
    const auto author = std::find_if(agents.begin(), agents.end(),
                                     [&](const wire::Agent& a) { return a.id == patch.author; });
    if (author == agents.end())
        throw Refused(refused + "its author " + patch.author + " is not a member of this room");
    Bytes key;
    try {
        key = from_base64(author->public_key);
    } catch (const Error&) {
        throw Refused(refused + "the room lists a malformed key for " + author->name);
    }
    // An agent's id is derived from its key, so the key cannot be swapped under the same id.
    const std::string key_hash = sha256_hex(std::string(key.begin(), key.end()));
    if (patch.author != "ag_" + key_hash.substr(0, 16))
        throw Refused(refused + "the room's key for " + author->name + " is not its id's key");
    if (!is_patch_id(patch.id) || !is_object_id(patch.base) || !is_object_id(patch.tip))
        throw Refused(refused + "the server sent a malformed patch");
    const std::string statement =
        statement_text({patch.id, room, patch.author, patch.base, patch.tip,
                        sha256_hex(patch.message), patch.time});
    if (!verify_signature(key, statement, patch.signature))
        throw Refused(refused + "its id, room, base, tip, message or time is not what " +
                      author->name + " signed; nothing was applied");
}

void fetch_patch_commits(const fs::path& workdir, const wire::Patch& patch) {
    if (!is_patch_ref(patch.ref))
        throw Refused(patch.id + ": the server names " + patch.ref + ", not a patch ref");
    fetch_refs(workdir, "+" + patch.ref + ":" + patch.ref);
    const std::string fetched = commit_of(workdir, patch.ref);
    if (fetched != patch.tip)
        throw Refused(patch.id + " does not match its author's signature: " + patch.ref +
                      " is at " + (fetched.empty() ? "nothing" : fetched) +
                      ", not the signed tip " + patch.tip + "; nothing was applied");
    if (run_git({"merge-base", "--is-ancestor", patch.base, patch.tip}, workdir).status != 0)
        throw Refused(patch.id + ": its signed base " + patch.base +
                      " is not an ancestor of its tip; nothing was applied");
}

ApplyOutcome apply_patch_commits(const fs::path& workdir, const wire::Patch& patch) {
    const DiffFile diff(workdir, patch);
    if (diff.empty())
        return ApplyOutcome::clean;
    const std::string file = diff.path().string();
    if (run_git({"apply", "--check", file}, workdir).status == 0) {
        run_git_checked({"apply", file}, workdir);
        return ApplyOutcome::clean;
    }
    const auto three_way = run_git({"apply", "--3way", file}, workdir);
    if (three_way.status == 0)
        return ApplyOutcome::three_way;
    const auto unmerged = run_git({"diff", "--name-only", "--diff-filter=U"}, workdir);
    if (!chomp(unmerged.out).empty())
        return ApplyOutcome::conflicts;
    throw Refused("cannot apply " + patch.id +
                  " here (the work tree is as it was): " + chomp(three_way.err));
}

wire::Event wait_for_run(Session& session, std::int64_t run, std::int64_t since) {
    EventStream stream(session.room(), session.identity());
    wire::Event ended;
    stream.follow(since, [&](const nlohmann::json& frame) {
        auto event = frame.get<wire::Event>();
        if (!ends_run(event.type) || !event.data.is_object() ||
            event.data.value("run", nlohmann::json()) != run)
            return true;
        ended = std::move(event);
        return false;
    });
    return ended;
}

std::string patch_state_text(const wire::Patch& patch) {
    if (!patch.run)
        return patch.state;
    std::string text = patch.state + " (run " + std::to_string(patch.run->run);
    if (patch.run->review)
        text += ", review " + *patch.run->review;
    return text + ")";
}

} // namespace knot
