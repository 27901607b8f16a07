// Tests of hooks/lock_view.cpp: the locks of the server's answer that conflict, and the refusal
// that names them.
#include "hooks/lock_view.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot;

TEST_CASE("only locks of other agents on the touched paths conflict, and the refusal names them") {
    const auto locks = nlohmann::json::parse(R"([
        {"path": "a.txt", "agent": "ag_1", "agent_name": "coder-1", "intent": "fix the parser",
         "fencing": 3, "expires_at": 1000},
        {"path": "b.txt", "agent": "ag_me", "agent_name": "me", "expires_at": 1000},
        {"path": "c.txt", "agent": "ag_2", "agent_name": "coder-2", "expires_at": 1000}
    ])")
                           .get<std::vector<wire::Lock>>();
    REQUIRE(locks.size() == 3);
    const auto conflicts = locks_held_by_others(locks, {"a.txt", "b.txt"}, "ag_me");
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].agent_name == "coder-1");

    const auto text = refusal_message("commit", conflicts, 1000 - 270);
    CHECK(text.rfind("knot: commit refused: 1 path is locked by another agent\n", 0) == 0);
    CHECK(text.find("  a.txt  locked by coder-1 (\"fix the parser\"), expires in 4m 30s (at ") !=
          std::string::npos);
    CHECK(text.find("hint: coordinate with the holder") != std::string::npos);
    // No way around the hook is suggested: the server enforces the lock anyway.
    CHECK(text.find("--no-verify") == std::string::npos);
    CHECK(text.find("the room's server refuses") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 3);
}
