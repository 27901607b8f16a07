// Tests of libknot/client/session.cpp: the three ways of opening a session (the porcelain's,
// the hooks' with a room already read, the remote helper's for a knot:: URL), their errors,
// and whether opening delivers the outbox.
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>

using namespace knot;
namespace fs = std::filesystem;
using knot::test::TempRepo;

namespace {

const std::string k_token(64, 'a');

// Runs the test from `dir`, as a session opens the clone around the current directory.
struct InDirectory {
    fs::path before = fs::current_path();
    explicit InDirectory(const fs::path& dir) { fs::current_path(dir); }
    ~InDirectory() { fs::current_path(before); }
};

// A clone with an identity that has joined `room` at `server`.
Clone joined_clone(const TempRepo& repo, const std::string& server, const std::string& room) {
    Clone clone(GitRepo::discover(repo.path));
    clone.create_identity();
    clone.save_room({server, room, k_token, "a1"});
    return clone;
}

// A server URL where nothing listens: a port of the loopback that a stopped server freed.
std::string closed_url() {
    knot::test::ServerProcess server;
    const std::string url = server.url();
    server.terminate();
    return url;
}

} // namespace

TEST_CASE("the porcelain's session names init before join, then join") {
    TempRepo repo;
    InDirectory here(repo.path);
    CHECK_THROWS_WITH(Session(), Catch::Contains("git knot init"));
    Clone(GitRepo::discover(repo.path)).create_identity();
    CHECK_THROWS_WITH(Session(), Catch::Contains("git knot join"));
}

TEST_CASE("the porcelain's session is the joined room's, signed as its agent") {
    TempRepo repo;
    joined_clone(repo, "http://127.0.0.1:1", "r1");
    InDirectory here(repo.path);
    Session session;
    CHECK(session.room().room == "r1");
    CHECK(session.room().agent_id == "a1");
    CHECK(session.client().room() == "r1");
    CHECK(session.client().http().base_url() == "http://127.0.0.1:1");
    CHECK(session.identity().fingerprint() == session.clone().identity().fingerprint());
}

TEST_CASE("a session for a room already read needs only the identity") {
    TempRepo repo;
    Clone clone(GitRepo::discover(repo.path));
    CHECK_THROWS_WITH(Session(clone, RoomConfig{"http://127.0.0.1:1", "r1", "t", "a1"}),
                      Catch::Contains("git knot init"));
    clone.create_identity();
    const Session session(clone, RoomConfig{"http://127.0.0.1:1", "r1", "t", "a1"});
    CHECK(session.room().room == "r1");
}

TEST_CASE("the remote helper's session refuses a room the clone has not joined") {
    TempRepo repo;
    joined_clone(repo, "http://127.0.0.1:1", "r1");
    InDirectory here(repo.path);
    CHECK_THROWS_WITH(Session(RoomAddress{"http://127.0.0.1:1", "r2"}),
                      "this clone has not joined room r2; run git knot join <invite> first");
}

TEST_CASE("the remote helper's session talks to the server its URL names") {
    TempRepo repo;
    joined_clone(repo, "http://127.0.0.1:1", "r1");
    InDirectory here(repo.path);
    Session session(RoomAddress{"http://localhost:2", "r1"});
    CHECK(session.client().http().base_url() == "http://localhost:2");
    CHECK(session.room().token == k_token);
}

TEST_CASE("opening with OutboxOnOpen::deliver sends the outbox first, keep leaves it") {
    knot::test::ServerProcess server;
    TempRepo repo;
    joined_clone(repo, server.url(), "no-such-room");
    InDirectory here(repo.path);
    Outbox(repo.path / ".git/knot/outbox").queue("/notices", {{"type", "agent.head"}});
    {
        Session kept;
        CHECK(kept.outbox().size() == 1);
    }
    // The server answers (a refusal: the room does not exist), so the notice leaves the outbox.
    Session delivered(SessionOptions{.outbox = OutboxOnOpen::deliver});
    CHECK(delivered.outbox().size() == 0);
}

TEST_CASE("with the server down, delivering leaves the outbox waiting and says how many wait") {
    TempRepo repo;
    joined_clone(repo, closed_url(), "r1");
    InDirectory here(repo.path);
    Outbox(repo.path / ".git/knot/outbox").queue("/notices", {{"type", "agent.head"}});
    Session session(
        SessionOptions{.timeout = std::chrono::seconds(2), .outbox = OutboxOnOpen::deliver});
    CHECK(session.outbox().size() == 1);
    CHECK(session.deliver_outbox().left == 1);
}
