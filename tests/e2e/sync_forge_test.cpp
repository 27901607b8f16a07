// End to end: forge mode. Clones whose origin is a forge (a local bare repository here) push
// through `git push knot` to the forge with git itself; the server hears a signed notification,
// fetches the commit from the forge and serves it to every clone's `git fetch knot`. With the
// server down the push still succeeds and the notification waits in the outbox.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

int count_of(const std::string& text, const std::string& word) {
    int count = 0;
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1))
        ++count;
    return count;
}

// The push notifications waiting in `repo`'s outbox (the pre-push hook may queue its own).
int waiting_notifications(const fs::path& repo) {
    int count = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(repo / ".git" / "knot" / "outbox", ec)) {
        std::ifstream in(entry.path());
        const std::string text{std::istreambuf_iterator<char>(in), {}};
        count += text.find("/git/notify") != std::string::npos ? 1 : 0;
    }
    return count;
}

// Everything waiting in `repo`'s outbox (the hooks' claims made offline among it).
int outbox_size(const fs::path& repo) {
    int count = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(repo / ".git" / "knot" / "outbox", ec);
         it != fs::directory_iterator(); ++it)
        ++count;
    return count;
}

// A bare repository at <room>/forge.git, the room's forge (set by its owner, the host).
fs::path make_forge(HostedRoom& room) {
    REQUIRE(sh("git init -q --bare forge.git", room.dir()).status == 0);
    room.use_forge(room.dir() / "forge.git");
    return room.dir() / "forge.git";
}

// `name` joined to the room with origin pointing at `forge`.
fs::path forge_clone(HostedRoom& room, const std::string& name, const fs::path& forge) {
    const auto path = room.joined(name);
    REQUIRE(sh("git remote set-url origin '" + forge.string() + "'", path).status == 0);
    return path;
}

} // namespace

TEST_CASE("a forge push lands on the forge and reaches a hosted teammate through the server") {
    HostedRoom room;
    const fs::path forge = make_forge(room);
    const auto a = forge_clone(room, "coder-1", forge);
    const auto b = room.joined("coder-2");
    REQUIRE(sh("git config knot.forge none", b).status == 0);

    const std::string first = commit_file(a, "src/a.txt", "one\n");
    const auto pushed = run("git push -q knot main", a);
    REQUIRE(pushed.status == 0);
    CHECK(pushed.err.find("warning") == std::string::npos);
    CHECK(rev(forge, "refs/knot/coder-1/main") == first);

    auto events = pushes(b);
    REQUIRE(events.size() == 1);
    const auto& data = events[0].at("data");
    CHECK(data.at("mode") == "forge");
    CHECK(data.at("ref") == "refs/knot/coder-1/main");
    CHECK(data.at("old") == std::string(40, '0'));
    CHECK(data.at("new") == first);
    CHECK(data.at("files").dump().find("src/a.txt") != std::string::npos);

    // The hosted clone has no way to the forge: its fetch reads the server.
    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == first);
    CHECK(sh("git show refs/knot/coder-1/main:src/a.txt", b).out == "one\n");

    // And the other way: a hosted push reaches the forge clone's `git fetch knot`.
    const std::string theirs = commit_file(b, "src/b.txt", "two\n");
    REQUIRE(run("git push -q knot main", b).status == 0);
    CHECK(rev(forge, "refs/knot/coder-2/main").empty());
    REQUIRE(run("git fetch -q knot", a).status == 0);
    CHECK(rev(a, "refs/knot/coder-2/main") == theirs);
    events = pushes(b);
    REQUIRE(events.size() == 2);
    CHECK(events[1].at("data").at("mode") == "hosted");
}

TEST_CASE("the forge's refusal fails a forge push and a forced push replaces the ref") {
    HostedRoom room;
    const fs::path forge = make_forge(room);
    const auto a = forge_clone(room, "coder-1", forge);
    const std::string first = commit_file(a, "src/a.txt", "one\n");
    REQUIRE(run("git push -q knot main", a).status == 0);

    REQUIRE(sh("git reset -q --hard HEAD~1", a).status == 0);
    const std::string rewritten = commit_file(a, "src/other.txt", "other\n");
    const auto refused = run("git push knot main", a);
    CHECK(refused.status != 0);
    CHECK(rev(forge, "refs/knot/coder-1/main") == first);
    CHECK(pushes(a).size() == 1);

    // Only the agent's own refs go through knot, even though the forge would take any.
    CHECK(run("git push knot +main:refs/knot/coder-2/main", a).status != 0);
    CHECK(run("git push knot +main:refs/tags/main", a).status != 0);
    CHECK(rev(forge, "refs/knot/coder-2/main").empty());
    CHECK(rev(forge, "refs/tags/main").empty());

    REQUIRE(run("git push -q knot +main:refs/knot/coder-1/main", a).status == 0);
    CHECK(rev(forge, "refs/knot/coder-1/main") == rewritten);
    const auto events = pushes(a);
    REQUIRE(events.size() == 2);
    CHECK(events[1].at("data").at("old") == first);
    CHECK(events[1].at("data").at("new") == rewritten);
    CHECK(sh("git ls-remote knot", a).out.find(rewritten) != std::string::npos);
}

TEST_CASE("with the server down a forge push succeeds and its notification waits in the outbox") {
    const int port = free_port();
    HostedRoom room(port);
    const fs::path forge = make_forge(room);
    const auto a = forge_clone(room, "coder-1", forge);
    const auto b = forge_clone(room, "coder-2", forge);
    REQUIRE(sh("git knot down", room.host()).status == 0);

    const std::string first = commit_file(a, "src/a.txt", "one\n");
    const auto pushed = run("git push -q knot main", a);
    REQUIRE(pushed.status == 0);
    // One warning from the helper (the pre-push hook says it goes on offline in its own line).
    CHECK(count_of(pushed.err, "waits in the outbox") == 1);
    CHECK(rev(forge, "refs/knot/coder-1/main") == first);
    CHECK(waiting_notifications(a) == 1);

    // Teammates resync from the forge without the server.
    REQUIRE(run("git fetch -q origin 'refs/knot/*:refs/knot/*'", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == first);

    // The next contact through the helper delivers it.
    const auto up = run("git knot up --port " + std::to_string(port) + " --no-tunnel", room.host());
    REQUIRE(up.status == 0);
    REQUIRE(run("git fetch -q knot", a).status == 0);
    CHECK(waiting_notifications(a) == 0);
    const auto events = pushes(b);
    REQUIRE(events.size() == 1);
    CHECK(events[0].at("data").at("mode") == "forge");
    CHECK(events[0].at("data").at("new") == first);
    CHECK(sh("git ls-remote knot refs/knot/coder-1/main", b).out.find(first) != std::string::npos);
}

TEST_CASE("sync with the server down pushes to the forge and fetches from it and queues the rest") {
    const int port = free_port();
    HostedRoom room(port);
    const fs::path forge = make_forge(room);
    const auto a = forge_clone(room, "coder-1", forge);
    const auto b = forge_clone(room, "coder-2", forge);
    const std::string b_first = commit_file(b, "src/db.txt", "db\n");
    REQUIRE(run("git knot sync", b).status == 0);
    REQUIRE(sh("git knot down", room.host()).status == 0);

    const std::string a_commit = commit_file(a, "src/api.txt", "api\n");
    const auto synced = run("git knot sync", a);
    CHECK(synced.status == 0);
    CHECK(synced.out.find("\u2713 pushed  " + a_commit.substr(0, 8)) != std::string::npos);
    CHECK(synced.out.find("\u2713 fetched from origin") != std::string::npos);
    CHECK(synced.out.find("\u25CF coder-2  " + b_first.substr(0, 8) + "  1 file  src/db.txt") !=
          std::string::npos);
    CHECK(synced.out.find("coordination queued") != std::string::npos);
    CHECK(synced.out.find(std::to_string(outbox_size(a)) + " notifications wait in the outbox") !=
          std::string::npos);
    CHECK(rev(forge, "refs/knot/coder-1/main") == a_commit);
    CHECK(rev(a, "refs/knot/coder-2/main") == b_first);
    CHECK(waiting_notifications(a) == 1);

    // A teammate's later push, made with the server down too, arrives through the forge.
    const std::string b_second = commit_file(b, "src/db2.txt", "db2\n");
    REQUIRE(run("git push -q knot", b).status == 0);
    const auto pulled = run("git knot sync --pull-only --json", a);
    CHECK(pulled.status == 0);
    const auto summary = nlohmann::json::parse(pulled.out);
    CHECK(summary.at("fetched") == true);
    CHECK(summary.at("fetched_from") == "origin");
    CHECK(summary.at("server") == "unreachable");
    CHECK(summary.at("queued") == outbox_size(a));
    CHECK(summary.at("integration").is_null());
    REQUIRE(summary.at("teammates").size() == 1);
    CHECK(summary.at("teammates")[0].at("commit") == b_second);

    // Back up: the next sync delivers what waited and reads the server again.
    REQUIRE(
        run("git knot up --port " + std::to_string(port) + " --no-tunnel", room.host()).status ==
        0);
    const auto back = nlohmann::json::parse(run("git knot sync --json", a).out);
    CHECK(back.at("server") == "reachable");
    CHECK(back.at("fetched_from") == "knot");
    CHECK(back.at("queued") == 0);
    CHECK(waiting_notifications(a) == 0);
}

TEST_CASE("check with the server down merges onto the integration ref the forge has") {
    const int port = free_port();
    HostedRoom room(port);
    const fs::path forge = make_forge(room);
    const auto a = forge_clone(room, "coder-1", forge);
    const auto b = forge_clone(room, "coder-2", forge);
    RoomEvents events(a);
    commit_file(b, "src/db.txt", "db\n");
    REQUIRE(run("git push -q knot main", b).status == 0);
    // The run's push to the forge, not the room's base (which went to the host's clone).
    events.next([](const nlohmann::json& e) {
        return e.at("type") == "integration.forge_pushed" && e.at("data").contains("run");
    });
    const std::string integration = rev(forge, "refs/knot/integration");
    REQUIRE(!integration.empty());
    REQUIRE(sh("git knot down", room.host()).status == 0);

    commit_file(a, "src/api.txt", "api\n");
    const auto checked = run("git knot check --json", a);
    REQUIRE(checked.status == 0);
    const auto report = nlohmann::json::parse(checked.out);
    CHECK(report.at("fetch").at("state") == "fetched");
    CHECK(report.at("fetch").at("from") == "origin");
    CHECK(report.at("fetch").at("reason").get<std::string>().find("cannot reach") !=
          std::string::npos);
    CHECK(report.at("merge").at("state") == "clean");
    CHECK(report.at("merge").at("integration") == integration);
    CHECK(rev(a, "refs/knot/integration") == integration);
}

TEST_CASE("three forge clones sync through the forge, and a teammate's work pulls in with git") {
    HostedRoom room;
    const auto forge = make_forge(room);
    const auto a = forge_clone(room, "coder-1", forge);
    const auto b = forge_clone(room, "coder-2", forge);
    const auto c = forge_clone(room, "coder-3", forge);
    const std::string a_commit = commit_file(a, "src/api.txt", "api\n");
    const std::string b_commit = commit_file(b, "src/db.txt", "db\n");
    REQUIRE(run("git knot sync", a).status == 0);
    REQUIRE(run("git knot sync", b).status == 0);
    // The objects went to the forge under each agent's ref.
    CHECK(rev(forge, "refs/knot/coder-1/main") == a_commit);
    CHECK(rev(forge, "refs/knot/coder-2/main") == b_commit);

    const auto synced = run("git knot sync --json", c);
    REQUIRE(synced.status == 0);
    const auto summary = nlohmann::json::parse(synced.out);
    CHECK(summary.at("mode") == "forge");
    std::map<std::string, std::string> commits;
    for (const auto& t : summary.at("teammates"))
        commits[t.at("agent")] = t.at("commit");
    CHECK(commits ==
          std::map<std::string, std::string>{{"coder-1", a_commit}, {"coder-2", b_commit}});

    // A teammate's work comes in with a plain git pull through the knot remote.
    const auto pulled = run("git pull -q --no-rebase --no-edit knot refs/knot/coder-1/main", c);
    REQUIRE(pulled.status == 0);
    CHECK(sh("cat src/api.txt", c).out == "api\n");
    CHECK(sh("git merge-base --is-ancestor " + a_commit + " HEAD", c).status == 0);
}

TEST_CASE("in forge mode undo moves the forge's integration ref back too, so a fetch from the "
          "forge with the server down does not bring the undone commit back") {
    HostedRoom room;
    const auto forge = make_forge(room);
    const auto a = forge_clone(room, "coder-1", forge);
    const auto b = forge_clone(room, "coder-2", forge);
    RoomEvents events(a);
    std::vector<std::string> integrations;
    for (const char* file : {"one.txt", "two.txt"}) {
        commit_file(a, file, std::string(file) + "\n");
        const auto ended = events.push(a);
        REQUIRE(ended.at("type") == "sync.integrated");
        integrations.push_back(ended.at("data").at("integration"));
        events.next([&](const nlohmann::json& e) {
            return e.at("type") == "integration.forge_pushed" &&
                   e.at("data").value("run", 0) == ended.at("data").at("run");
        });
    }
    REQUIRE(rev(forge, "refs/knot/integration") == integrations[1]);
    REQUIRE(run("git fetch -q origin '+refs/knot/*:refs/knot/*'", b).status == 0);
    REQUIRE(rev(b, "refs/knot/integration") == integrations[1]);

    const auto undone = run("git knot undo", b);
    REQUIRE(undone.status == 0);
    CHECK(undone.out.find("The forge's refs/knot/integration moved back too.") !=
          std::string::npos);
    CHECK(rev(forge, "refs/knot/integration") == integrations[0]);
    const auto pushed_back = events.next([](const nlohmann::json& e) {
        return e.at("type") == "integration.forge_pushed" &&
               e.at("data").value("cause", "") == "undo";
    });
    CHECK(pushed_back.at("data").at("integration") == integrations[0]);

    // The documented fallback, with the server down, brings the reverted state.
    REQUIRE(run("git knot down", room.host()).status == 0);
    REQUIRE(run("git fetch -q origin '+refs/knot/*:refs/knot/*'", b).status == 0);
    CHECK(rev(b, "refs/knot/integration") == integrations[0]);
}
