// End to end: plain `git push knot` and `git fetch knot` through git-remote-knot against a room
// hosted by `git knot up`, which keeps the room's objects in its own bare repository (hosted
// mode: knot.forge is none; sync_forge_test.cpp covers forge mode).
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace knot::test;
namespace fs = std::filesystem;

TEST_CASE("a push through knot reaches a teammate's fetch, and a second push sends only news") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    const std::string first = commit_file(a, "src/a.txt", "one\n");
    REQUIRE(run("git push -q knot main", a).status == 0);

    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == first);
    CHECK(sh("git show refs/knot/coder-1/main:src/a.txt", b).out == "one\n");

    auto events = pushes(b);
    REQUIRE(events.size() == 1);
    // The pre-push hook announces only pushes that bypass knot; this one is sync.pushed.
    CHECK(sh("git knot log --json", b).out.find("\"sync.pushing\"") == std::string::npos);
    const auto& data = events[0].at("data");
    CHECK(data.at("ref") == "refs/knot/coder-1/main");
    CHECK(data.at("old") == std::string(40, '0'));
    CHECK(data.at("new") == first);
    CHECK(data.at("files").dump().find("src/a.txt") != std::string::npos);

    // The server has the first commit: the second pack holds the commit, the root tree, the
    // src tree and one blob.
    const std::string second = commit_file(a, "src/b.txt", "two\n");
    REQUIRE(run("git push -q knot main", a).status == 0);
    events = pushes(b);
    REQUIRE(events.size() == 2);
    CHECK(events[1].at("data").at("old") == first);
    CHECK(events[1].at("data").at("new") == second);
    CHECK(events[1].at("data").at("objects") == 4);
    CHECK(events[1].at("data").at("files") == nlohmann::json::array({"src/b.txt"}));

    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == second);
    CHECK(sh("git show refs/knot/coder-1/main:src/b.txt", b).out == "two\n");
    // Nothing new: a fetch that has everything succeeds and changes nothing.
    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == second);
}

TEST_CASE("a rewritten branch is refused without force and replaces the ref with it") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    commit_file(a, "notes.txt", "draft\n");
    REQUIRE(run("git push -q knot main", a).status == 0);

    std::ofstream(a / "notes.txt") << "rewritten\n";
    REQUIRE(sh("git commit -q -a --amend -m rewritten", a).status == 0);
    const std::string rewritten = rev(a, "HEAD");
    const auto refused = run("git push knot main", a);
    CHECK(refused.status != 0);
    CHECK(refused.err.find("rejected") != std::string::npos);
    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") != rewritten);

    REQUIRE(run("git push -q -f knot main", a).status == 0);
    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == rewritten);
    CHECK(sh("git show refs/knot/coder-1/main:notes.txt", b).out == "rewritten\n");
}

TEST_CASE("an agent cannot move another agent's ref or the integration ref") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    commit_file(a, "x.txt", "x\n");
    const auto theirs = run("git push knot main:refs/knot/coder-2/x", a);
    CHECK(theirs.status != 0);
    CHECK(theirs.err.find("may only move refs under refs/knot/coder-1/") != std::string::npos);
    const auto integration = run("git push knot main:refs/knot/integration", a);
    CHECK(integration.status != 0);

    REQUIRE(run("git fetch -q knot", b).status == 0);
    // Nothing but the room's base, where `up` started refs/knot/integration.
    CHECK(sh("git for-each-ref --format='%(refname)' refs/knot", b).out ==
          "refs/knot/integration\n");
    CHECK(rev(b, "refs/knot/integration") == rev(room.host(), "HEAD"));
    CHECK(pushes(b).empty());
}

TEST_CASE("the helper refuses a clone that has not joined the room the URL names") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto stranger = room.clone("stranger");
    const std::string url = git_config(a, "remote.knot.url");
    REQUIRE(!url.empty());
    const auto r = run("git fetch '" + url + "' 'refs/knot/*:refs/knot/*'", stranger);
    CHECK(r.status != 0);
    CHECK(r.err.find("has not joined room") != std::string::npos);
}

TEST_CASE("a server killed during a push leaves a sound repository, and the retry succeeds") {
    const int port = free_port();
    HostedRoom room(port);
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    // Enough incompressible data that the upload takes a while on loopback.
    REQUIRE(run("head -c 24000000 /dev/urandom > big.bin && git add big.bin && "
                "git commit -q -m big",
                a)
                .status == 0);
    const std::string tip = rev(a, "HEAD");
    const auto record = room.server_record();
    {
        BackgroundCommand push("git push -q knot main 2>/dev/null; echo exit=$?", a);
        // Whenever the kill lands (before, during or after the upload), what follows must hold.
        REQUIRE(::kill(record.at("pid").get<int>(), SIGKILL) == 0);
        const auto line = push.next_line(60000);
        REQUIRE(line);
        CHECK(line->rfind("exit=", 0) == 0);
    }
    REQUIRE(
        run("git knot up --port " + std::to_string(port) + " --no-tunnel", room.host()).status ==
        0);
    // The room's repository is sound: nothing half-written is reachable.
    // (It exists only when the upload reached the server before the kill.)
    const auto repos = room.host() / ".git/knot/server/repos";
    std::error_code none_yet;
    for (const auto& entry : fs::directory_iterator(repos, none_yet))
        CHECK(run("git --git-dir='" + entry.path().string() + "' fsck --no-dangling", a).status ==
              0);
    const auto retry = run("git push -q knot main", a);
    CHECK(retry.status == 0);
    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == tip);
}

TEST_CASE("push and fetch through knot show git's progress meters when git asks for them") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    commit_file(a, "src/a.txt", "one\n");
    const auto pushed = run("git push --progress knot main", a);
    REQUIRE(pushed.status == 0);
    CHECK(pushed.err.find("Writing objects: 100%") != std::string::npos);
    const auto fetched = run("git fetch --progress knot", b);
    REQUIRE(fetched.status == 0);
    CHECK(fetched.err.find("Receiving objects: 100%") != std::string::npos);

    // Without a terminal or --progress, git asks for none and none is shown.
    commit_file(a, "src/b.txt", "two\n");
    const auto quiet = run("git push knot main", a);
    REQUIRE(quiet.status == 0);
    CHECK(quiet.err.find("objects:") == std::string::npos);
}

TEST_CASE("a pushed event lists each file added, changed or removed, however deep") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    REQUIRE(run("mkdir -p a/b g && echo 1 > a/b/c.txt && echo 1 > a/d.txt && echo 1 > e.txt && "
                "echo 1 > f && echo 1 > g/h.txt && git add -A && git commit -q -m first",
                a)
                .status == 0);
    REQUIRE(run("git push -q knot main", a).status == 0);
    // Changed, added beside it, removed, a file become a folder and a folder become a file;
    // e.txt is untouched.
    REQUIRE(run("echo 2 > a/b/c.txt && echo 1 > a/b/new.txt && git rm -q a/d.txt f && "
                "mkdir f && echo 1 > f/x.txt && git rm -q -r g && echo 1 > g && "
                "git add -A && git commit -q -m second",
                a)
                .status == 0);
    REQUIRE(run("git push -q knot main", a).status == 0);
    const auto events = pushes(a);
    REQUIRE(events.size() == 2);
    CHECK(events[1].at("data").at("files") ==
          nlohmann::json::array(
              {"a/b/c.txt", "a/b/new.txt", "a/d.txt", "f", "f/x.txt", "g", "g/h.txt"}));
}

TEST_CASE("a fetch whose pack arrives broken fails and moves no ref") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    // Large enough that the pack streams in many pieces.
    REQUIRE(run("head -c 3000000 /dev/urandom > big.bin && git add big.bin && "
                "git commit -q -m big",
                a)
                .status == 0);
    REQUIRE(run("git push -q knot main", a).status == 0);
    // Damage the middle of the room's largest pack: the server's pack-objects stops partway
    // through the body it has begun to send.
    const auto damaged = run("cd .git/knot/server/repos/*.git/objects/pack && "
                             "pack=$(ls -S *.pack | head -n 1) && chmod u+w \"$pack\" && "
                             "printf 'broken!broken!broken!' | dd of=\"$pack\" bs=1 "
                             "seek=$(($(wc -c < \"$pack\") / 2)) conv=notrunc 2>/dev/null",
                             room.host());
    REQUIRE(damaged.status == 0);

    const auto fetched = run("git fetch -q knot", b);
    CHECK(fetched.status != 0);
    CHECK(fetched.err.find("git-remote-knot") != std::string::npos);
    CHECK(rev(b, "refs/knot/coder-1/main").empty());
    CHECK(run("git fsck --no-dangling", b).status == 0);
}

TEST_CASE(
    "a plain git push knot pushes the current branch only, and a named branch or --all theirs") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    commit_file(a, "src/base.txt", "base\n");
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    REQUIRE(run("git checkout -q -b wip && echo wip > wip.txt && git add wip.txt && "
                "git commit -q -m wip && git checkout -q main && git checkout -q -b task",
                a)
                .status == 0);
    const std::string task = commit_file(a, "src/task.txt", "task\n");

    // Without a refspec: the branch checked out, to this agent's ref of the same name.
    const auto pushed = run("git push knot", a);
    REQUIRE(pushed.status == 0);
    CHECK(pushed.err.find("refs/knot/coder-1/task") != std::string::npos);
    const auto listed = [&] { return trimmed(run("git ls-remote knot 'refs/knot/*'", a).out); };
    CHECK(listed().find("refs/knot/coder-1/task") != std::string::npos);
    CHECK(listed().find("refs/knot/coder-1/wip") == std::string::npos);
    CHECK(rev(a, "refs/knot/coder-1/task") == task);
    // A new branch's event lists what it changed beside the integration, not every file.
    const auto events_now = pushes(a);
    REQUIRE(events_now.size() == 2);
    CHECK(events_now[1].at("data").at("ref") == "refs/knot/coder-1/task");
    CHECK(events_now[1].at("data").at("files") == nlohmann::json::array({"src/task.txt"}));
    // Again with nothing new: git knows the ref is there and sends nothing.
    const auto again = run("git push knot", a);
    CHECK(again.status == 0);
    CHECK(again.err.find("Everything up-to-date") != std::string::npos);
    CHECK(pushes(a).size() == 2);

    // A branch named on the command line, and --all, still push theirs.
    REQUIRE(run("git push -q knot wip", a).status == 0);
    CHECK(listed().find("refs/knot/coder-1/wip") != std::string::npos);
    REQUIRE(run("git branch more", a).status == 0);
    REQUIRE(run("git push -q knot --all", a).status == 0);
    CHECK(listed().find("refs/knot/coder-1/more") != std::string::npos);
    CHECK(pushes(a).size() == 4);
}
