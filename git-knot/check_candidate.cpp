// The commit `git knot check` checks and where (see check_candidate.hpp).
#include "git-knot/check_candidate.hpp"
#include "libknot/protocol/refs.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/sync_summary.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <sys/file.h>
#include <unistd.h>

namespace knot {
namespace {

std::string integration_refspec() {
    const std::string ref(k_integration_ref);
    return "+" + ref + ":" + ref;
}

bool names_missing_ref(const std::string& message) {
    return message.find("couldn't find remote ref") != std::string::npos;
}

// The first line of a failure, without git-knot's "git fetch knot failed: " lead-in.
std::string reason_of(const Error& error) {
    std::string text = error.what();
    text = text.substr(0, text.find('\n'));
    if (const auto colon = text.find("failed: "); colon != std::string::npos)
        text.erase(0, colon + 8);
    return text;
}

} // namespace

std::string_view fetch_state_name(IntegrationFetch::State state) {
    switch (state) {
    case IntegrationFetch::State::fetched:
        return "fetched";
    case IntegrationFetch::State::absent:
        return "absent";
    case IntegrationFetch::State::not_joined:
        return "not_joined";
    case IntegrationFetch::State::failed:
        return "failed";
    }
    return "failed";
}

IntegrationFetch fetch_integration(const GitRepo& repo) {
    IntegrationFetch fetch;
    const std::filesystem::path workdir = repo.workdir();
    if (!repo.remote_url("knot"))
        return fetch; // not_joined
    try {
        fetch_refs(workdir, integration_refspec());
        fetch.state = IntegrationFetch::State::fetched;
        fetch.from = "knot";
        return fetch;
    } catch (const UnreachableError& error) {
        fetch.state = IntegrationFetch::State::failed;
        fetch.reason = reason_of(error);
        const SyncMode mode = sync_mode(repo, "");
        if (mode.name != "forge")
            return fetch;
        try { // the integration agent pushes the ref to the forge too
            fetch_refs_from_forge(workdir, mode.remote, integration_refspec());
            fetch.state = IntegrationFetch::State::fetched;
            fetch.from = mode.remote;
        } catch (const Error&) { // the server's reason is the one to tell
        }
        return fetch;
    } catch (const Error& error) {
        if (!names_missing_ref(error.what())) {
            fetch.state = IntegrationFetch::State::failed;
            fetch.reason = reason_of(error);
            return fetch;
        }
    }
    fetch.state = IntegrationFetch::State::absent;
    run_git({"update-ref", "-d", std::string(k_integration_ref)}, workdir);
    return fetch;
}

std::string candidate_commit(const std::filesystem::path& workdir, const MergePreview& merge) {
    switch (merge.state) {
    case MergePreview::State::conflict:
        throw Error("HEAD does not merge onto " + std::string(k_integration_ref) +
                    ": there is nothing to check");
    case MergePreview::State::up_to_date:
        return merge.integration;
    case MergePreview::State::no_integration:
        if (merge.head.empty())
            throw Error("HEAD has no commits yet: commit first (git knot check --here checks the "
                        "work tree as it is)");
        return merge.head;
    case MergePreview::State::clean:
        break;
    }
    // A fixed identity: the commit is the checker's scratch, never shared, and needs none of
    // the user's (who may have set none).
    const std::string message = "knot check: merge HEAD " + merge.head.substr(0, 7) + " onto " +
                                std::string(k_integration_ref) + " " +
                                merge.integration.substr(0, 7) + "\n";
    const std::string out = run_git_checked(
        {"-c", "user.name=knot check", "-c", "user.email=knot@localhost", "commit-tree", merge.tree,
         "-p", merge.integration, "-p", merge.head, "-m", message},
        workdir);
    return out.substr(0, out.find('\n'));
}

bool has_uncommitted_changes(const std::filesystem::path& workdir) {
    const GitResult status = run_git({"status", "--porcelain", "--untracked-files=no"}, workdir);
    return status.status == 0 && !status.out.empty();
}

ScratchTree local_scratch_tree(const GitRepo& repo) {
    return ScratchTree(repo.git_dir() / "knot" / "scratch", repo.common_dir(),
                       ScratchOwner{::geteuid(), ::getegid()}, SandboxPolicy::unsandboxed);
}

ScratchLock::ScratchLock(const GitRepo& repo) {
    const std::filesystem::path dir = repo.git_dir() / "knot";
    std::filesystem::create_directories(dir);
    const std::filesystem::path path = dir / "scratch.lock";
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0)
        throw Error("cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0)
        return;
    std::cerr << "knot: another git knot check is running in this worktree; waiting for it\n";
    while (::flock(m_fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        const int error = errno;
        ::close(m_fd);
        throw Error("cannot lock " + path.string() + ": " + std::strerror(error));
    }
}

ScratchLock::~ScratchLock() {
    if (m_fd >= 0)
        ::close(m_fd);
}

} // namespace knot
