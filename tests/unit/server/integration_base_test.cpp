// Tests of the room's base (POST .../integration/base in server/routes/integration.cpp) against
// the real knot-server: refs/knot/integration starts at the forge's default branch, the first
// push merges onto it, undo returns to it and pushes the reverted ref to the forge, and stops
// there.
#include "../../support/temp_repo.hpp"
#include "git_fixture.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace knot;
using namespace knot::test;

namespace {

nlohmann::json await(StreamClient& stream, const std::string& type) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (std::chrono::steady_clock::now() < deadline)
        if (const auto event = stream.next_event(std::chrono::seconds(5));
            event && event->at("type") == type)
            return *event;
    FAIL("no " << type << " event came");
    return {};
}

std::string forge_integration(const TempRepo& forge) {
    const auto r = sh("git rev-parse -q --verify refs/knot/integration", forge.path);
    return r.out.substr(0, 40);
}

} // namespace

TEST_CASE("the room's base is the forge's default branch, and undo returns to it and stops") {
    Fixture f;
    TempRepo forge;
    const std::string base = forge.commit("README", "hello\n");
    forge.git({"checkout", "-q", "-b", "side"});
    const std::string side = forge.commit("side.txt", "not the default branch\n");
    forge.git({"checkout", "-q", "main"});

    CHECK(room_post(f.client, f.room, f.room.owner, "/integration/base", nlohmann::json::object())
              .code() == "no_forge");
    REQUIRE(room_post(f.client, f.room, f.room.owner, "/integration/settings",
                      {{"forge_url", forge.path.string()}})
                .status == 200);
    CHECK(
        room_post(f.client, f.room, f.alice.identity, "/integration/base", nlohmann::json::object())
            .code() == "not_owner");
    StreamClient stream(f.server.host(), f.server.port(), f.room, f.alice.identity, 0);
    const auto set =
        room_post(f.client, f.room, f.room.owner, "/integration/base", nlohmann::json::object());
    INFO(set.body);
    REQUIRE(set.status == 200);
    CHECK(set.json().at("created") == true);
    CHECK(set.json().at("integration") == base);
    auto shown = room_get(f.client, f.room, "/integration").json();
    CHECK(shown.at("integration") == base);
    CHECK(shown.at("base") == base);
    const auto based = await(stream, "integration.based");
    CHECK(based.at("data").at("integration") == base);
    CHECK(based.at("signed").at("string").get<std::string>().find("/integration/base") !=
          std::string::npos);
    CHECK(await(stream, "integration.forge_pushed").at("data").at("cause") == "base");
    CHECK(forge_integration(forge) == base);
    // Again: the ref is kept, nothing is logged.
    const auto again =
        room_post(f.client, f.room, f.room.owner, "/integration/base", nlohmann::json::object());
    CHECK(again.json().at("created") == false);
    CHECK(again.json().at("base") == base);

    // The first push merges onto the base.
    const std::string tip = forge.commit("a.txt", "one\n");
    forge.git({"update-ref", "refs/knot/alice/main", tip});
    REQUIRE(room_post(f.client, f.room, f.alice.identity, "/git/notify",
                      {{"ref", "refs/knot/alice/main"}, {"old", k_zero}, {"new", tip}})
                .status == 200);
    const auto integrated = await(stream, "sync.integrated");
    CHECK(integrated.at("data").at("previous") == base);
    const std::string merged = integrated.at("data").at("integration");
    CHECK(merged != tip);
    CHECK(await(stream, "integration.forge_pushed").at("data").at("integration") == merged);
    CHECK(forge_integration(forge) == merged);

    // Undo returns to the base, on the server and on the forge.
    const auto undone =
        room_post(f.client, f.room, f.bob.identity, "/integration/undo", {{"expect", merged}});
    INFO(undone.body);
    REQUIRE(undone.status == 200);
    CHECK(undone.json().at("to") == base);
    CHECK(undone.json().at("forge") == "pushed");
    CHECK(forge_integration(forge) == base);
    const auto pushed_back = await(stream, "integration.forge_pushed");
    CHECK(pushed_back.at("data").at("cause") == "undo");
    CHECK(pushed_back.at("data").at("integration") == base);
    shown = room_get(f.client, f.room, "/integration").json();
    CHECK(shown.at("integration") == base);
    CHECK(shown.at("runs")[0].at("undone") == true);

    // There is nothing before the base.
    const auto refused =
        room_post(f.client, f.room, f.bob.identity, "/integration/undo", nlohmann::json::object());
    CHECK(refused.status == 409);
    CHECK(refused.code() == "nothing_to_undo");
    CHECK(refused.json().at("error").get<std::string>().find("the room's base") !=
          std::string::npos);
    (void)side;
}
