// Tests of knot-agent/staged_index.cpp: libgit2's answer is git's (hooks/hook_git.hpp's
// staged_paths, which runs `git diff --cached`), on the same real repositories, or nothing
// where the agent must leave the answer to git.
#include "hooks/hook_git.hpp"
#include "knot-agent/staged_index.hpp"
#include "libknot/git/git_repo.hpp"
#include "tests/unit/hooks/hook_repo.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using namespace knot;
using namespace knot::hook_test;
namespace fs = std::filesystem;

namespace {

using Paths = std::vector<std::string>;

// What the agent reads from the clone's own index.
std::optional<Paths> agent_paths(const fs::path& work) {
    StagedIndex staged(work / ".git");
    return staged.paths(work / ".git" / "index");
}

} // namespace

TEST_CASE("the agent's staged paths are git's: unborn, nothing, renames, deletions, a mode") {
    TempDir dir;
    git({"init", "-q"}, dir.path);
    write(dir.path / "x y.txt", "1");
    write(dir.path / "gone.txt", "g");
    git({"add", "."}, dir.path);
    const auto repo = GitRepo::discover(dir.path);
    CHECK(agent_paths(dir.path) == Paths{"gone.txt", "x y.txt"}); // an unborn branch
    CHECK(agent_paths(dir.path) == staged_paths(repo));
    git({"commit", "-q", "--no-verify", "-m", "c"}, dir.path);
    CHECK(agent_paths(dir.path) == Paths{});
    fs::create_directories(dir.path / "sub");
    git({"mv", "x y.txt", "sub/z.txt"}, dir.path);
    git({"rm", "-q", "gone.txt"}, dir.path);
    write(dir.path / "new.txt", "n");
    git({"add", "new.txt"}, dir.path);
    git({"update-index", "--chmod=+x", "new.txt"}, dir.path);
    const Paths expected = {"gone.txt", "new.txt", "sub/z.txt", "x y.txt"};
    CHECK(staged_paths(repo) == expected);
    CHECK(agent_paths(dir.path) == expected);
}

TEST_CASE("the agent reads the index git names, a temporary one included") {
    TempDir dir;
    git({"init", "-q"}, dir.path);
    write(dir.path / "a.txt", "1");
    git({"add", "."}, dir.path);
    git({"commit", "-q", "--no-verify", "-m", "c"}, dir.path);
    // Another index with a change, as `git commit <path>` makes one.
    const fs::path other = dir.path / ".git" / "other-index";
    write(dir.path / "b.txt", "2");
    REQUIRE(::setenv("GIT_INDEX_FILE", other.c_str(), 1) == 0);
    git({"read-tree", "HEAD"}, dir.path);
    git({"add", "b.txt"}, dir.path);
    const Paths from_git = staged_paths(GitRepo::discover(dir.path));
    ::unsetenv("GIT_INDEX_FILE");
    CHECK(from_git == Paths{"b.txt"});
    StagedIndex staged(dir.path / ".git");
    CHECK(staged.paths(other) == from_git);
    CHECK(staged.paths(dir.path / ".git" / "index") == Paths{});
}

TEST_CASE("concluding a merge, or an index libgit2 cannot read, is left to git") {
    ClonedRepo repo;
    StagedIndex staged(repo.work / ".git");
    write(repo.work / "bad-index", "not an index");
    CHECK_FALSE(staged.paths(repo.work / "bad-index").has_value());
    git({"checkout", "-q", "-b", "side"}, repo.work);
    commit(repo.work, {{"a.txt", "side"}});
    git({"checkout", "-q", "main"}, repo.work);
    commit(repo.work, {{"a.txt", "main"}});
    CHECK(run_git({"merge", "-q", "--no-edit", "side"}, repo.work).status != 0);
    write(repo.work / "a.txt", "resolved");
    git({"add", "a.txt"}, repo.work);
    CHECK_FALSE(staged.paths(repo.work / ".git" / "index").has_value());
}

TEST_CASE("a directory that is not a repository is refused with a clear error") {
    TempDir dir;
    CHECK_THROWS_WITH(StagedIndex(dir.path / "nothing"),
                      Catch::Contains("cannot open the repository at"));
}
