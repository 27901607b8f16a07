// End to end: the server enforces file locks (DESIGN.md, "Trust model" 7). A clone that goes
// around its hooks (`git commit --no-verify`, `git push --no-verify knot`) still cannot get a
// path another agent holds into the room: a hosted push is refused before its ref moves, with
// the lock shown by git push; a forge push, whose bytes reach the forge even while the server is
// down, has its integration held, announced and told in chat, until the lock ends.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// Writes `file` and commits it past the hooks, as a clone without knot's hooks would.
std::string commit_past_hooks(const fs::path& repo, const std::string& file,
                              const std::string& text) {
    fs::create_directories((repo / file).parent_path());
    std::ofstream(repo / file) << text;
    REQUIRE(run("git add -A && git commit -q --no-verify -m 'change " + file + "'", repo).status ==
            0);
    return rev(repo, "HEAD");
}

// Whether the room's refs/knot/integration, on the server, contains `commit`.
bool integrated(const HostedRoom& room, const std::string& commit) {
    return sh("git --git-dir='" + room.repository().string() + "' merge-base --is-ancestor " +
                  commit + " refs/knot/integration",
              room.host())
               .status == 0;
}

} // namespace

TEST_CASE("a hosted push past the hooks of a path another agent holds is refused by the server") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    REQUIRE(run("git knot lock src/a.c --intent 'fix the parser'", a).status == 0);

    const std::string past = commit_past_hooks(b, "src/a.c", "int b;\n");
    const auto refused = run("git push --no-verify knot main", b);
    CHECK(refused.status != 0);
    // The helper shows the lock, and git the refused ref.
    CHECK(refused.err.find("knot: push to refs/knot/coder-2/main refused: 1 path is locked by "
                           "another agent") != std::string::npos);
    CHECK(refused.err.find("src/a.c  locked by coder-1 (\"fix the parser\"), expires in ") !=
          std::string::npos);
    CHECK(refused.err.find("[remote rejected]") != std::string::npos);
    CHECK(refused.err.find("--no-verify") == std::string::npos);
    // Nothing moved and nothing was recorded.
    CHECK(run("git ls-remote knot", b).out.find("refs/knot/coder-2/main") == std::string::npos);
    CHECK(pushes(b).empty());

    // Once the holder lets go, the same push goes through.
    REQUIRE(run("git knot unlock src/a.c", a).status == 0);
    REQUIRE(run("git push -q --no-verify knot main", b).status == 0);
    CHECK(run("git ls-remote knot refs/knot/coder-2/main", b).out.find(past) != std::string::npos);
}

TEST_CASE("a forge push made past a lock while the server was down is held once delivered, "
          "and integrated when the lock ends") {
    const int port = free_port();
    HostedRoom room(port);
    REQUIRE(sh("git init -q --bare forge.git", room.dir()).status == 0);
    const fs::path forge = room.dir() / "forge.git";
    room.use_forge(forge);
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    for (const auto& clone : {a, b})
        REQUIRE(run("git remote set-url origin '" + forge.string() + "'", clone).status == 0);
    REQUIRE(run("git knot lock src/a.c --intent 'fix the parser'", a).status == 0);

    REQUIRE(run("git knot down", room.host()).status == 0);
    const std::string past = commit_past_hooks(b, "src/a.c", "int b;\n");
    const auto pushed = run("git push -q --no-verify knot main", b);
    REQUIRE(pushed.status == 0); // the bytes are on the forge; the notification waits
    CHECK(pushed.err.find("waits in the outbox") != std::string::npos);
    REQUIRE(
        run("git knot up --port " + std::to_string(port) + " --no-tunnel", room.host()).status ==
        0);

    RoomEvents events(a);
    REQUIRE(run("git fetch -q knot", b).status == 0); // delivers the outbox
    const int held_run = events.pushed(past);
    const auto held = events.outcome(held_run);
    REQUIRE(held.at("type") == "sync.held_locked");
    CHECK(held.at("data").at("locks")[0].at("path") == "src/a.c");
    CHECK(held.at("data").at("locks")[0].at("agent_name") == "coder-1");
    CHECK(held.at("data").at("locks")[0].at("intent") == "fix the parser");
    const auto chat = events.next([](const nlohmann::json& event) {
        return event.at("type") == "chat.message" &&
               event.at("data").at("text").get<std::string>().find("Holding back coder-2@") !=
                   std::string::npos;
    });
    CHECK(chat.at("data").at("text").get<std::string>().find("src/a.c, locked by coder-1") !=
          std::string::npos);
    CHECK_FALSE(integrated(room, past));
    const auto history = nlohmann::json::parse(run("git knot check --history --json", b).out);
    CHECK(history.at("runs")[0].at("status") == "held_locked");

    REQUIRE(run("git knot unlock src/a.c", a).status == 0);
    events.next([&](const nlohmann::json& event) {
        return event.at("type") == "integration.released" && event.at("data").at("run") == held_run;
    });
    const auto ended = events.outcome(held_run);
    REQUIRE(ended.at("type") == "sync.integrated");
    CHECK(integrated(room, past));
}
