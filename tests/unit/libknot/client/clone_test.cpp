// Tests of libknot/client/clone.cpp and libknot/git/git_repo.cpp against real repositories made by
// git.
#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/git/git_command.hpp"
#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

using namespace knot;
namespace fs = std::filesystem;
using knot::test::TempRepo;

TEST_CASE("a repository is found from a subdirectory, with its git dir and common dir") {
    TempRepo repo;
    fs::create_directories(repo.path / "a" / "b");
    const auto found = GitRepo::discover(repo.path / "a" / "b");
    CHECK(fs::equivalent(found.workdir(), repo.path));
    CHECK(fs::equivalent(found.git_dir(), repo.path / ".git"));
    CHECK(fs::equivalent(found.common_dir(), repo.path / ".git"));
    CHECK_FALSE(found.has_commits());
}

TEST_CASE("a linked worktree shares the main clone's common dir") {
    TempRepo repo;
    REQUIRE(run_git({"-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty",
                     "-m", "x"},
                    repo.path)
                .status == 0);
    REQUIRE(run_git({"worktree", "add", "-q", "-b", "side", (repo.path / "wt").string()}, repo.path)
                .status == 0);
    const auto found = GitRepo::discover(repo.path / "wt");
    CHECK(fs::equivalent(found.workdir(), repo.path / "wt"));
    CHECK(fs::equivalent(found.common_dir(), repo.path / ".git"));
    CHECK(found.has_commits());
}

TEST_CASE("outside a repository discovery names what to do") {
    knot::test::TempDir dir;
    CHECK_THROWS_WITH(GitRepo::discover(dir.path()), Catch::Contains("not a git repository"));
}

TEST_CASE("a bare repository, or its git dir, is named as such rather than as no repository") {
    knot::test::TempDir dir;
    REQUIRE(
        run_git({"init", "-q", "--bare", (dir.path() / "bare.git").string()}, dir.path()).status ==
        0);
    CHECK_THROWS_WITH(GitRepo::discover(dir.path() / "bare.git"),
                      Catch::Contains("this is a bare repository"));
    CHECK_THROWS_WITH(GitRepo::discover(dir.path() / "bare.git" / "objects"),
                      Catch::Contains("this is a bare repository"));
    TempRepo repo;
    CHECK_THROWS_WITH(GitRepo::discover(repo.path / ".git"),
                      Catch::Contains("inside a git directory"));
}

TEST_CASE("config written through git is read back natively, and unset removes it") {
    TempRepo repo;
    auto found = GitRepo::discover(repo.path);
    found.config_set("knot.name", "coder-1");
    found.config_set("knot.server", "http://127.0.0.1:8787");
    CHECK(found.config_get("knot.name") == "coder-1");
    CHECK(found.config_get("knot.server") == "http://127.0.0.1:8787");
    CHECK(run_git({"config", "--get", "knot.name"}, repo.path).out == "coder-1\n");
    found.config_unset("knot.name");
    CHECK_FALSE(found.config_get("knot.name"));
    found.config_unset("knot.name"); // unsetting twice is fine
}

TEST_CASE("set_remote replaces a remote with exactly the given refspecs") {
    TempRepo repo;
    auto found = GitRepo::discover(repo.path);
    found.set_remote("knot", "knot::http://h:1/rm_0123456789abcdef", "+refs/knot/*:refs/knot/*",
                     "refs/heads/*:refs/knot/a/*");
    found.set_remote("knot", "knot::http://h:2/rm_0123456789abcdef", "+refs/knot/*:refs/knot/*",
                     "refs/heads/*:refs/knot/b/*");
    CHECK(found.remote_url("knot") == "knot::http://h:2/rm_0123456789abcdef");
    CHECK(run_git({"config", "--get-all", "remote.knot.push"}, repo.path).out ==
          "refs/heads/*:refs/knot/b/*\n");
    CHECK(found.remote_names() == std::vector<std::string>{"knot"});
}

TEST_CASE("an exclude pattern is added once") {
    TempRepo repo;
    auto found = GitRepo::discover(repo.path);
    found.add_exclude("/.knot/playbook.md");
    found.add_exclude("/.knot/playbook.md");
    const std::string text = read_file(repo.path / ".git" / "info" / "exclude");
    CHECK(text.find("/.knot/playbook.md") == text.rfind("/.knot/playbook.md"));
}

TEST_CASE("a clone's room is stored in git config and a private token file") {
    TempRepo repo;
    Clone clone(GitRepo::discover(repo.path));
    CHECK_FALSE(clone.room());
    CHECK_THROWS_WITH(clone.require_room(), Catch::Contains("git knot join"));
    const RoomConfig room{"http://127.0.0.1:9", "rm_0123456789abcdef", std::string(64, 'c'),
                          "ag_0123456789abcdef"};
    clone.save_room(room);
    const auto loaded = clone.room();
    REQUIRE(loaded);
    CHECK(loaded->server == room.server);
    CHECK(loaded->token == room.token);
    struct stat st {};
    REQUIRE(::stat(clone.token_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // The token never goes into git config, which others may read.
    CHECK(read_file(repo.path / ".git" / "config").find(room.token) == std::string::npos);
}

TEST_CASE("an identity is created once, private, and loaded back") {
    TempRepo repo;
    Clone clone(GitRepo::discover(repo.path));
    CHECK_FALSE(clone.has_identity());
    const auto made = clone.create_identity();
    CHECK(clone.identity().public_key() == made.public_key());
    CHECK_THROWS_AS(clone.create_identity(), Error);
    struct stat st {};
    REQUIRE(::stat(clone.knot_dir().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
}
