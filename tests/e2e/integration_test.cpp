// End to end: the integration agent of a room hosted by `git knot up`, driven by plain
// `git push knot` from joined clones, with real checkers (make and cc, shell commands from
// .knot/checks). Every wait is on the room's event stream (`git knot log --follow --json`),
// never a fixed sleep.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

constexpr int k_wait_ms = 120000;

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

// A C project whose check compiles and links every .c file: renaming a function in one change
// and calling the old name in another breaks only the two together.
void write_c_project(const fs::path& repo) {
    write(repo / "Makefile", "check:\n\tcc -o prog *.c\n\t./prog\n");
    write(repo / "util.c", "int greet(void) { return 0; }\n");
    write(repo / "main.c", "int greet(void);\nint main(void) { return greet(); }\n");
    write(repo / ".knot/checks", "# the room's checks\nmake check\n");
}

// Commits everything. The host's commits skip its hooks (they would lock the files the teammates
// are about to change), and so do those made with `no_verify`.
std::string commit_all(const fs::path& repo, const std::string& message, bool no_verify = false) {
    const std::string verify = no_verify || repo.filename() == "host" ? " --no-verify" : "";
    REQUIRE(run("git add -A && git commit -q" + verify + " -m '" + message + "'", repo).status ==
            0);
    return rev(repo, "HEAD");
}

// The room's integration ref as the server's bare repository has it.
std::string server_integration(const HostedRoom& room) {
    return trimmed(sh("git --git-dir='" + room.repository().string() +
                          "' rev-parse -q --verify refs/knot/integration",
                      room.host())
                       .out);
}

// Sets the room's check time limit from the host (the room's owner).
void set_time_limit(const HostedRoom& room, int seconds) {
    REQUIRE(run("git config knot.checkTimeout " + std::to_string(seconds), room.host()).status ==
            0);
    REQUIRE(run("git knot check --configure", room.host()).status == 0);
}

// A FIFO the room's checks see as /tmp/<name>: the sandbox shows them no other directory of
// this machine, so it lives in the room's scratch area (<data>/scratch/<room>/work/tmp), which
// the room's first check run made.
fs::path check_fifo(const HostedRoom& room, const std::string& name) {
    const fs::path dir =
        room.host() / ".git/knot/server/scratch" / room.repository().stem() / "work" / "tmp";
    REQUIRE(fs::is_directory(dir));
    const fs::path fifo = dir / name;
    REQUIRE(::mkfifo(fifo.c_str(), 0666) == 0);
    fs::permissions(fifo, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::group_write | fs::perms::others_read |
                              fs::perms::others_write); // the check runs as another user
    return fifo;
}

} // namespace

TEST_CASE("two changes that pass alone but break together are held back until a fix") {
    HostedRoom room;
    write_c_project(room.host());
    commit_all(room.host(), "project");
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    RoomEvents events(a);

    // The first push starts the integration ref at the pushed commit, once it passes.
    const std::string base = rev(a, "HEAD");
    REQUIRE(run("git push -q knot main", a).status == 0);
    auto ended = events.outcome(events.pushed(base));
    REQUIRE(ended.at("type") == "sync.integrated");
    CHECK(server_integration(room) == base);

    // coder-1 renames greet to hello everywhere; coder-2 adds a caller of greet.
    write(a / "util.c", "int hello(void) { return 0; }\n");
    write(a / "main.c", "int hello(void);\nint main(void) { return hello(); }\n");
    const std::string renamed = commit_all(a, "rename greet to hello");
    write(b / "extra.c", "int greet(void);\nint extra(void) { return greet(); }\n");
    const std::string caller = commit_all(b, "add a caller of greet");
    REQUIRE(run("make -s check", a).status == 0); // each passes alone
    REQUIRE(run("make -s check", b).status == 0);

    ended = events.push(a);
    REQUIRE(ended.at("type") == "sync.integrated");
    const std::string good = ended.at("data").at("integration");
    CHECK(server_integration(room) == good);
    CHECK(ended.at("data").at("message") == "integrated coder-1@" + renamed.substr(0, 7));

    REQUIRE(run("git push -q knot main", b).status == 0);
    const int broken_run = events.pushed(caller);
    ended = events.outcome(broken_run);
    REQUIRE(ended.at("type") == "sync.check_failed");
    CHECK(ended.at("data").at("command") == ".knot/checks:2");
    CHECK(ended.at("data").at("tail").get<std::string>().find("greet") != std::string::npos);
    CHECK(server_integration(room) == good); // held back: still the last good commit
    // The failure was posted to chat by the server's agent.
    const auto chat = events.next([](const nlohmann::json& event) {
        return event.at("type") == "chat.message" &&
               event.at("data").at("text").get<std::string>().find("Checks failed") !=
                   std::string::npos;
    });
    CHECK(chat.at("data").at("text").get<std::string>().find("coder-2@") != std::string::npos);
    // Never, not even for a moment: no event ever announced the failing candidate.
    for (const auto& event : events.seen())
        if (event.at("type") == "sync.integrated")
            CHECK(event.at("data").at("commit") != caller);

    // coder-2 takes the integration, calls hello, and pushes: it integrates.
    REQUIRE(run("git fetch -q knot && git merge -q --no-edit refs/knot/integration", b).status ==
            0);
    write(b / "extra.c", "int hello(void);\nint extra(void) { return hello(); }\n");
    const std::string fixed = commit_all(b, "call hello");
    ended = events.push(b);
    REQUIRE(ended.at("type") == "sync.integrated");
    const std::string integrated = ended.at("data").at("integration");
    CHECK(server_integration(room) == integrated);
    REQUIRE(run("git fetch -q knot", a).status == 0);
    CHECK(run("git merge-base --is-ancestor " + fixed + " refs/knot/integration", a).status == 0);
    CHECK(run("git merge-base --is-ancestor " + renamed + " refs/knot/integration", a).status == 0);
    // The merge commit names the agent and the commit it integrated.
    CHECK(run("git log -1 --format=%s refs/knot/integration", a)
              .out.find("coder-2@" + fixed.substr(0, 7)) != std::string::npos);
}

TEST_CASE("a textual conflict is reported with its paths and both sides") {
    HostedRoom room;
    write(room.host() / "notes.txt", "one\ntwo\nthree\n");
    commit_all(room.host(), "notes");
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    RoomEvents events(a);
    write(a / "notes.txt", "one\nTWO from a\nthree\n");
    commit_all(a, "a edits two");
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    const std::string good = server_integration(room);

    write(b / "notes.txt", "one\ntwo from b\nthree\n");
    write(b / "other.txt", "fine\n");
    // coder-1's commit locked notes.txt; coder-2 goes around the lock, as a clone without
    // knot's hooks would.
    const std::string second = commit_all(b, "b edits two", true);
    REQUIRE(run("git push -q --no-verify knot main", b).status == 0);
    const auto ended = events.outcome(events.pushed(second));
    REQUIRE(ended.at("type") == "sync.merge_conflict");
    const auto& paths = ended.at("data").at("paths");
    REQUIRE(paths.size() == 1);
    CHECK(paths[0].at("path") == "notes.txt");
    CHECK(paths[0].at("ours").get<std::string>().size() == 40);
    CHECK(paths[0].at("theirs").get<std::string>().size() == 40);
    CHECK(ended.at("data").at("integration") == good);
    CHECK(ended.at("data").at("commit") == second);
    CHECK(server_integration(room) == good);
    const auto chat =
        events.next([](const nlohmann::json& event) { return event.at("type") == "chat.message"; });
    CHECK(chat.at("data").at("text").get<std::string>().find("notes.txt") != std::string::npos);
}

TEST_CASE("undo moves the integration ref back one integration at a time, and a push re-advances") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    RoomEvents events(a);
    std::vector<std::string> integrations;
    for (const char* file : {"one.txt", "two.txt", "three.txt"}) {
        commit_file(a, file, std::string(file) + "\n");
        const auto ended = events.push(a);
        REQUIRE(ended.at("type") == "sync.integrated");
        integrations.push_back(ended.at("data").at("integration"));
    }
    REQUIRE(server_integration(room) == integrations[2]);

    auto undone = run("git knot undo", b);
    REQUIRE(undone.status == 0);
    CHECK(server_integration(room) == integrations[1]);
    auto event =
        events.next([](const nlohmann::json& e) { return e.at("type") == "integration.undone"; });
    CHECK(event.at("data").at("from") == integrations[2]);
    CHECK(event.at("data").at("to") == integrations[1]);
    CHECK(event.at("data").at("by") == "coder-2");
    // Signed by coder-2, and the signed request is kept with the event.
    CHECK(event.at("signed").at("string").get<std::string>().find("/integration/undo") !=
          std::string::npos);
    CHECK(!event.at("signed").at("signature").get<std::string>().empty());

    REQUIRE(run("git knot undo", b).status == 0);
    CHECK(server_integration(room) == integrations[0]);
    // Teammates get the reverted state with a plain pull-only sync, which names it.
    const auto synced = run("git knot sync --pull-only", b);
    REQUIRE(synced.status == 0);
    CHECK(rev(b, "refs/knot/integration") == integrations[0]);
    CHECK(synced.out.find("◆ integration  " + integrations[0].substr(0, 8)) != std::string::npos);
    // The first integration has nothing before it.
    const auto refused = run("git knot undo", b);
    CHECK(refused.status == 1);
    CHECK(refused.err.find("first integration") != std::string::npos);
    CHECK(server_integration(room) == integrations[0]);

    // The undone agent's next push integrates again, bringing its undone work back.
    commit_file(a, "four.txt", "four\n");
    const auto ended = events.push(a);
    REQUIRE(ended.at("type") == "sync.integrated");
    CHECK(ended.at("data").at("previous") == integrations[0]);
    REQUIRE(run("git knot sync --pull-only", b).status == 0);
    CHECK(trimmed(run("git ls-tree --name-only refs/knot/integration", b).out).find("three.txt") !=
          std::string::npos);
}

TEST_CASE("a hanging, flooding or tree-deleting checker fails cleanly and the next run works") {
    HostedRoom room;
    set_time_limit(room, 2);
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    commit_file(a, "start.txt", "start\n");
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    const std::string good = server_integration(room);

    struct Case {
        const char* check;
        const char* verdict;
        const char* says;
    };
    const Case cases[] = {
        {"sleep 600", "timed_out", "timed out"},
        {"yes knot", "output_limit", "output"},
        {"rm -rf \"$PWD\"", "fail", "scratch work tree"},
    };
    for (const Case& c : cases) {
        INFO(c.check);
        write(a / ".knot/checks", std::string(c.check) + "\n");
        commit_all(a, c.check);
        const auto ended = events.push(a);
        REQUIRE(ended.at("type") == "sync.check_failed");
        CHECK(ended.at("data").at("verdict") == c.verdict);
        CHECK(ended.at("data").at("summary").get<std::string>().find(c.says) != std::string::npos);
        CHECK(server_integration(room) == good);
    }
    // A sound checker after all of that: the run works in a restored scratch tree.
    write(a / ".knot/checks", "test -f start.txt\n");
    commit_all(a, "sound checks");
    REQUIRE(events.push(a).at("type") == "sync.integrated");
}

TEST_CASE("a server killed during a check runs the check again on restart") {
    // Sandboxed, the check dies with its server; unsandboxed, it outlives it and the restarted
    // server kills it (check.pgid, recorded before the check can announce itself).
    const std::string options = GENERATE(as<std::string>{}, "", "--unsandboxed-checks");
    INFO("git knot up " << options);
    const int port = free_port();
    HostedRoom room(port, options);
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    commit_file(a, ".knot/checks", "true\n"); // the first check run makes the scratch area
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    const std::string good = server_integration(room);

    // The check announces itself through a FIFO; the first time it then hangs.
    const fs::path fifo = check_fifo(room, "started.fifo");
    // One command, so that the announcement comes from the process group that then hangs. The
    // sleep's length is this test process's own, so no other test run's sleep is mistaken for it.
    // The mark is made before the announcement: a sandboxed check dies with the server, so the
    // first run may get no further than its announcement.
    const std::string hang = "sleep 7" + std::to_string(::getpid());
    // ($TMPDIR is the scratch tree's tmp/, which a sandboxed check sees as /tmp.)
    write(a / ".knot/checks",
          "again=$(test -e $TMPDIR/hung-once && echo yes); touch $TMPDIR/hung-once; "
          "echo run-$KNOT_RUN > $TMPDIR/started.fifo; test -n \"$again\" || exec " +
              hang + "\n");
    const std::string commit = commit_all(a, "checks that hang once");
    REQUIRE(run("git push -q knot main", a).status == 0);
    const int run_number = events.pushed(commit);
    {
        BackgroundCommand started("cat '" + fifo.string() + "'", room.dir());
        REQUIRE(started.next_line(k_wait_ms) == "run-" + std::to_string(run_number));
    }
    REQUIRE(::kill(room.server_record().at("pid").get<int>(), SIGKILL) == 0);
    CHECK(server_integration(room) == good); // nothing unchecked was ever referenced

    BackgroundCommand again("cat '" + fifo.string() + "'", room.dir());
    const auto up =
        run("git knot up --port " + std::to_string(port) + " --no-tunnel " + options, room.host());
    REQUIRE(up.status == 0);
    // The run starts again from the top: the check runs a second time, and passes.
    CHECK(again.next_line(k_wait_ms) == "run-" + std::to_string(run_number));
    // The hung check of the killed server was killed when the server came back.
    // ("[s]" keeps pgrep from matching the shell that runs it.)
    CHECK(sh("pgrep -f '[s]" + hang.substr(1) + "$'", room.dir()).status == 1);
    const auto ended = events.outcome(run_number); // the follower outlived the restart
    REQUIRE(ended.at("type") == "sync.integrated");
    CHECK(server_integration(room) == ended.at("data").at("integration"));
}

TEST_CASE("pushes queue while a run is busy, and a newer push supersedes the queued one") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    commit_file(a, ".knot/checks", "true\n"); // the first check run makes the scratch area
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    const fs::path gate = check_fifo(room, "gate.fifo");
    // Every check waits for the test to open the gate once.
    write(a / ".knot/checks", "read line < /tmp/gate.fifo\n");
    const std::string first = commit_all(a, "gated checks");
    REQUIRE(run("git push -q knot main", a).status == 0);
    const int first_run = events.pushed(first);
    events.next([&](const nlohmann::json& e) {
        return e.at("type") == "integration.started" && e.at("data").at("run") == first_run;
    });
    const std::string second = commit_file(a, "two.txt", "two\n");
    REQUIRE(run("git push -q knot main", a).status == 0);
    const int second_run = events.pushed(second);
    const std::string third = commit_file(a, "three.txt", "three\n");
    REQUIRE(run("git push -q knot main", a).status == 0);
    const int third_run = events.pushed(third);

    REQUIRE(sh("echo go > '" + gate.string() + "'", room.dir()).status == 0);
    REQUIRE(events.outcome(first_run).at("type") == "sync.integrated");
    REQUIRE(sh("echo go > '" + gate.string() + "'", room.dir()).status == 0);
    const auto ended = events.outcome(third_run);
    REQUIRE(ended.at("type") == "sync.integrated");
    CHECK(server_integration(room) == ended.at("data").at("integration"));

    const auto history = nlohmann::json::parse(run("git knot check --history --json", a).out);
    bool saw_superseded = false;
    for (const auto& entry : history.at("runs"))
        if (entry.at("run") == second_run) {
            CHECK(entry.at("status") == "superseded");
            saw_superseded = true;
        }
    CHECK(saw_superseded);
    // The superseded run never started.
    for (const auto& event : events.seen())
        if (event.at("type") == "integration.started")
            CHECK(event.at("data").at("run") != second_run);
}

TEST_CASE("in forge mode the integration ref is pushed back to the forge") {
    HostedRoom room;
    REQUIRE(sh("git init -q --bare forge.git", room.dir()).status == 0);
    const fs::path forge = room.dir() / "forge.git";
    room.use_forge(forge);
    const auto a = room.joined("coder-1");
    REQUIRE(run("git remote set-url origin '" + forge.string() + "'", a).status == 0);
    RoomEvents events(a);
    commit_file(a, "src/a.txt", "one\n");
    const auto ended = events.push(a);
    REQUIRE(ended.at("type") == "sync.integrated");
    const auto forge_pushed = events.next([](const nlohmann::json& e) {
        return e.at("type") == "integration.forge_pushed" ||
               e.at("type") == "integration.forge_push_failed";
    });
    REQUIRE(forge_pushed.at("type") == "integration.forge_pushed");
    // Members learn that the forge is local, not where it is; no event names the server's files.
    CHECK(forge_pushed.at("data").at("forge") == "a repository on the server's machine");
    for (const auto& event : events.seen()) {
        CHECK(event.dump().find((room.host() / ".git/knot/server").string()) == std::string::npos);
        CHECK(event.dump().find(forge.string()) == std::string::npos);
    }
    // With the server down, teammates read the known-good state from the forge itself.
    CHECK(trimmed(sh("git --git-dir='" + forge.string() + "' rev-parse refs/knot/integration",
                     room.dir())
                      .out) == ended.at("data").at("integration").get<std::string>());
}

TEST_CASE("the room's repository is repacked as pushes pile packs up") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    commit_file(a, "one.txt", "one\n");
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    const fs::path repo = room.repository();
    // git's own threshold, lowered so that a few pushes pass it.
    REQUIRE(run("git --git-dir='" + repo.string() + "' config gc.autoPackLimit 3", a).status == 0);
    // The fourth pack passes the limit after the fourth push; the fifth push's run starts only
    // once the fourth run's maintenance is over (a room runs one thing at a time).
    std::string last;
    for (const char* file : {"two.txt", "three.txt", "four.txt", "five.txt"}) {
        last = commit_file(a, file, std::string(file) + "\n");
        REQUIRE(events.push(a).at("type") == "sync.integrated");
    }
    const auto packs = run("ls '" + (repo / "objects/pack").string() + "' | grep -c '\\.pack$'", a);
    CHECK(std::stoi(packs.out) < 3);
    CHECK(run("git --git-dir='" + repo.string() + "' fsck --no-dangling", a).status == 0);
    REQUIRE(run("git fetch -q knot", a).status == 0);
    CHECK(rev(a, "refs/knot/coder-1/main") == last);
}
