// End to end: what man/git-knot.1 promises about exit statuses and words holds for the real
// git-knot: usage errors in knot's words with 129, log's -n, --since and --verify --json,
// --force by a member, re-claiming one's own task, the intent a commit's renewal keeps, plan
// with a goal alone, the end of a follower on a signal, hooks with the server down, and a claim
// whose worktree cannot be made.
#include "tests/support/git_steps.hpp"
#include "tests/support/hosted_room.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <string>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// The lock on `path` in `git knot locks --json`, or null.
nlohmann::json lock_on(const fs::path& repo, const std::string& path) {
    const auto listed = json_of(sh("git knot locks --json", repo));
    for (const auto& lock : listed.at("locks"))
        if (lock.at("path") == path)
            return lock;
    return nullptr;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++count;
    return count;
}

} // namespace

TEST_CASE("usage errors name the command and say what is wrong in knot's words, with 129") {
    prepare_e2e_environment();
    TempDir dir;
    make_repository(dir.path() / "repo");
    const fs::path repo = dir.path() / "repo";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"git knot lock", "git knot lock: missing <paths>... (see 'git knot lock --help')"},
        {"git knot locks --bogus", "git knot locks: unknown option '--bogus'"},
        {"git knot locks extra", "git knot locks: unexpected argument 'extra'"},
        {"git knot log --since -5", "git knot log: --since: '-5' is not a number of 0 or more"},
        {"git knot log -n -1", "git knot log: -n: '-1' is not a number of 0 or more"},
        {"git knot log -n", "git knot log: -n needs a value"},
        {"git knot sync --push-only --pull-only",
         "git knot sync: --push-only and --pull-only cannot be used together"},
        {"git knot check -n 0 --history", "git knot check: -n: '0' is not a number from 1 to 500"},
        {"git knot claim tx", "git knot claim: 'tx' is not a task id"},
        {"git knot review --reject rev_1", "git knot review: --reject needs --reason"},
        {"git knot review --watch --approve rev_1", "git knot review: give one of <id>"},
        {"git knot frobnicate", "git knot: 'frobnicate' is not a git knot command"},
    };
    for (const auto& [command, words] : cases) {
        INFO(command);
        const auto r = sh(command, repo);
        CHECK(r.status == 129);
        CHECK(r.err.rfind(words, 0) == 0);
        for (const char* cli11 : {"is required", "not expected", "Could not convert",
                                  "Usage:", "excludes", "required INT missing", "git-knot: usage"})
            CHECK(r.err.find(cli11) == std::string::npos);
    }
    const auto help = sh("git knot locks --help", repo);
    CHECK(help.status == 0);
    CHECK(help.out.find("usage: git knot locks [OPTIONS]") != std::string::npos);
}

TEST_CASE("a bare repository and a git dir are named as such, with 128") {
    prepare_e2e_environment();
    TempDir dir;
    REQUIRE(sh("git init -q --bare bare.git", dir.path()).status == 0);
    const auto bare = sh("git knot status", dir.path() / "bare.git");
    CHECK(bare.status == 128);
    CHECK(bare.err.find("this is a bare repository") != std::string::npos);
    CHECK(bare.err.find("not a git repository") == std::string::npos);
}

TEST_CASE("log -n 0 prints none of the past, and log --verify --json prints JSON") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot say one && git knot say two", a).status == 0);

    const auto none = sh("git knot log -n 0", a);
    CHECK(none.status == 0);
    CHECK(none.out.empty());
    const auto last = sh("git knot log -n 2 --json", a);
    REQUIRE(last.status == 0);
    CHECK(count_of(last.out, "\n") == 2);
    CHECK(last.out.find("\"two\"") != std::string::npos);

    const auto verified = json_of(sh("git knot log --verify --json", a));
    CHECK(verified.at("verified") == true);
    CHECK(verified.at("events").get<int>() >= 4);
    CHECK(verified.at("room").get<std::string>().rfind("rm_", 0) == 0);

    // A goal alone goes to knot.planner; with none set nothing is added, and the message says
    // how to set one.
    const auto goal = sh("git knot plan 'add authentication' </dev/null", a);
    CHECK(goal.status == 129);
    CHECK(goal.err.find("git config knot.planner") != std::string::npos);
    CHECK(json_of(sh("git knot tasks --json", a)).at("tasks").empty());
    const auto with_tasks = sh("git knot plan 'add authentication' -t 'JWT middleware'", a);
    CHECK(with_tasks.status == 0);
    CHECK(json_of(sh("git knot tasks --json", a)).at("tasks").size() == 1);
}

TEST_CASE("lock --force by a member is refused with 1 in one sentence, and join counts members") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto forced = sh("git knot lock --force notes.txt", a);
    CHECK(forced.status == 1);
    CHECK(forced.err == "git-knot: only the room's owner may force; nothing was locked\n");

    // join --json counts the members as status counts its agents: the server's agent aside.
    const auto b = room.clone("coder-2");
    const auto joined =
        json_of(sh("git knot join --name coder-2 --json '" + room.invite() + "'", b));
    const auto status = json_of(sh("git knot status --json", b));
    CHECK(joined.at("members") == status.at("counts").at("agents"));
    CHECK(joined.at("members") == 3);
}

TEST_CASE("claiming one's own task again, from its worktree, keeps it and names the worktree") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot plan -t 'the task'", a).status == 0);
    const auto first = json_of(sh("git knot claim t1 --json", a));
    const fs::path worktree = first.at("worktree").get<std::string>();

    const auto again = sh("git knot claim t1", worktree);
    INFO(again.err);
    CHECK(again.status == 0);
    CHECK(again.out.find("worktree " + worktree.string() + " on branch knot/t1") !=
          std::string::npos);
    CHECK(sh("git knot claim t1", a).status == 0);
    CHECK(sh("git knot claim t1 --no-worktree", a).status == 0);
    const auto elsewhere = sh("git knot claim t1 --path '" + (room.dir() / "x").string() + "'", a);
    CHECK(elsewhere.status == 128);
    CHECK(elsewhere.err.find("t1 stays claimed by you") != std::string::npos);

    const auto task = json_of(sh("git knot tasks --json", a)).at("tasks").at(0);
    CHECK(task.at("status") == "claimed");
    CHECK(task.at("claimed_by_name") == "coder-1");
}

TEST_CASE("a commit renews a lock with its own intent and names new locks after the last doing") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot doing 'the parser' --files parse.c", a).status == 0);
    REQUIRE(sh("git knot lock -m 'the lexer' lex.c", a).status == 0);
    REQUIRE(sh("echo x > lex.c && echo y > new.c && git add lex.c new.c && git commit -qm work", a)
                .status == 0);
    CHECK(lock_on(a, "lex.c").at("intent") == "the lexer");
    CHECK(lock_on(a, "new.c").at("intent") == "the parser");
    // An explicit lock or doing still replaces a held lock's intent.
    REQUIRE(sh("git knot doing 'both' --files lex.c", a).status == 0);
    CHECK(lock_on(a, "lex.c").at("intent") == "both");
}

TEST_CASE("a follower ends with 0 on a signal, and through git with the signal git got") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    for (const int signal : {SIGINT, SIGTERM}) {
        // The shell prints the follower's pid, waits, and prints its status.
        BackgroundCommand follow(
            "git-knot log --follow & echo \"pid=$!\"; wait $!; echo \"status=$?\"", a);
        const auto pid_line = follow.next_line(20000);
        REQUIRE(pid_line);
        const int pid = std::stoi(pid_line->substr(4));
        REQUIRE(follow.next_line(20000)); // the log's first event: it is following
        REQUIRE(::kill(pid, signal) == 0);
        std::optional<std::string> line;
        while ((line = follow.next_line(20000)) && line->rfind("status=", 0) != 0) {
        }
        REQUIRE(line);
        CHECK(*line == "status=0");
    }
    // Run as `git knot`, git gets the signal too and ends by it once git-knot has exited.
    BackgroundCommand through_git(
        "exec 2>/dev/null; git knot log --follow & echo \"pid=$!\"; wait $!; echo \"status=$?\"",
        a); // (the shell's "Terminated" is not wanted on the test's output)
    const auto pid_line = through_git.next_line(20000);
    REQUIRE(pid_line);
    REQUIRE(through_git.next_line(20000));
    REQUIRE(::kill(std::stoi(pid_line->substr(4)), SIGTERM) == 0);
    std::optional<std::string> line;
    while ((line = through_git.next_line(20000)) && line->rfind("status=", 0) != 0) {
    }
    REQUIRE(line);
    CHECK(*line == "status=143");
}

TEST_CASE("with the server down every hook run warns in one line and git goes on") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot down", room.host()).status == 0);
    for (const char* file : {"one.txt", "two.txt"}) {
        const auto commit = sh(std::string("echo x > ") + file + " && git add " + file +
                                   " && git commit -qm " + file,
                               a);
        CHECK(commit.status == 0);
        CHECK(count_of(commit.err, "knot: warning: cannot reach the knot server") == 1);
        CHECK(count_of(commit.err, "\n") == 1);
    }
}

TEST_CASE("a claim whose worktree cannot be made is given back, and says so only when it was") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot plan -t 'first' -t 'second'", a).status == 0);

    // git refuses a worktree in a directory that is not empty: the claim is given back.
    const fs::path taken = room.dir() / "taken";
    write_file(taken / "file.txt", "x\n");
    const auto refused = sh("git knot claim t1 --path '" + taken.string() + "'", a);
    CHECK(refused.status == 128);
    CHECK(refused.err.find("(claim given back)") != std::string::npos);
    CHECK(json_of(sh("git knot tasks --json", a)).at("tasks").at(0).at("status") == "open");

    // A post-checkout hook that stops the server and fails: git worktree add fails, and so
    // does giving the claim back. The task stays claimed, and the message says so.
    const fs::path hook = a / ".git" / "hooks" / "post-checkout";
    write_file(hook, "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\ncd '" +
                         room.host().string() + "' && git knot down >/dev/null 2>&1\nexit 1\n");
    fs::permissions(hook, fs::perms::owner_all);
    const auto stranded = sh("git knot claim t2", a);
    INFO(stranded.err);
    CHECK(stranded.status == 128);
    CHECK(stranded.err.find("claim given back") == std::string::npos);
    CHECK(stranded.err.find("t2 stays claimed by you") != std::string::npos);
    CHECK(stranded.err.find("git knot release t2") != std::string::npos);
}
