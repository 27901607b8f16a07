// Tests of libknot/checks/check_config.cpp: knot.check and knot.checkTimeout as a clone's config
// holds them, the plan they make and the settings request they send.
#include "libknot/base/error.hpp"
#include "libknot/checks/check_config.hpp"
#include "libknot/git/git_command.hpp"
#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace knot;
namespace fs = std::filesystem;
using knot::test::TempRepo;

TEST_CASE("unset knot.check and knot.checkTimeout make an empty config that sends null checks") {
    const CheckConfig config = check_config_from({}, std::nullopt);
    CHECK(config.empty());
    CHECK(settings_request(config) == nlohmann::json{{"checks", nullptr}});
}

TEST_CASE("knot.check values are the commands in order, blank ones skipped and trimmed") {
    const CheckConfig config = check_config_from({" make test ", "", "  ", "npm test"}, "120");
    REQUIRE(config.checks);
    CHECK(*config.checks == std::vector<std::string>{"make test", "npm test"});
    CHECK(config.timeout_seconds == 120);
    CHECK(settings_request(config) ==
          nlohmann::json{{"checks", {"make test", "npm test"}}, {"time_limit", 120}});
}

TEST_CASE("a single knot.check value none means no checks and sends an empty list") {
    const CheckConfig config = check_config_from({"none"}, std::nullopt);
    REQUIRE(config.checks);
    CHECK(config.checks->empty());
    CHECK(settings_request(config) == nlohmann::json{{"checks", nlohmann::json::array()}});
    knot::test::TempDir tree;
    std::ofstream(tree.path() / "Makefile") << "check:\n\tfalse\n";
    const CheckPlan plan = plan_configured_checks(config, tree.path());
    CHECK(plan.source == "knot.check");
    CHECK(plan.commands.empty());
}

TEST_CASE("none beside other commands, and a timeout that is not 1 to 86400 seconds, are errors") {
    CHECK_THROWS_WITH(check_config_from({"none", "make"}, std::nullopt),
                      Catch::Contains("one or the other"));
    for (const char* bad : {"0", "-5", "86401", "ten", "10s", ""})
        CHECK_THROWS_WITH(check_config_from({}, std::string(bad)),
                          Catch::Contains("knot.checkTimeout"));
    CHECK(check_config_from({}, std::string("86400")).timeout_seconds == 86400);
}

TEST_CASE("an unset knot.check plans from .knot/checks, a set one from its commands") {
    knot::test::TempDir tree;
    fs::create_directories(tree.path() / ".knot");
    std::ofstream(tree.path() / ".knot" / "checks") << "# comment\ntrue\n";
    const CheckPlan from_file = plan_configured_checks(CheckConfig{}, tree.path());
    CHECK(from_file.source == ".knot/checks");
    REQUIRE(from_file.commands.size() == 1);
    CHECK(from_file.commands[0].command == "true");
    CheckConfig config;
    config.checks = std::vector<std::string>{"echo hi"};
    const CheckPlan configured = plan_configured_checks(config, tree.path());
    CHECK(configured.source == "knot.check");
    REQUIRE(configured.commands.size() == 1);
    CHECK(configured.commands[0].command == "echo hi");
}

TEST_CASE("the clone's local config is read, multi-line values included") {
    TempRepo repo;
    CHECK(read_check_config(repo.path).empty());
    repo.config({"--add", "knot.check", "make check"});
    repo.config({"--add", "knot.check", "printf 'a\nb'"});
    repo.config({"knot.checkTimeout", "30"});
    const CheckConfig config = read_check_config(repo.path);
    REQUIRE(config.checks);
    CHECK(*config.checks == std::vector<std::string>{"make check", "printf 'a\nb'"});
    CHECK(config.timeout_seconds == 30);
    repo.config({"knot.checkTimeout", "forever"});
    CHECK_THROWS_AS(read_check_config(repo.path), Error);
}
