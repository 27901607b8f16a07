// Tests of libknot/client/outbox.cpp: notices wait in .git/knot/outbox while the server is
// unreachable and go out in the order they were queued, against a real room.
#include "libknot/client/outbox.hpp"

#include "libknot/base/file.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/identity.hpp"
#include "tests/support/hosted_room.hpp"
#include "tests/support/in_directory.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot;
using knot::test::InDirectory;
using knot::test::TempDir;
namespace fs = std::filesystem;

namespace {

// A client of a room on a port nothing listens on.
struct UnreachableRoom {
    Identity identity = Identity::generate();
    RoomClient client{"http://127.0.0.1:" + std::to_string(knot::test::free_port()),
                      "rm_0000000000000000", "token", &identity, "ag_0000000000000000"};
};

// The texts of the room's chat messages, oldest first.
std::vector<std::string> chat_texts(RoomClient& client) {
    std::vector<std::string> texts;
    const auto answer = client.get("/events");
    for (const auto& event : answer.at("events"))
        if (event.at("type") == "chat.message")
            texts.push_back(event.at("data").at("text").get<std::string>());
    return texts;
}

} // namespace

TEST_CASE("notices queued within one second are delivered in the order they were queued") {
    knot::test::HostedRoom room;
    const auto clone = room.joined("ana");
    InDirectory in_clone(clone);
    Session session;
    std::vector<std::string> sent;
    for (int i = 0; i < 12; ++i) {
        sent.push_back("message " + std::to_string(i));
        session.outbox().queue("/messages", {{"text", sent.back()}});
    }
    CHECK(session.outbox().size() == 12);
    CHECK(session.outbox().flush(session.client()) == 12);
    CHECK(session.outbox().size() == 0);
    CHECK(chat_texts(session.client()) == sent);
}

TEST_CASE("a notice the server refuses is dropped and the ones after it still go out") {
    knot::test::HostedRoom room;
    const auto clone = room.joined("ana");
    InDirectory in_clone(clone);
    Session session;
    session.outbox().queue("/messages", {{"text", ""}}); // refused: a message needs text
    session.outbox().queue("/messages", {{"text", "after the refused one"}});
    CHECK(session.outbox().flush(session.client()) == 1);
    CHECK(session.outbox().size() == 0);
    CHECK(chat_texts(session.client()) == std::vector<std::string>{"after the refused one"});
}

TEST_CASE("while the server is unreachable every notice waits, readable only by its owner") {
    TempDir dir;
    Outbox outbox(dir.path() / "outbox");
    CHECK(outbox.size() == 0); // no folder yet
    outbox.queue("/notices", {{"type", "agent.head"}});
    outbox.queue("/notices", {{"type", "sync.pushing"}});
    UnreachableRoom unreachable;
    CHECK(outbox.flush(unreachable.client) == 0);
    CHECK(outbox.size() == 2);
    for (const auto& entry : fs::directory_iterator(dir.path() / "outbox")) {
        CHECK((entry.status().permissions() & fs::perms::all) ==
              (fs::perms::owner_read | fs::perms::owner_write));
        const auto notice = nlohmann::json::parse(read_file(entry.path()));
        CHECK(notice.at("target") == "/notices");
    }
}

TEST_CASE("a damaged notice is dropped and does not hold back the others") {
    TempDir dir;
    Outbox outbox(dir.path());
    write_file_atomic(dir.path() / "0-damaged.json", "{not json");
    write_file_atomic(dir.path() / "0-no-target.json", "{\"body\": {}}\n");
    outbox.queue("/notices", {{"type", "agent.head"}});
    UnreachableRoom unreachable;
    CHECK(outbox.flush(unreachable.client) == 0);
    CHECK(outbox.size() == 1); // the good one waits for the server
}
