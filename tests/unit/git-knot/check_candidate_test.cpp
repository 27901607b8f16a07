// Tests of git-knot/check_candidate.cpp: the commit `git knot check` checks, its fetch without a
// room, and the worktree's scratch tree, with the real git.
#include "git-knot/check_candidate.hpp"
#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"
#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace knot;
namespace fs = std::filesystem;
using knot::test::TempRepo;

namespace {

// HEAD on main with c.txt, refs/knot/integration on a side branch with b.txt, both from a.txt.
struct SideBySide {
    TempRepo repo;
    std::string base = repo.commit("a.txt", "a\n");
    std::string side;
    std::string head;
    SideBySide() {
        repo.git({"checkout", "-q", "-b", "side"});
        side = repo.commit("b.txt", "b\n");
        repo.git({"update-ref", "refs/knot/integration", side});
        repo.git({"checkout", "-q", "main"});
        head = repo.commit("c.txt", "c\n");
    }
};

} // namespace

TEST_CASE("a clean merge is checked as a merge commit of the integration and HEAD") {
    SideBySide s;
    const MergePreview merge = preview_merge(s.repo.path);
    const std::string candidate = candidate_commit(s.repo.path, merge);
    CHECK(s.repo.git({"rev-parse", candidate + "^1"}) == s.side);
    CHECK(s.repo.git({"rev-parse", candidate + "^2"}) == s.head);
    CHECK(s.repo.git({"rev-parse", candidate + "^{tree}"}) == merge.tree);
    // No ref moved, nothing in the work tree changed.
    CHECK(s.repo.git({"rev-parse", "HEAD"}) == s.head);
    CHECK(!fs::exists(s.repo.path / "b.txt"));
    CHECK(!has_uncommitted_changes(s.repo.path));
}

TEST_CASE("HEAD inside the integration checks the integration, and none checks HEAD alone") {
    SideBySide s;
    s.repo.git({"update-ref", "refs/knot/integration", s.head});
    CHECK(candidate_commit(s.repo.path, preview_merge(s.repo.path)) == s.head);
    s.repo.git({"update-ref", "-d", "refs/knot/integration"});
    CHECK(candidate_commit(s.repo.path, preview_merge(s.repo.path)) == s.head);

    TempRepo empty;
    CHECK_THROWS_AS(candidate_commit(empty.path, preview_merge(empty.path)), Error);
}

TEST_CASE("a conflict has no candidate") {
    SideBySide s;
    std::ofstream(s.repo.path / "b.txt") << "ours\n";
    s.repo.commit("b.txt", "ours\n");
    const MergePreview merge = preview_merge(s.repo.path);
    REQUIRE(merge.state == MergePreview::State::conflict);
    CHECK_THROWS_AS(candidate_commit(s.repo.path, merge), Error);
}

TEST_CASE("a clone without a knot remote uses its own integration ref") {
    SideBySide s;
    const GitRepo repo = GitRepo::discover(s.repo.path);
    const IntegrationFetch fetch = fetch_integration(repo);
    CHECK(fetch.state == IntegrationFetch::State::not_joined);
    CHECK(fetch_state_name(fetch.state) == "not_joined");
    CHECK(s.repo.git({"rev-parse", "refs/knot/integration"}) == s.side);
}

TEST_CASE("a knot remote that cannot be read is a failed fetch, and the local copy stays") {
    SideBySide s;
    s.repo.git({"remote", "add", "knot", (s.repo.path / "no-such-repository").string()});
    const GitRepo repo = GitRepo::discover(s.repo.path);
    const IntegrationFetch fetch = fetch_integration(repo);
    CHECK(fetch.state == IntegrationFetch::State::failed);
    CHECK(!fetch.reason.empty());
    CHECK(s.repo.git({"rev-parse", "refs/knot/integration"}) == s.side);
}

TEST_CASE("a room without an integration ref removes the stale local copy") {
    SideBySide s;
    TempRepo room;
    room.commit("r.txt", "r\n");
    s.repo.git({"remote", "add", "knot", room.path.string()});
    const GitRepo repo = GitRepo::discover(s.repo.path);
    CHECK(fetch_integration(repo).state == IntegrationFetch::State::absent);
    CHECK(run_git({"rev-parse", "-q", "--verify", "refs/knot/integration"}, s.repo.path).status !=
          0);

    room.git({"update-ref", "refs/knot/integration", room.git({"rev-parse", "HEAD"})});
    const IntegrationFetch fetched = fetch_integration(repo);
    CHECK(fetched.state == IntegrationFetch::State::fetched);
    CHECK(fetched.from == "knot");
    CHECK(s.repo.git({"rev-parse", "refs/knot/integration"}) == room.git({"rev-parse", "HEAD"}));
}

TEST_CASE("the scratch tree holds the candidate's files and leaves the work tree alone") {
    SideBySide s;
    const std::string candidate = candidate_commit(s.repo.path, preview_merge(s.repo.path));
    std::ofstream(s.repo.path / "c.txt") << "uncommitted\n";
    CHECK(has_uncommitted_changes(s.repo.path));
    const GitRepo repo = GitRepo::discover(s.repo.path);
    const ScratchLock lock(repo);
    const ScratchTree scratch = local_scratch_tree(repo);
    scratch.check_out(candidate);
    CHECK(scratch.tree() == repo.git_dir() / "knot" / "scratch" / "work" / "tree");
    for (const char* file : {"a.txt", "b.txt", "c.txt"})
        CHECK(fs::exists(scratch.tree() / file));
    std::ifstream c(scratch.tree() / "c.txt");
    std::string line;
    std::getline(c, line);
    CHECK(line == "c");
    // Checks may run git there: it sees the candidate.
    CHECK(run_git({"rev-parse", "HEAD"}, scratch.tree()).out == candidate + "\n");
    CHECK(s.repo.git({"rev-parse", "HEAD"}) == s.head);
}
