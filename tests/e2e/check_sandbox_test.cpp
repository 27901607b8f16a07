// End to end: a member's pushed checks run in the server's sandbox. Checks that try to read the
// server's token, key and database or another room's repository, to reach the server over
// loopback or to write outside their tree all fail inside the check and leave no trace; the
// limits stop a fork bomb and a memory hog; a server without bubblewrap refuses checks instead
// of running them unconfined; only the host's --unsandboxed-checks runs them with its rights.
// Real server (git knot up), real pushes, every wait on the room's events.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

std::string commit_all(const fs::path& repo, const std::string& message) {
    REQUIRE(run("git add -A && git commit -q -m '" + message + "'", repo).status == 0);
    return rev(repo, "HEAD");
}

fs::path data_dir(const HostedRoom& room) {
    return room.host() / ".git/knot/server";
}

// The room's scratch area, where its checks write (seen inside the sandbox as /knot).
fs::path scratch_work(const HostedRoom& room) {
    return data_dir(room) / "scratch" / room.repository().stem() / "work";
}

std::string text_of(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The log of run `number`, as `git knot check --log` prints it.
std::string run_log(const fs::path& repo, int number) {
    return run("git knot check --log " + std::to_string(number), repo).out;
}

// Pushes `repo`'s HEAD and returns the event that ended its run, with the run's log attached
// as "log" and how its checks ran (the run's detail.checks.sandbox) as "sandbox".
nlohmann::json push_and_wait(RoomEvents& events, const fs::path& repo) {
    auto ended = events.push(repo);
    const int number = ended.at("data").at("run").get<int>();
    ended["log"] = run_log(repo, number);
    const auto history =
        nlohmann::json::parse(run("git knot check --history --json", repo).out).at("runs");
    for (const auto& entry : history)
        if (entry.at("run") == number)
            ended["sandbox"] = entry.at("detail").at("checks").value("sandbox", "");
    return ended;
}

// Restarts the room's server on its port (so the clones keep their URL), with `prefix` before
// `git knot up` (an environment) and `flags` after it.
void restart(const HostedRoom& room, int port, const std::string& prefix,
             const std::string& flags) {
    REQUIRE(run("git knot down", room.host()).status == 0);
    const auto up =
        run(prefix + " git knot up --port " + std::to_string(port) + " --no-tunnel " + flags,
            room.host());
    INFO(up.err);
    REQUIRE(up.status == 0);
}

// Every attack of the issue, each an attempt that must fail inside the sandbox. The script
// exits 0 only when all of them failed (and it ran as someone other than root); it names each
// attempt, never a path, so its output shows no server path either.
constexpr const char* k_attacks = R"sh(#!/bin/sh
# usage: attacks.sh <data dir> <other room's repository> <server port> <room repository> <host clone>
escaped=0
attempt() {
    what=$1; shift
    if "$@" >/dev/null 2>&1; then echo "ESCAPED: $what"; escaped=1; else echo "blocked: $what"; fi
}
attempt "read the admin token" cat "$1/admin.token"
attempt "read the server key" cat "$1/server.key"
attempt "read the database" cat "$1/knot.db"
attempt "list the data directory" ls "$1/repos"
attempt "read another room's repository" cat "$2/config"
attempt "connect to the server over loopback" bash -c "exec 3<>/dev/tcp/127.0.0.1/$3"
attempt "write into the room's repository" sh -c "echo pwned > '$4/pwned'"
attempt "write into the host's clone" sh -c "echo pwned > '$5/pwned'"
attempt "write into the data directory" sh -c "echo pwned > '$1/pwned'"
attempt "read a file only root may read" cat /etc/shadow
if [ "$(id -u)" = 0 ]; then echo "ESCAPED: runs as root"; escaped=1; fi
# /tmp is the check's own: this lands in the room's scratch area, not in the host's /tmp.
echo mine > "/tmp/knot-sandbox-$KNOT_RUN"
echo "pwd=$PWD home=$HOME build=$KNOT_BUILD_DIR scratch=$KNOT_SCRATCH"
exit $escaped
)sh";

} // namespace

TEST_CASE("a pushed check cannot read the server's secrets or another room, reach the network "
          "or write outside its tree") {
    const int port = free_port();
    HostedRoom room(port);
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    commit_file(a, "start.txt", "start\n");
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    const fs::path data = data_dir(room);
    const fs::path own = room.repository();
    const fs::path work = scratch_work(room);
    // Another room's repository on the same server, as the server lays rooms out.
    const fs::path other = data / "repos" / "rm_0123456789abcdef.git";
    REQUIRE(run("git init -q --bare '" + other.string() + "'", room.dir()).status == 0);
    REQUIRE(fs::exists(data / "admin.token"));
    REQUIRE(fs::exists(data / "server.key"));
    REQUIRE(fs::exists(data / "knot.db"));

    write(a / "attacks.sh", k_attacks);
    write(a / ".knot/checks", "sh attacks.sh '" + data.string() + "' '" + other.string() + "' " +
                                  std::to_string(port) + " '" + own.string() + "' '" +
                                  room.host().string() + "'\n");
    commit_all(a, "checks that attack the server");
    const auto ended = push_and_wait(events, a);
    INFO(ended.dump(2));
    CHECK(ended.at("type") == "sync.integrated");
    CHECK(ended.at("sandbox") == "bubblewrap");
    const std::string log = ended.at("log");
    CHECK(log.find("ESCAPED") == std::string::npos);
    CHECK(log.find("blocked: read the admin token") != std::string::npos);
    CHECK(log.find("blocked: connect to the server over loopback") != std::string::npos);
    // The check sees its own paths, never the server's.
    CHECK(log.find("pwd=/knot/tree home=/knot/home build=/knot/build scratch=/knot\n") !=
          std::string::npos);
    const auto output = log.substr(log.find('\n', log.find("$ sh attacks.sh")) + 1);
    CHECK(output.find(data.string()) == std::string::npos);

    // And from outside: nothing was written where the check tried.
    CHECK_FALSE(fs::exists(own / "pwned"));
    CHECK_FALSE(fs::exists(room.host() / "pwned"));
    CHECK_FALSE(fs::exists(data / "pwned"));
    const std::string mine = "knot-sandbox-" + ended.at("data").at("run").dump();
    CHECK_FALSE(fs::exists(fs::path("/tmp") / mine));
    CHECK(text_of(work / "tmp" / mine) == "mine\n");
}

TEST_CASE("a failing sandboxed check's event shows the sandbox's paths, not the server's") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    write(a / ".knot/checks", "echo \"in $PWD with $HOME and $TMPDIR\"; exit 3\n");
    commit_all(a, "a check that fails");
    const auto ended = push_and_wait(events, a);
    REQUIRE(ended.at("type") == "sync.check_failed");
    const std::string data = ended.at("data").dump();
    CHECK(data.find("in /knot/tree with /knot/home and /tmp") != std::string::npos);
    CHECK(data.find("sandboxed: no network") != std::string::npos);
    CHECK(data.find(data_dir(room).string()) == std::string::npos);
    CHECK(data.find(room.dir().string()) == std::string::npos);
}

TEST_CASE("a check's symlinks make the server read or write nothing outside the scratch tree") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    const fs::path data = data_dir(room);
    const std::string token = trimmed(text_of(data / "admin.token"));
    REQUIRE(token.size() > 10);

    // A committed .knot/checks that is a link to the admin token: the plan does not follow it.
    REQUIRE(run("mkdir -p .knot && ln -s '" + (data / "admin.token").string() + "' .knot/checks", a)
                .status == 0);
    commit_all(a, "checks that are a link to the admin token");
    auto ended = push_and_wait(events, a);
    CHECK(ended.dump().find(token) == std::string::npos);

    // A check that swaps its build directory and a tracked directory for links to a directory
    // outside: the next run's checkout and preparation write through neither.
    const fs::path outside = room.dir() / "outside";
    fs::create_directories(outside);
    REQUIRE(run("git rm -q .knot/checks", a).status == 0);
    write(a / "src/one.txt", "one\n");
    write(a / ".knot/checks", "rm -rf src \"$KNOT_BUILD_DIR\" && ln -s '" + outside.string() +
                                  "' src && ln -s '" + outside.string() +
                                  "' \"$KNOT_BUILD_DIR\"\n");
    commit_all(a, "a check that leaves links behind");
    ended = push_and_wait(events, a);
    INFO(ended.dump(2));
    CHECK(ended.at("type") == "sync.integrated");
    REQUIRE(fs::is_symlink(scratch_work(room) / "build")); // it did leave them
    write(a / "src/two.txt", "two\n");
    write(a / ".knot/checks",
          "test -f src/one.txt && test -f src/two.txt && touch \"$KNOT_BUILD_DIR/made\"\n");
    commit_all(a, "a sound check");
    ended = push_and_wait(events, a);
    CHECK(ended.at("type") == "sync.integrated");
    CHECK(fs::is_empty(outside));
    CHECK(fs::is_directory(fs::symlink_status(scratch_work(room) / "build")));
    CHECK(fs::exists(scratch_work(room) / "build" / "made"));
}

TEST_CASE("the sandbox's limits stop a fork bomb, a memory hog and a huge file, and the server "
          "carries on") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    // Each attempt is bounded, so that without the sandbox it only passes: 3,000 sleeping
    // processes, 5 GiB of address space that is never touched, a sparse 5 GiB file.
    write(a / ".knot/checks",
          "! dd if=/dev/zero of=/dev/null bs=5G count=1 iflag=count_bytes\n"
          "! (truncate -s 5G huge)\n"
          "! sh -c 'i=0; while [ $i -lt 3000 ]; do sleep 600 & i=$((i+1)); done'\n");
    commit_all(a, "checks that go past the limits");
    auto ended = push_and_wait(events, a);
    INFO(ended.dump(2));
    CHECK(ended.at("type") == "sync.integrated");
    CHECK(ended.at("log").get<std::string>().find("memory exhausted") != std::string::npos);

    // A check that goes past one fails the run, saying which limit.
    write(a / ".knot/checks", "truncate -s 5G huge\n");
    commit_all(a, "a check that writes a huge file");
    ended = push_and_wait(events, a);
    REQUIRE(ended.at("type") == "sync.check_failed");
    CHECK(ended.at("data").at("verdict") == "fail");
    CHECK(ended.at("data").at("summary").get<std::string>().ends_with(
        " failed its checks: `truncate -s 5G huge` was killed by SIGXFSZ: over the sandbox's file "
        "size limit (4 GiB per file)"));
    // The server is still there and integrates the next push.
    write(a / ".knot/checks", "true\n");
    commit_all(a, "sound checks");
    CHECK(push_and_wait(events, a).at("type") == "sync.integrated");
}

TEST_CASE("without bubblewrap a server refuses checks instead of running them unconfined") {
    const int port = free_port();
    HostedRoom room(port);
    const auto a = hosted_clone(room, "coder-1");
    // A PATH with git and knot's programs but no bwrap: a machine without bubblewrap.
    const fs::path bin = room.dir() / "bin-without-bwrap";
    fs::create_directories(bin);
    fs::create_symlink(trimmed(run("command -v git", a).out), bin / "git");
    restart(room, port, "PATH='" + bin.string() + ":" + KNOT_BUILD_DIR + "/bin'", "");
    // Followed from here: a follower that saw the server stop gracefully may give up.
    RoomEvents events(a);
    const std::string server_log = text_of(data_dir(room) / "server.log");
    CHECK(server_log.find("check sandbox: unavailable") != std::string::npos);

    const fs::path marker = room.dir() / "ran-unconfined";
    write(a / ".knot/checks", "touch '" + marker.string() + "'\n");
    commit_all(a, "a check that must not run");
    const auto ended = push_and_wait(events, a);
    INFO(ended.dump(2));
    REQUIRE(ended.at("type") == "sync.check_failed");
    const std::string summary = ended.at("data").at("summary");
    CHECK(summary.find("checks refused") != std::string::npos);
    CHECK(summary.find("bubblewrap (bwrap) is not installed") != std::string::npos);
    CHECK(summary.find("--unsandboxed-checks") != std::string::npos);
    CHECK(summary.find(data_dir(room).string()) == std::string::npos);
    CHECK_FALSE(fs::exists(marker));
}

TEST_CASE("the host's --unsandboxed-checks runs checks with the server's rights") {
    const int port = free_port();
    HostedRoom room(port);
    const auto a = hosted_clone(room, "coder-1");
    restart(room, port, "", "--unsandboxed-checks");
    RoomEvents events(a);
    CHECK(text_of(data_dir(room) / "server.log").find("check sandbox: OFF") != std::string::npos);
    const fs::path marker = room.dir() / "ran-unconfined";
    write(a / ".knot/checks", "touch '" + marker.string() +
                                  "' && test \"$(id -u)\" = " + std::to_string(::geteuid()) + "\n");
    commit_all(a, "a check that writes outside its tree");
    const auto ended = push_and_wait(events, a);
    INFO(ended.dump(2));
    CHECK(ended.at("type") == "sync.integrated");
    CHECK(ended.at("sandbox") == "off (the host's --unsandboxed-checks)");
    CHECK(fs::exists(marker));
}

TEST_CASE("between sandboxed runs unchanged files are not written again, so builds stay "
          "incremental") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    // The first run records keep.txt's inode and time in the build directory; later runs
    // require the same file.
    write(a / "keep.txt", "kept\n");
    write(a / ".knot/checks", "stamp=\"$KNOT_BUILD_DIR/stamp\"; now=$(stat -c %i:%Y keep.txt); "
                              "if [ -f \"$stamp\" ]; then test \"$now\" = \"$(cat \"$stamp\")\"; "
                              "else echo \"$now\" > \"$stamp\"; fi\n");
    commit_all(a, "a check that remembers keep.txt");
    REQUIRE(push_and_wait(events, a).at("type") == "sync.integrated");
    commit_file(a, "other.txt", "other\n");
    const auto ended = push_and_wait(events, a);
    INFO(ended.dump(2));
    CHECK(ended.at("type") == "sync.integrated");
}
