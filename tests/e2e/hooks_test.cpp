// End to end: the hooks `git knot init` and `join` install, driven by the real `git commit`,
// `git push` (to a plain file:// remote), `git pull` and `git checkout`, against a room hosted
// by `git knot up`, with the server up and down. The clone's agent is agent_test.cpp's.
#include "tests/e2e/hooks_steps.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::test;
using namespace knot::test::hooks;
namespace fs = std::filesystem;

TEST_CASE("a commit claims its staged paths, and another agent's commit of one is refused") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    const std::string agent_a = git_config(a, "knot.agent");
    write_file(a / ".git/knot/intent", "fix the parser\n");

    const auto first = commit(a, "src/a.c", "int a;\n");
    INFO(first.err);
    REQUIRE(first.status == 0);
    CHECK(first.err.empty());
    CHECK(locks(a) == std::map<std::string, std::string>{{"src/a.c", agent_a}});

    const std::string before = head_of(b);
    const auto refused = commit(b, "src/a.c", "int b;\n");
    CHECK(refused.status == 1);
    CHECK(head_of(b) == before);
    CHECK(refused.err.find("knot: commit refused") != std::string::npos);
    CHECK(refused.err.find("src/a.c  locked by coder-1 (\"fix the parser\"), expires in ") !=
          std::string::npos);
    CHECK(refused.err.find("--no-verify") == std::string::npos);
    CHECK(refused.err.find("the room's server refuses") != std::string::npos);

    SECTION("--no-verify bypasses the check, and claims nothing") {
        const auto forced = sh("git commit -q --no-verify -m forced", b);
        CHECK(forced.status == 0);
        CHECK(head_of(b) != before);
        CHECK(locks(a) == std::map<std::string, std::string>{{"src/a.c", agent_a}});
    }
    SECTION("the holder commits the path again, renewing its own lock") {
        CHECK(commit(a, "src/a.c", "int a2;\n").status == 0);
        CHECK(locks(a) == std::map<std::string, std::string>{{"src/a.c", agent_a}});
    }
    SECTION("a commit of other paths goes through") {
        REQUIRE(sh("git reset -q", b).status == 0);
        CHECK(commit(b, "src/b.c", "int b;\n").status == 0);
        CHECK(locks(a).at("src/b.c") == git_config(b, "knot.agent"));
    }
    SECTION("with knot.autolock off a commit claims nothing and checks nothing") {
        REQUIRE(sh("git config knot.autolock off && git commit -q -m mine", b).status == 0);
        CHECK(locks(a).size() == 1);
    }
}

TEST_CASE("a push to a plain remote of a path another agent holds is refused, others announced") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    const auto backup = room.dir() / "backup.git";
    REQUIRE(sh("git init -q --bare '" + backup.string() + "'", room.dir()).status == 0);
    REQUIRE(sh("git remote add backup 'file://" + backup.string() + "'", b).status == 0);
    REQUIRE(commit(a, "src/a.c", "int a;\n").status == 0);

    // b's own work goes out, and the room hears of the push.
    REQUIRE(commit(b, "src/other.c", "int o;\n").status == 0);
    const auto pushed = sh("git push -q backup HEAD:refs/heads/main", b);
    INFO(pushed.err);
    REQUIRE(pushed.status == 0);
    const auto notices = events(b, "sync.pushing");
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].at("agent") == git_config(b, "knot.agent"));
    CHECK(notices[0].at("data").at("remote") == "backup");
    CHECK(notices[0].at("data").at("paths") == nlohmann::json{"src/other.c"});
    CHECK(notices[0].at("data").at("refs").at(0).at("ref") == "refs/heads/main");
    CHECK(notices[0].at("data").at("refs").at(0).at("new") == head_of(b));

    // A commit made past the lock (--no-verify) cannot be pushed past it.
    REQUIRE(commit(b, "src/a.c", "int b;\n", "--no-verify").status == 0);
    const auto refused = sh("git push -q backup HEAD:refs/heads/main", b);
    CHECK(refused.status != 0);
    CHECK(refused.err.find("knot: push refused") != std::string::npos);
    CHECK(refused.err.find("src/a.c  locked by coder-1") != std::string::npos);
    CHECK(refused.err.find("--no-verify") == std::string::npos);
    CHECK(sh("git rev-parse refs/heads/main", backup).out.substr(0, 40) !=
          head_of(b)); // nothing was sent
    CHECK(events(b, "sync.pushing").size() == 1);

    SECTION("git push --no-verify bypasses the check") {
        CHECK(sh("git push -q --no-verify backup HEAD:refs/heads/main", b).status == 0);
    }
    SECTION("deleting a ref touches no path and is not refused") {
        REQUIRE(sh("git push -q --no-verify backup HEAD:refs/heads/old", b).status == 0);
        const auto deleted = sh("git push -q backup :refs/heads/old", b);
        INFO(deleted.err);
        CHECK(deleted.status == 0);
        CHECK(events(b, "sync.pushing").size() == 2);
    }
}

TEST_CASE("a team's own pre-commit hook still runs and still blocks, and uninstall restores it") {
    HostedRoom room;
    const auto c = room.clone("coder-1");
    const std::string own = "#!/bin/sh\necho ran >>\"$(git rev-parse --git-dir)/own-hook.log\"\n"
                            "test ! -e block\n";
    write_file(c / ".git/hooks/pre-commit", own);
    ::chmod((c / ".git/hooks/pre-commit").c_str(), 0750);
    const auto joined = sh("git knot join '" + room.invite() + "' --name coder-1", c);
    INFO(joined.err);
    REQUIRE(joined.status == 0);
    CHECK(joined.out.find("pre-commit chained") != std::string::npos);

    REQUIRE(commit(c, "a.txt", "1").status == 0);
    CHECK(slurp(c / ".git/own-hook.log") == "ran\n");
    CHECK(locks(c).count("a.txt") == 1);

    write_file(c / "block", "");
    const auto blocked = commit(c, "b.txt", "2");
    CHECK(blocked.status == 1);
    CHECK(slurp(c / ".git/own-hook.log") == "ran\nran\n");
    CHECK(locks(c).count("b.txt") == 0); // knot's part never ran

    const auto removed = sh("git knot init --uninstall-hooks", c);
    CHECK(removed.status == 0);
    CHECK(removed.out.find("pre-commit restored") != std::string::npos);
    CHECK(slurp(c / ".git/hooks/pre-commit") == own);
    CHECK(mode_of(c / ".git/hooks/pre-commit") == 0750);
    CHECK_FALSE(fs::exists(c / ".git/hooks/pre-commit.knot-orig"));
    CHECK_FALSE(fs::exists(c / ".git/hooks/pre-push"));
    fs::remove(c / "block");
    REQUIRE(commit(c, "c.txt", "3").status == 0);
    CHECK(locks(c).count("c.txt") == 0);
}

TEST_CASE("core.hooksPath is where the hooks go and where git runs them from") {
    HostedRoom room;
    const auto c = room.clone("coder-1");
    REQUIRE(sh("git config core.hooksPath .githooks", c).status == 0);
    REQUIRE(sh("git knot join '" + room.invite() + "' --name coder-1", c).status == 0);
    CHECK(fs::exists(c / ".githooks/pre-commit"));
    CHECK_FALSE(fs::exists(c / ".git/hooks/pre-commit"));
    REQUIRE(sh("echo /.githooks/ >>.git/info/exclude", c).status == 0);
    REQUIRE(commit(c, "a.txt", "1").status == 0);
    CHECK(locks(c).count("a.txt") == 1);
}

TEST_CASE("with the server down a commit goes on with one warning, and the report arrives later") {
    const int port = free_port();
    HostedRoom room(port);
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot down", room.host()).status == 0);

    const auto offline = commit(a, "src/a.c", "int a;\n");
    INFO(offline.err);
    CHECK(offline.status == 0);
    CHECK(count_lines(offline.err) == 1);
    CHECK(offline.err.rfind("knot: warning: ", 0) == 0);
    CHECK(outbox_size(a) == 1);

    // A push to a plain remote goes on too, its notice queued behind the lock claim.
    const auto backup = room.dir() / "backup.git";
    REQUIRE(sh("git init -q --bare '" + backup.string() + "'", room.dir()).status == 0);
    const auto pushed = sh("git push -q 'file://" + backup.string() + "' HEAD:refs/heads/x", a);
    CHECK(pushed.status == 0);
    CHECK(count_lines(pushed.err) == 1);
    CHECK(outbox_size(a) == 2);

    const auto up = sh("git knot up --port " + std::to_string(port) + " --no-tunnel", room.host());
    INFO(up.err);
    REQUIRE(up.status == 0);
    const auto online = commit(a, "src/b.c", "int b;\n");
    INFO(online.err);
    CHECK(online.status == 0);
    CHECK(online.err.empty());
    CHECK(outbox_size(a) == 0);
    const std::string agent = git_config(a, "knot.agent");
    CHECK(locks(a) == std::map<std::string, std::string>{{"src/a.c", agent}, {"src/b.c", agent}});
    const auto notices = events(a, "sync.pushing");
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].at("data").at("paths") == nlohmann::json{"src/a.c"});
}

TEST_CASE("a pull or a checkout reports the new head and releases locks integration has") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const std::string agent = git_config(a, "knot.agent");
    REQUIRE(commit(a, "src/a.c", "int a;\n").status == 0);
    // As if fetched from knot: the integration agent has taken this commit.
    REQUIRE(sh("git update-ref refs/knot/integration HEAD", a).status == 0);
    REQUIRE(commit(a, "src/b.c", "int b;\n").status == 0);
    REQUIRE(commit(room.host(), "host.txt", "h").status == 0);

    const auto pulled = sh("git pull -q --no-rebase --no-edit origin main", a);
    INFO(pulled.err);
    REQUIRE(pulled.status == 0);
    CHECK(pulled.err.find("released 1 lock") != std::string::npos);
    CHECK(locks(a) == std::map<std::string, std::string>{{"src/b.c", agent}});
    auto heads = events(a, "agent.head");
    REQUIRE(heads.size() == 1);
    CHECK(heads[0].at("agent") == agent);
    CHECK(heads[0].at("data").at("branch") == "refs/heads/main");
    CHECK(heads[0].at("data").at("commit") == head_of(a));

    REQUIRE(sh("git checkout -q -b topic", a).status == 0);
    REQUIRE(sh("git checkout -q main -- src/a.c", a).status == 0); // files only: no report
    heads = events(a, "agent.head");
    REQUIRE(heads.size() == 2);
    CHECK(heads[1].at("data").at("branch") == "refs/heads/topic");

    REQUIRE(sh("git commit -q --amend -m amended", a).status == 0); // post-rewrite
    heads = events(a, "agent.head");
    REQUIRE(heads.size() == 3);
    CHECK(heads[2].at("data").at("commit") == head_of(a));
}
