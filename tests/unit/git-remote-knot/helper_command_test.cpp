// Tests of git-remote-knot/helper_command.cpp: git's helper commands and batches, parsed.
#include "git-remote-knot/helper_command.hpp"
#include "libknot/base/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace knot;
using namespace knot::remote;

TEST_CASE("a conversation is read command by command until its blank line") {
    std::istringstream in("capabilities\noption progress true\noption dry-run\nlist for-push\n"
                          "list\n\ncapabilities\n");
    auto command = read_command(in);
    REQUIRE(command);
    CHECK(command->kind == CommandKind::capabilities);
    command = read_command(in);
    REQUIRE(command);
    CHECK(command->kind == CommandKind::option);
    CHECK(command->option_name == "progress");
    CHECK(command->option_value == "true");
    command = read_command(in);
    REQUIRE(command);
    CHECK(command->option_name == "dry-run");
    CHECK(command->option_value.empty());
    CHECK(read_command(in)->kind == CommandKind::list_for_push);
    CHECK(read_command(in)->kind == CommandKind::list);
    CHECK_FALSE(read_command(in));
}

TEST_CASE("the end of input ends the conversation") {
    std::istringstream in("");
    CHECK_FALSE(read_command(in));
}

TEST_CASE("a fetch batch is read up to its blank line, with each oid and name") {
    const std::string oid(40, 'a');
    std::istringstream in("fetch " + oid + " refs/knot/a/main\nfetch " + oid +
                          "\n\ncapabilities\n");
    const auto command = read_command(in);
    REQUIRE(command);
    REQUIRE(command->kind == CommandKind::fetch);
    REQUIRE(command->fetches.size() == 2);
    CHECK(command->fetches[0].oid == oid);
    CHECK(command->fetches[0].name == "refs/knot/a/main");
    CHECK(command->fetches[1].oid == oid);
    CHECK(command->fetches[1].name.empty());
    CHECK(read_command(in)->kind == CommandKind::capabilities);
}

TEST_CASE("a push batch gives force, source and destination of each line") {
    std::istringstream in("push +refs/heads/main:refs/knot/a/main\npush :refs/knot/a/gone\n"
                          "push refs/heads/x\n");
    const auto command = read_command(in);
    REQUIRE(command);
    REQUIRE(command->kind == CommandKind::push);
    REQUIRE(command->pushes.size() == 3);
    CHECK(command->pushes[0].force);
    CHECK(command->pushes[0].spec == "+refs/heads/main:refs/knot/a/main");
    CHECK(command->pushes[0].src == "refs/heads/main");
    CHECK(command->pushes[0].dst == "refs/knot/a/main");
    CHECK_FALSE(command->pushes[1].force);
    CHECK(command->pushes[1].src.empty());
    CHECK(command->pushes[1].dst == "refs/knot/a/gone");
    CHECK(command->pushes[2].src == "refs/heads/x");
    CHECK(command->pushes[2].dst == "refs/heads/x");
    CHECK_FALSE(read_command(in));
}

TEST_CASE("an unknown command is refused with the line it was") {
    std::istringstream in("connect git-upload-pack\n");
    CHECK_THROWS_WITH(read_command(in), "unknown command from git: connect git-upload-pack");
}

// Found while factoring the parser out for fuzz/helper_command_fuzz.cpp: a short line inside a
// batch was cut with substr past its end, and std::out_of_range ended the helper with a message
// about basic_string.
TEST_CASE("a batch line of another kind or too short is refused by name") {
    std::istringstream fetch("fetch " + std::string(40, 'a') + " r\nx\n\n");
    CHECK_THROWS_WITH(read_command(fetch), "malformed fetch batch from git: x");
    std::istringstream push("push a:b\nfetch " + std::string(40, 'a') + " r\n\n");
    CHECK_THROWS_WITH(read_command(push),
                      "malformed push batch from git: fetch " + std::string(40, 'a') + " r");
    std::istringstream short_push("push a:b\npush\n\n");
    CHECK_THROWS_AS(read_command(short_push), Error);
}
