// End to end: the same person joining a room from several clones (their git user.name makes the
// same default name), against a room hosted by `git knot up`.
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot::test;
namespace fs = std::filesystem;

TEST_CASE("a second clone of the same person joins under a free numbered name and is told so") {
    HostedRoom room;
    const auto first = room.clone("first");
    const auto joined = sh("git knot join '" + room.invite() + "'", first);
    INFO(joined.err);
    REQUIRE(joined.status == 0);
    CHECK(git_config(first, "knot.name") == "test-user");

    const auto second = room.clone("second");
    const auto again = sh("git knot join '" + room.invite() + "'", second);
    INFO(again.err);
    REQUIRE(again.status == 0);
    CHECK(again.out.find("  you        test-user-2 (human)") != std::string::npos);
    CHECK(again.out.find("  name       'test-user' is another agent's in this room") !=
          std::string::npos);
    CHECK(git_config(second, "knot.name") == "test-user-2");
    // Its pushes go to the refs of the name it got.
    REQUIRE(sh("git push -q knot", second).status == 0);
    CHECK(sh("git rev-parse -q --verify refs/knot/test-user-2/main", second).status == 0);

    const auto third = room.clone("third");
    const auto json = sh("git knot join --json '" + room.invite() + "'", third);
    INFO(json.err);
    REQUIRE(json.status == 0);
    const auto answer = nlohmann::json::parse(json.out);
    CHECK(answer.at("agent").at("name") == "test-user-3");
    CHECK(answer.at("name_taken") == "test-user");

    // The first clone joining again is still itself, under its own name.
    const auto rejoined = sh("git knot join --json '" + room.invite() + "'", first);
    REQUIRE(rejoined.status == 0);
    CHECK(nlohmann::json::parse(rejoined.out).at("agent").at("name") == "test-user");
    CHECK(nlohmann::json::parse(rejoined.out).at("name_taken").is_null());
}

TEST_CASE("a name chosen with --name that another agent has is refused, and nothing is set") {
    HostedRoom room;
    REQUIRE(sh("git knot join '" + room.invite() + "'", room.clone("first")).status == 0);
    const auto second = room.clone("second");
    const auto refused = sh("git knot join --name test-user '" + room.invite() + "'", second);
    CHECK(refused.status == 1);
    CHECK(refused.err == "git-knot: the name 'test-user' is taken in this room by another agent: "
                         "choose one with --name\n");
    CHECK(git_config(second, "knot.room").empty());
    CHECK_FALSE(fs::exists(second / ".git/knot/token"));
}
