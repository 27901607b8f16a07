// Tests of libknot/git/merge_preview.cpp: HEAD tried onto refs/knot/integration with the real git.
#include "libknot/git/git_command.hpp"
#include "libknot/git/merge_preview.hpp"
#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

using namespace knot;
namespace fs = std::filesystem;
using knot::test::TempRepo;

TEST_CASE("without refs/knot/integration, or without commits, there is nothing to merge onto") {
    TempRepo repo;
    CHECK(preview_merge(repo.path).state == MergePreview::State::no_integration);
    repo.commit("a.txt", "a\n");
    const MergePreview preview = preview_merge(repo.path);
    CHECK(preview.state == MergePreview::State::no_integration);
    CHECK(preview.integration.empty());
}

TEST_CASE("HEAD already in the integration is up to date, and a side change merges cleanly") {
    TempRepo repo;
    const std::string base = repo.commit("a.txt", "a\n");
    repo.git({"update-ref", "refs/knot/integration", base});
    CHECK(preview_merge(repo.path).state == MergePreview::State::up_to_date);

    repo.git({"checkout", "-q", "-b", "side"});
    const std::string side = repo.commit("b.txt", "b\n");
    repo.git({"update-ref", "refs/knot/integration", side});
    repo.git({"checkout", "-q", "main"});
    repo.commit("c.txt", "c\n");
    const MergePreview preview = preview_merge(repo.path);
    CHECK(preview.state == MergePreview::State::clean);
    CHECK(preview.integration == side);
    CHECK(preview.head == repo.git({"rev-parse", "HEAD"}));
    CHECK(preview.conflicts.empty());
    CHECK(merge_state_name(preview.state) == "clean");
    // The merged tree is written: both sides' files are in it.
    const GitResult listed = run_git({"ls-tree", "--name-only", preview.tree}, repo.path);
    CHECK(listed.out == "a.txt\nb.txt\nc.txt\n");
}

TEST_CASE("conflicting changes name every conflicted path, spaces included") {
    TempRepo repo;
    repo.commit("a.txt", "base\n");
    repo.git({"checkout", "-q", "-b", "side"});
    std::ofstream(repo.path / "with space.txt") << "theirs\n";
    const std::string side = repo.commit("a.txt", "theirs\n");
    repo.git({"update-ref", "refs/knot/integration", side});
    repo.git({"checkout", "-q", "main"});
    std::ofstream(repo.path / "with space.txt") << "ours\n";
    repo.commit("a.txt", "ours\n");
    const MergePreview preview = preview_merge(repo.path);
    CHECK(preview.state == MergePreview::State::conflict);
    CHECK(preview.conflicts == std::vector<std::string>{"a.txt", "with space.txt"});
    // Nothing moved: HEAD, the index and the work tree are as they were.
    CHECK(repo.git({"status", "--porcelain"}).empty());
}
