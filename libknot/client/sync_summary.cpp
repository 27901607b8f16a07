// Push, fetch and the sync summary (see sync_summary.hpp).
#include "libknot/client/sync_summary.hpp"
#include "libknot/protocol/refs.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"
#include "libknot/git/merge_preview.hpp"
#include "libknot/protocol/patch_statement.hpp"
#include "libknot/protocol/wire_integration.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace knot {
namespace {

constexpr std::size_t k_short_sha = 8;
constexpr std::size_t k_paths_shown = 3;

std::string trimmed(std::string_view text) {
    return std::string(trim_whitespace_end(text));
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.push_back(line);
    return out;
}

// The commit `name` resolves to, "" when it does not.
std::string resolve(const std::filesystem::path& workdir, const std::string& name) {
    const auto r = run_git({"rev-parse", "-q", "--verify", name + "^{commit}"}, workdir);
    return r.status == 0 ? trimmed(r.out) : "";
}

// Turns a failed push or fetch into the error its exit status reports: the helper prints
// "cannot reach the knot server" (or a timeout, or an unresolvable host) when the server is
// away, git prints "rejected" when a ref update was refused.
[[noreturn]] void throw_git_failure(const std::string& what, const GitResult& r) {
    const std::string message = trimmed(r.err.empty() ? r.out : r.err);
    for (const char* unreachable : {"cannot reach the knot server", "did not answer in time",
                                    "cannot resolve the knot server"})
        if (message.find(unreachable) != std::string::npos)
            throw UnreachableError(what + " failed: " + message);
    if (r.status == 1 || message.find("rejected") != std::string::npos)
        throw Refused(what + " refused:\n" + message);
    throw Error(what + " failed: " + message);
}

std::string short_sha(const std::string& sha) {
    return sha.substr(0, k_short_sha);
}

std::string file_count(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " file" : " files");
}

std::string first_paths(const std::vector<std::string>& files) {
    std::string out;
    for (std::size_t i = 0; i < files.size() && i < k_paths_shown; ++i)
        out += (i ? ", " : "") + files[i];
    if (files.size() > k_paths_shown)
        out += ", +" + std::to_string(files.size() - k_paths_shown) + " more";
    return out;
}

} // namespace

SyncMode sync_mode(const GitRepo& repo, const std::string& server) {
    const std::string forge = repo.config_get_any("knot.forge").value_or("");
    if (forge != "none") {
        const std::string remote = forge.empty() ? "origin" : forge;
        if (const auto url = repo.remote_url(remote))
            return {"forge", *url, remote};
    }
    return {"hosted", server, ""};
}

std::string own_ref(const std::filesystem::path& workdir, const std::string& agent) {
    const auto head = run_git({"symbolic-ref", "-q", "HEAD"}, workdir);
    const std::string branch_ref = trimmed(head.out);
    if (head.status != 0 || branch_ref.rfind("refs/heads/", 0) != 0)
        throw Error("HEAD is detached: sync pushes a branch, so check one out first "
                    "(git switch <branch>)");
    if (resolve(workdir, "HEAD").empty())
        throw Error("the branch " + branch_ref.substr(11) + " has no commits yet: commit first");
    return "refs/knot/" + agent + "/" + branch_ref.substr(11);
}

PushResult push_head(const std::filesystem::path& workdir, const std::string& agent) {
    PushResult result;
    result.ref = own_ref(workdir, agent);
    result.branch = result.ref.substr(10 + agent.size() + 1);
    result.commit = resolve(workdir, "HEAD");
    result.previous = resolve(workdir, result.ref);
    const auto r = run_git({"push", "knot", "HEAD:" + result.ref}, workdir);
    if (r.status != 0)
        throw_git_failure("git push knot", r);
    // git moves the local copy itself (the fetch refspec maps the ref onto itself); make sure,
    // so the next sync compares with what the server now holds.
    run_git({"update-ref", result.ref, result.commit}, workdir);
    if (result.up_to_date())
        return result;
    // What the server's event counts (GitStore::changed_files): renames as a removal and an
    // addition, against the merge base with the integration when there is one.
    const std::string integration = resolve(workdir, std::string(k_integration_ref));
    const std::string base = integration.empty() ? result.previous : integration;
    GitResult diff;
    if (!integration.empty())
        diff =
            run_git({"diff", "--no-renames", "--name-only", base + "..." + result.commit}, workdir);
    if (integration.empty() || diff.status != 0) // no merge base: against the integration itself
        diff = base.empty()
                   ? run_git({"ls-tree", "-r", "--name-only", result.commit}, workdir)
                   : run_git({"diff", "--no-renames", "--name-only", base, result.commit}, workdir);
    result.files = lines_of(diff.out);
    return result;
}

void push_commit(const std::filesystem::path& workdir, const std::string& commit,
                 const std::string& ref) {
    const auto r = run_git({"push", "-q", "knot", commit + ":" + ref}, workdir);
    if (r.status != 0)
        throw_git_failure("git push knot", r);
}

void fetch_refs(const std::filesystem::path& workdir, const std::string& refspec) {
    std::vector<std::string> args = {"fetch", "-q", "knot"};
    if (!refspec.empty())
        args.push_back(refspec);
    auto r = run_git(args, workdir);
    // In the clone that hosts the room, the server's integration agent also pushes
    // refs/knot/integration into this repository (a forge on the server's machine): when that
    // lands while git fetches, git finds the ref moved under it ("cannot lock ref ... is at
    // <new> but expected <old>"). The ref is then where the room has it; fetching again agrees.
    if (r.status != 0 && (r.err.find("cannot lock ref") != std::string::npos ||
                          r.err.find("unable to update local ref") != std::string::npos))
        r = run_git(args, workdir);
    if (r.status != 0)
        throw_git_failure("git fetch knot", r);
}

void fetch_refs_from_forge(const std::filesystem::path& workdir, const std::string& remote,
                           const std::string& refspec) {
    const auto r = run_git({"fetch", "-q", remote, refspec}, workdir);
    if (r.status != 0)
        throw Error("git fetch " + remote + " failed: " + trimmed(r.err.empty() ? r.out : r.err));
}

std::vector<TeammateRef> teammate_refs(const std::filesystem::path& workdir,
                                       const std::string& self) {
    const auto listed = run_git_checked(
        {"for-each-ref", "--format=%(refname) %(objectname)", "refs/knot/"}, workdir);
    const bool has_head = !resolve(workdir, "HEAD").empty();
    std::vector<TeammateRef> out;
    for (const auto& line : lines_of(listed)) {
        const auto space = line.find(' ');
        TeammateRef t;
        t.ref = line.substr(0, space);
        t.commit = line.substr(space + 1);
        const std::string rest = t.ref.substr(10); // after refs/knot/
        const auto slash = rest.find('/');
        if (slash == std::string::npos)
            continue; // refs/knot/integration and anything else not an agent's branch
        t.agent = rest.substr(0, slash);
        t.branch = rest.substr(slash + 1);
        // A patch's ref is not a branch being worked on: git knot patches lists those.
        if (t.agent == self || t.agent == "integration" || is_patch_ref(t.ref))
            continue;
        auto diff = has_head ? run_git({"diff", "--name-only", "HEAD..." + t.commit}, workdir)
                             : GitResult{};
        if (diff.status != 0) // no commits here, or no merge base: everything in theirs
            diff = run_git({"ls-tree", "-r", "--name-only", t.commit}, workdir);
        t.files = lines_of(diff.out);
        out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(),
              [](const TeammateRef& a, const TeammateRef& b) { return a.ref < b.ref; });
    return out;
}

std::string summary_text(const SyncSummary& summary) {
    std::ostringstream out;
    out << "mode  " << summary.mode.name << "  " << summary.mode.where << '\n';
    if (summary.pushed) {
        const auto& p = *summary.pushed;
        if (p.up_to_date())
            out << "✓ up to date  " << short_sha(p.commit) << '\n';
        else
            out << "✓ pushed  " << short_sha(p.commit) << "  " << file_count(p.files.size())
                << '\n';
    }
    if (summary.fetched) {
        out << "✓ fetched";
        if (!summary.fetched_from.empty() && summary.fetched_from != "knot")
            out << " from " << summary.fetched_from << " (the forge)";
        out << '\n';
    }
    // An agent with several branches is shown once per branch, as agent/branch.
    std::size_t width = 0;
    auto label = [&](const TeammateRef& t) {
        const auto same_agent =
            std::count_if(summary.teammates.begin(), summary.teammates.end(),
                          [&](const TeammateRef& other) { return other.agent == t.agent; });
        return same_agent > 1 ? t.agent + "/" + t.branch : t.agent;
    };
    for (const auto& t : summary.teammates)
        width = std::max(width, label(t).size());
    for (const auto& t : summary.teammates) {
        std::string name = label(t);
        name.resize(width, ' ');
        out << "● " << name << "  " << short_sha(t.commit) << "  " << file_count(t.files.size());
        if (!t.files.empty())
            out << "  " << first_paths(t.files);
        out << '\n';
    }
    if (summary.integration) {
        const IntegrationState& state = *summary.integration;
        out << "◆ integration  " << (state.commit.empty() ? "none yet" : short_sha(state.commit));
        if (!state.commit.empty() && state.commit == state.base)
            out << " (the room's base)";
        if (state.run > 0)
            out << "  run " << state.run << ' ' << state.status
                << (state.undone ? ", then undone" : "") << ": " << state.summary;
        out << '\n';
    }
    if (!summary.server_reachable) {
        out << "! coordination queued: the knot server did not answer; ";
        if (summary.queued == 0)
            out << "nothing waits in the outbox";
        else
            out << summary.queued
                << (summary.queued == 1 ? " notification waits" : " notifications wait")
                << " in the outbox";
        out << " and the room integrates nothing until it is back (the next git knot command "
               "or push delivers what waits)\n";
    }
    return out.str();
}

IntegrationState integration_state(const nlohmann::json& answer) {
    const auto integration = answer.get<wire::Integration>();
    IntegrationState state;
    state.commit = integration.integration.value_or("");
    state.base = integration.base.value_or("");
    if (!integration.runs.empty()) {
        const wire::Run& run = integration.runs.front();
        state.run = run.run;
        state.status = run.status;
        state.summary = run.summary;
        state.undone = run.undone;
        if (run.detail.is_object() && run.detail.contains("review") &&
            run.detail["review"].is_object() && run.detail["review"].contains("id")) {
            const nlohmann::json& review = run.detail["review"];
            for (const auto& [key, into] : {std::pair{"verdict", &state.review_verdict},
                                            std::pair{"reason", &state.review_reason}})
                if (review.contains(key) && review[key].is_string())
                    *into = review[key].get<std::string>();
        }
    }
    return state;
}

nlohmann::json summary_json(const SyncSummary& summary) {
    nlohmann::json out = {{"mode", summary.mode.name},
                          {"where", summary.mode.where},
                          {"pushed", nullptr},
                          {"fetched", summary.fetched},
                          {"fetched_from", summary.fetched_from.empty()
                                               ? nlohmann::json()
                                               : nlohmann::json(summary.fetched_from)},
                          {"teammates", nlohmann::json::array()},
                          {"server", summary.server_reachable ? "reachable" : "unreachable"},
                          {"queued", summary.queued}};
    if (summary.pushed) {
        const auto& p = *summary.pushed;
        out["pushed"] = {
            {"ref", p.ref},
            {"branch", p.branch},
            {"commit", p.commit},
            {"previous", p.previous.empty() ? nlohmann::json() : nlohmann::json(p.previous)},
            {"up_to_date", p.up_to_date()},
            {"files", p.files}};
    }
    for (const auto& t : summary.teammates)
        out["teammates"].push_back({{"agent", t.agent},
                                    {"branch", t.branch},
                                    {"ref", t.ref},
                                    {"commit", t.commit},
                                    {"files", t.files}});
    out["integration"] = nullptr;
    if (summary.integration) {
        const IntegrationState& state = *summary.integration;
        out["integration"] = {
            {"commit", state.commit.empty() ? nlohmann::json() : nlohmann::json(state.commit)},
            {"base", state.base.empty() ? nlohmann::json() : nlohmann::json(state.base)},
            {"run", state.run},
            {"status", state.status},
            {"summary", state.summary},
            {"undone", state.undone},
            {"review", state.review_verdict.empty()
                           ? nlohmann::json()
                           : nlohmann::json{{"verdict", state.review_verdict},
                                            {"reason", state.review_reason}}}};
    }
    return out;
}

} // namespace knot
