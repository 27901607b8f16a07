// Tests of libknot/client/event_format.cpp: the lines `git knot log`, `chat` and `dash` show.
#include "libknot/client/event_format.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot;

namespace {

std::string line_of(const std::string& type, const nlohmann::json& data,
                    const std::string& agent = "ag_1") {
    wire::Event event;
    event.type = type;
    event.agent = agent;
    event.data = data;
    return describe_event(event, {{"ag_1", "coder-1"}, {"ag_2", "coder-2"}, {"ag_s", "knot"}});
}

const nlohmann::json k_run = {{"run", 7},
                              {"agent", "coder-1"},
                              {"ref", "refs/knot/coder-1/main"},
                              {"commit", "1a2b3c4d5e6f"}};

} // namespace

TEST_CASE("integration events read as the run, the pushed commit and what happened") {
    CHECK(line_of("integration.started", k_run, "ag_s") ==
          "integration run 7 started: coder-1@1a2b3c4");
    auto integrated = k_run;
    integrated["message"] = "integrated coder-1@1a2b3c4";
    integrated["integration"] = "9f8e7d6c5b4a";
    CHECK(line_of("sync.integrated", integrated, "ag_s") ==
          "integration run 7: integrated coder-1@1a2b3c4; refs/knot/integration is at 9f8e7d6");
    auto failed = k_run;
    failed["summary"] = "coder-1@1a2b3c4 failed its checks: `make` exited with 2";
    CHECK(line_of("sync.check_failed", failed, "ag_s") ==
          "integration run 7: coder-1@1a2b3c4 failed its checks: `make` exited with 2");
}

TEST_CASE("an undo and a change of the check settings name who did them") {
    auto undone = k_run;
    undone["from"] = "9f8e7d6c5b4a";
    undone["to"] = "5e4d3c2b1a09";
    CHECK(line_of("integration.undone", undone, "ag_2") ==
          "coder-2 undid integration run 7 (coder-1@1a2b3c4): refs/knot/integration 9f8e7d6 -> "
          "5e4d3c2");
    CHECK(line_of("integration.settings", {{"checks", {"make check"}}, {"time_limit", 300}}) ==
          "coder-1 set the room's checks: make check (300 s limit)");
    CHECK(line_of("integration.settings", {{"checks", nullptr}, {"time_limit", 600}}) ==
          "coder-1 set the room's checks: from each tree (600 s limit)");
    CHECK(line_of("integration.settings",
                  {{"checks", nlohmann::json::array()}, {"time_limit", 600}}) ==
          "coder-1 set the room's checks: none (600 s limit)");
}

TEST_CASE("a push names the commit, the ref, the files and its integration run") {
    CHECK(line_of("sync.pushed", {{"ref", "refs/knot/coder-1/main"},
                                  {"new", "53d77df900a0"},
                                  {"files", {"src/a.c"}},
                                  {"run", 3}}) ==
          "coder-1 pushed 53d77df to refs/knot/coder-1/main [src/a.c] (integration run 3)");
    CHECK(line_of("integration.forge_pushed",
                  {{"run", 3}, {"integration", "9f8e7d6c5b4a"}, {"forge", "/srv/forge.git"}},
                  "ag_s") == "integration run 3: refs/knot/integration 9f8e7d6 pushed to "
                             "/srv/forge.git");
}

TEST_CASE("a held run, its release, the room's base and a forge push after an undo say why") {
    auto held = k_run;
    held["summary"] = "coder-1@1a2b3c4 is held: it changes a.c, locked by coder-2 for another 4m";
    CHECK(line_of("sync.held_locked", held, "ag_s") ==
          "integration run 7: coder-1@1a2b3c4 is held: it changes a.c, locked by coder-2 for "
          "another 4m");
    auto released = k_run;
    released["summary"] = "the locks that held it ended; queued again";
    CHECK(line_of("integration.released", released, "ag_s") ==
          "integration run 7: the locks that held it ended; queued again");
    CHECK(line_of("integration.based",
                  {{"integration", "5e4d3c2b1a09"}, {"forge", "/srv/forge.git"}}) ==
          "coder-1 started refs/knot/integration at 5e4d3c2, the room's base (from "
          "/srv/forge.git)");
    CHECK(line_of("integration.forge_pushed",
                  {{"cause", "undo"},
                   {"run", 7},
                   {"integration", "5e4d3c2b1a09"},
                   {"forge", "/srv/forge.git"}},
                  "ag_s") == "refs/knot/integration 5e4d3c2 pushed to /srv/forge.git (after the "
                             "undo of integration run 7)");
    CHECK(line_of("integration.forge_push_failed",
                  {{"cause", "base"},
                   {"integration", "5e4d3c2b1a09"},
                   {"forge", "/srv/forge.git"},
                   {"error", "the forge refused the push or could not be reached"}},
                  "ag_s") == "cannot push refs/knot/integration to /srv/forge.git (the room's "
                             "base): the forge refused the push or could not be reached");
}

TEST_CASE("review and patch events read as who reviewed what, and the verdict") {
    CHECK(line_of("review.requested",
                  {{"review", "rev_1"}, {"run", 3}, {"agent", "coder-1"}, {"mode", "peers"}},
                  "ag_s") == "review rev_1 of integration run 3 (coder-1) asked of peers");
    CHECK(line_of("review.claimed", {{"review", "rev_1"}, {"run", 3}, {"peer", "coder-2"}},
                  "ag_2") == "coder-2 is reviewing rev_1 (integration run 3)");
    CHECK(line_of("review.verdict",
                  {{"review", "rev_1"},
                   {"run", 3},
                   {"verdict", "FAIL"},
                   {"reviewer", "peer coder-2"},
                   {"verified", true},
                   {"reason", "no tests"}},
                  "ag_2") == "review rev_1 of integration run 3: FAIL by peer coder-2: no tests");
    CHECK(line_of("review.verdict",
                  {{"review", "rev_2"},
                   {"run", 4},
                   {"verdict", "PASS"},
                   {"reviewer", "webhook"},
                   {"verified", false}},
                  "ag_s") == "review rev_2 of integration run 4: PASS by webhook (unverified)");
    CHECK(line_of("review.timeout", {{"review", "rev_3"}, {"run", 5}, {"verdict", "WARN"}},
                  "ag_s") == "review rev_3 of integration run 5: WARN (nobody answered: advisory)");
    CHECK(line_of("review.released", {{"review", "rev_3"}, {"peer", "ag_2"}}, "ag_s") ==
          "review rev_3 is free again: coder-2 went away");
    CHECK(line_of("patch.submitted", {{"id", "p0123456789"}, {"tip", "abcdef0123"}}) ==
          "coder-1 submitted p0123456789 (abcdef0)");
    CHECK(line_of("patch.rejected", {{"id", "p0123456789"}, {"reason", "breaks the API"}},
                  "ag_2") == "coder-2 rejected p0123456789: breaks the API");
}
