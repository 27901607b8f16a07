// Tests of server/integration_git.cpp: the integration merge against real repositories made by
// the git binary, each result compared with what `git merge-tree --write-tree` makes of the
// same two commits.
#include "server/integration_git.hpp"

#include "../../support/git_steps.hpp"
#include "../../support/shell.hpp"
#include "../../support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace knot;
using namespace knot::server;
using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// A bare repository (as the server keeps) and a work clone to make commits in.
struct Repos {
    TempDir dir;
    fs::path bare = dir.path() / "room.git";
    fs::path work = dir.path() / "work";
    IntegrationRepo repo{bare};

    Repos() {
        git("init -q --bare '" + bare.string() + "'", dir.path());
        make_repository(work);
        git("remote add room '" + bare.string() + "'");
    }
    std::string git(const std::string& command, const fs::path& cwd = {}) {
        return sh_ok("git " + command, cwd.empty() ? work : cwd);
    }
    void write(const std::string& file, const std::string& text) { write_file(work / file, text); }
    // Commits everything on the current branch and sends it to the bare repository.
    std::string commit(const std::string& message) {
        git("add -A");
        git("commit -q -m '" + message + "'");
        git("push -q room HEAD:refs/heads/" + git("rev-parse --abbrev-ref HEAD"));
        return git("rev-parse HEAD");
    }
    // The tree git's own merge makes of `ours` and `theirs` ("" when it conflicts).
    std::string merge_tree(const std::string& ours, const std::string& theirs) {
        const auto r = sh("git --git-dir='" + bare.string() + "' merge-tree --write-tree " + ours +
                              " " + theirs,
                          dir.path());
        return r.status == 0 ? r.out.substr(0, 40) : "";
    }
    std::string tree_of(const std::string& commit) {
        return git("--git-dir='" + bare.string() + "' rev-parse " + commit + "^{tree}");
    }
    std::string show(const std::string& commit, const std::string& file) {
        return sh("git --git-dir='" + bare.string() + "' show " + commit + ":" + file, dir.path())
            .out;
    }
};

// Two branches from a common start: `setup` makes the base, `ours` and `theirs` each side.
struct Fork {
    std::string base, ours, theirs;
};

template <class Base, class Ours, class Theirs>
Fork fork(Repos& r, Base setup, Ours ours, Theirs theirs) {
    setup();
    Fork out;
    out.base = r.commit("base");
    r.git("checkout -q -b theirs");
    theirs();
    out.theirs = r.commit("theirs");
    r.git("checkout -q -");
    ours();
    out.ours = r.commit("ours");
    return out;
}

} // namespace

TEST_CASE("changes to different files merge tree by tree into git's own result") {
    Repos r;
    const Fork f = fork(
        r,
        [&] {
            for (int i = 0; i < 20; ++i)
                r.write("d" + std::to_string(i) + "/f.txt", "file " + std::to_string(i) + "\n");
        },
        [&] { r.write("d3/f.txt", "ours\n"); }, [&] { r.write("d17/new.txt", "theirs\n"); });
    const MergeOutcome merged = r.repo.merge(f.ours, f.theirs, "Integrate theirs\n");
    REQUIRE(merged.kind == MergeOutcome::Kind::merged);
    CHECK(merged.fast_path);
    CHECK(r.tree_of(merged.candidate) == r.merge_tree(f.ours, f.theirs));
    // A --no-ff merge commit: the integration first, the pushed tip second.
    CHECK(r.git("--git-dir='" + r.bare.string() + "' rev-parse " + merged.candidate + "^1") ==
          f.ours);
    CHECK(r.git("--git-dir='" + r.bare.string() + "' rev-parse " + merged.candidate + "^2") ==
          f.theirs);
    CHECK(r.git("--git-dir='" + r.bare.string() + "' log -1 --format=%s " + merged.candidate) ==
          "Integrate theirs");
}

TEST_CASE("changes to different lines of one file merge line by line") {
    Repos r;
    const Fork f = fork(
        r, [&] { r.write("a.txt", "1\n2\n3\n4\n5\n6\n7\n8\n"); },
        [&] { r.write("a.txt", "one\n2\n3\n4\n5\n6\n7\n8\n"); },
        [&] { r.write("a.txt", "1\n2\n3\n4\n5\n6\n7\neight\n"); });
    const MergeOutcome merged = r.repo.merge(f.ours, f.theirs, "m\n");
    REQUIRE(merged.kind == MergeOutcome::Kind::merged);
    CHECK(merged.fast_path);
    CHECK(r.show(merged.candidate, "a.txt") == "one\n2\n3\n4\n5\n6\n7\neight\n");
    CHECK(r.tree_of(merged.candidate) == r.merge_tree(f.ours, f.theirs));
}

TEST_CASE("overlapping edits and files both sides added differently are conflicts") {
    Repos r;
    const Fork f = fork(
        r, [&] { r.write("a.txt", "one\n"); },
        [&] {
            r.write("a.txt", "ours\n");
            r.write("b.txt", "ours b\n");
        },
        [&] {
            r.write("a.txt", "theirs\n");
            r.write("b.txt", "theirs b\n");
        });
    const MergeOutcome merged = r.repo.merge(f.ours, f.theirs, "m\n");
    REQUIRE(merged.kind == MergeOutcome::Kind::conflict);
    REQUIRE(merged.conflicts.size() == 2);
    CHECK(merged.conflicts[0].path == "a.txt");
    CHECK(merged.conflicts[0].ancestor.size() == 40);
    CHECK(merged.conflicts[0].ours.size() == 40);
    CHECK(merged.conflicts[0].theirs.size() == 40);
    CHECK(merged.conflicts[1].path == "b.txt");
    CHECK(merged.conflicts[1].ancestor.empty());
    CHECK(r.merge_tree(f.ours, f.theirs).empty()); // git agrees
}

TEST_CASE("a rename on one side and an edit on the other go through the full merge") {
    Repos r;
    const Fork f = fork(
        r, [&] { r.write("old.txt", "line 1\nline 2\nline 3\nline 4\nline 5\n"); },
        [&] { r.git("mv old.txt new.txt"); },
        [&] { r.write("old.txt", "line 1\nline 2\nline 3\nline 4\nline five\n"); });
    const MergeOutcome merged = r.repo.merge(f.ours, f.theirs, "m\n");
    REQUIRE(merged.kind == MergeOutcome::Kind::merged);
    CHECK_FALSE(merged.fast_path);
    CHECK(r.show(merged.candidate, "new.txt") == "line 1\nline 2\nline 3\nline 4\nline five\n");
    CHECK(r.tree_of(merged.candidate) == r.merge_tree(f.ours, f.theirs));
}

TEST_CASE("deletions, mode changes and new folders merge as git merges them") {
    Repos r;
    const Fork f = fork(
        r,
        [&] {
            r.write("gone.txt", "bye\n");
            r.write("tool.sh", "echo 1\necho 2\necho 3\necho 4\n");
            r.write("keep/a.txt", "a\n");
        },
        [&] {
            r.git("rm -q gone.txt");
            r.git("update-index --chmod=+x tool.sh");
            r.write("fresh/dir/x.txt", "x\n");
        },
        [&] {
            r.write("tool.sh", "echo 1\necho 2\necho 3\necho four\n");
            r.write("keep/b.txt", "b\n");
        });
    const MergeOutcome merged = r.repo.merge(f.ours, f.theirs, "m\n");
    REQUIRE(merged.kind == MergeOutcome::Kind::merged);
    CHECK(merged.fast_path);
    CHECK(r.tree_of(merged.candidate) == r.merge_tree(f.ours, f.theirs));
}

TEST_CASE("the first integration is the tip itself, and a tip already in is up to date") {
    Repos r;
    r.write("a.txt", "a\n");
    const std::string first = r.commit("first");
    r.write("a.txt", "b\n");
    const std::string second = r.commit("second");
    CHECK(r.repo.integration().empty());
    const MergeOutcome start = r.repo.merge("", first, "m\n");
    CHECK(start.kind == MergeOutcome::Kind::start);
    CHECK(start.candidate == first);
    CHECK(r.repo.merge(second, first, "m\n").kind == MergeOutcome::Kind::up_to_date);
    CHECK(r.repo.merge(second, second, "m\n").kind == MergeOutcome::Kind::up_to_date);
}

TEST_CASE("the integration ref moves only from the commit the mover expects") {
    Repos r;
    r.write("a.txt", "a\n");
    const std::string first = r.commit("first");
    r.write("a.txt", "b\n");
    const std::string second = r.commit("second");
    CHECK_FALSE(r.repo.move(first, second)); // it does not exist yet
    CHECK(r.repo.move("", first));
    CHECK(r.repo.integration() == first);
    CHECK_FALSE(r.repo.move("", second)); // it exists now
    CHECK_FALSE(r.repo.move(second, first));
    CHECK(r.repo.move(first, second));
    CHECK(r.repo.integration() == second);
}
