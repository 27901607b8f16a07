// Tests of hooks/hook_git.cpp against real repositories made by git: pre-push's input, the paths
// a push or a commit touches, and what has reached refs/knot/integration.
#include "hooks/hook_git.hpp"
#include "libknot/client/clone.hpp"
#include "tests/unit/hooks/hook_repo.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::hook_test;
namespace fs = std::filesystem;

namespace {

const std::string k_zero(40, '0');

} // namespace

TEST_CASE("pre-push input is parsed line by line, and deleting a ref is recognised") {
    const std::string a(40, 'a'), b(40, 'b');
    const auto updates =
        parse_push_updates("refs/heads/main " + a + " refs/heads/main " + b + "\n\n(delete) " +
                           k_zero + " refs/heads/old " + b + "\n");
    REQUIRE(updates.size() == 2);
    CHECK(updates[0].local_ref == "refs/heads/main");
    CHECK(updates[0].local_sha == a);
    CHECK(updates[0].remote_ref == "refs/heads/main");
    CHECK(updates[0].remote_sha == b);
    CHECK_FALSE(updates[0].deletes());
    CHECK_FALSE(updates[0].creates());
    CHECK(updates[1].deletes());
    CHECK(parse_push_updates("").empty());
    CHECK_THROWS_WITH(parse_push_updates("refs/heads/main " + a + "\n"),
                      Catch::Contains("does not understand"));
    CHECK_THROWS(parse_push_updates("a " + a + " b nothex"));
    CHECK(is_null_oid(std::string(64, '0')));
    CHECK_FALSE(is_null_oid("0"));
}

TEST_CASE("a push touches the paths of the commits the remote lacks, nothing else") {
    ClonedRepo repo;
    const std::string old_tip = git({"rev-parse", "HEAD"}, repo.work);
    commit(repo.work, {{"src/c.txt", "c"}});
    const std::string tip = commit(repo.work, {{"a.txt", "a2"}});
    const auto update = PushUpdate{"refs/heads/main", tip, "refs/heads/main", old_tip};
    CHECK(outgoing_paths({update}, repo.work) == std::vector<std::string>{"a.txt", "src/c.txt"});

    SECTION("a new remote ref sends what no remote-tracking ref has") {
        const auto created = PushUpdate{"refs/heads/main", tip, "refs/heads/topic", k_zero};
        CHECK(outgoing_paths({created}, repo.work) ==
              std::vector<std::string>{"a.txt", "src/c.txt"});
    }
    SECTION("a remote tip this clone never saw counts as a new ref") {
        const auto forced =
            PushUpdate{"refs/heads/main", tip, "refs/heads/main", std::string(40, 'e')};
        CHECK(outgoing_paths({forced}, repo.work) ==
              std::vector<std::string>{"a.txt", "src/c.txt"});
    }
    SECTION("deleting a ref touches nothing") {
        const auto deleted = PushUpdate{"(delete)", k_zero, "refs/heads/main", old_tip};
        CHECK(outgoing_paths({deleted}, repo.work).empty());
    }
    SECTION("a merge sends the commits it brings and the paths its resolution changed") {
        git({"checkout", "-q", "-b", "side", old_tip}, repo.work);
        commit(repo.work, {{"a.txt", "side"}, {"side.txt", "s"}});
        git({"checkout", "-q", "-"}, repo.work);
        CHECK(run_git({"merge", "-q", "--no-edit", "side"}, repo.work).status != 0);
        write(repo.work / "a.txt", "resolved");
        git({"commit", "-q", "--no-verify", "-am", "merge"}, repo.work);
        const auto merged = git({"rev-parse", "HEAD"}, repo.work);
        const auto side = git({"rev-parse", "side"}, repo.work);
        CHECK(outgoing_paths({{"refs/heads/main", merged, "refs/heads/main", tip}}, repo.work) ==
              std::vector<std::string>{"a.txt", "side.txt"});
        CHECK(outgoing_paths({{"refs/heads/side", side, "refs/heads/side", k_zero}}, repo.work) ==
              std::vector<std::string>{"a.txt", "side.txt"});
    }
}

TEST_CASE("staged paths include both sides of a rename, and nothing staged is nothing") {
    TempDir dir;
    git({"init", "-q"}, dir.path);
    write(dir.path / "x y.txt", "1");
    git({"add", "."}, dir.path);
    const auto repo = GitRepo::discover(dir.path);
    CHECK(staged_paths(repo) == std::vector<std::string>{"x y.txt"}); // an unborn branch
    git({"commit", "-q", "--no-verify", "-m", "c"}, dir.path);
    CHECK(staged_paths(repo).empty());
    fs::create_directories(dir.path / "sub");
    git({"mv", "x y.txt", "sub/z.txt"}, dir.path);
    CHECK(staged_paths(repo) == std::vector<std::string>{"sub/z.txt", "x y.txt"});
}

TEST_CASE("concluding a merge stages only what differs from every parent") {
    ClonedRepo repo;
    git({"checkout", "-q", "-b", "side"}, repo.work);
    commit(repo.work, {{"a.txt", "side"}, {"theirs.txt", "t"}});
    git({"checkout", "-q", "main"}, repo.work);
    commit(repo.work, {{"a.txt", "main"}});
    CHECK(run_git({"merge", "-q", "--no-edit", "side"}, repo.work).status != 0);
    write(repo.work / "a.txt", "resolved");
    git({"add", "a.txt"}, repo.work);
    CHECK(staged_paths(GitRepo::discover(repo.work)) == std::vector<std::string>{"a.txt"});
}

TEST_CASE("commits the room already has (refs/knot/*) are not counted as pushed") {
    ClonedRepo repo;
    const auto old_tip = git({"rev-parse", "HEAD"}, repo.work);
    commit(repo.work, {{"teammate.txt", "t"}});
    git({"update-ref", "refs/knot/coder-2/main", "HEAD"}, repo.work);
    const auto tip = commit(repo.work, {{"mine.txt", "m"}});
    CHECK(outgoing_paths({{"refs/heads/main", tip, "refs/heads/main", old_tip}}, repo.work) ==
          std::vector<std::string>{"mine.txt"});
    CHECK(outgoing_paths({{"refs/heads/main", tip, "refs/heads/new", k_zero}}, repo.work) ==
          std::vector<std::string>{"mine.txt"});
}

TEST_CASE("a locked path has reached integration when its blob there equals HEAD's") {
    ClonedRepo repo;
    Clone clone(GitRepo::discover(repo.work));
    CHECK_FALSE(has_integration_ref(clone.repo()));
    commit(repo.work, {{"a.txt", "mine"}, {"gone.txt", "g"}});
    git({"update-ref", "refs/knot/integration", "HEAD"}, repo.work);
    CHECK(has_integration_ref(clone.repo()));
    git({"rm", "-q", "gone.txt"}, repo.work);
    commit(repo.work, {{"b.txt", "newer"}});
    CHECK(paths_settled_in_integration({"a.txt", "b.txt", "gone.txt", "never.txt"}, repo.work) ==
          std::vector<std::string>{"a.txt", "never.txt"});

    git({"pack-refs", "--all"}, repo.work);
    CHECK_FALSE(fs::exists(repo.work / ".git/refs/knot/integration"));
    CHECK(has_integration_ref(clone.repo()));
}
