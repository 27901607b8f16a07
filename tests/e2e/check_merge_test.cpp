// End to end: `git knot check` against a room hosted by `git knot up`: it fetches the room's
// refs/knot/integration, merges HEAD onto it and runs the checks on the merge in a scratch tree,
// so it fails the semantic conflict the room fails, which the work tree's checks (--here) pass.
// Waits are on the room's event stream, never a sleep.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot::test;

TEST_CASE("check fetches the room's integration and fails the semantic conflict --here misses") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    RoomEvents events(a);
    // Every name a file under uses/ calls must be defined in defs.txt.
    write_file(a / ".knot/checks",
               "for f in uses/*; do grep -qx \"$(cat $f)\" defs.txt || "
               "{ echo \"$f calls $(cat $f), which defs.txt lacks\"; exit 1; }; done\n");
    write_file(a / "defs.txt", "greet\n");
    write_file(a / "uses/main.txt", "greet\n");
    REQUIRE(run("git add -A && git commit -q -m base", a).status == 0);
    REQUIRE(events.push(a).at("type") == "sync.integrated");
    REQUIRE(run("git fetch -q knot && git reset -q --hard refs/knot/integration", b).status == 0);
    const std::string stale = rev(b, "refs/knot/integration");

    // A renames greet to hello where it is defined and used; the room integrates it.
    write_file(a / "defs.txt", "hello\n");
    write_file(a / "uses/main.txt", "hello\n");
    REQUIRE(run("git commit -q -a -m 'rename greet to hello'", a).status == 0);
    const auto renamed = events.push(a);
    REQUIRE(renamed.at("type") == "sync.integrated");
    const std::string integration = renamed.at("data").at("integration");

    // B, which has not fetched since, adds a call of greet: no line of it conflicts.
    const std::string ours = commit_file(b, "uses/extra.txt", "greet\n");
    const std::string merge_of = "the merge of HEAD " + ours.substr(0, 7) +
                                 " onto refs/knot/integration " + integration.substr(0, 7);

    // The work tree's checks (what check ran before) pass, and say that is all they checked.
    const auto here = run("git knot check --here", b);
    CHECK(here.status == 0);
    CHECK(contains(here.out, "merge   \u2713 HEAD " + ours.substr(0, 7) +
                                 " merges cleanly onto refs/knot/integration " +
                                 stale.substr(0, 7) +
                                 " (a preview: --here checks the work tree)\n"));
    CHECK(contains(here.out, "\u2713 check passed in the work tree (--here): "));

    // check fetches the integration first, merges onto it and fails as the room will.
    const auto checked = run("git knot check", b);
    CHECK(checked.status == 1);
    CHECK(contains(checked.out, "fetch   \u2713 refs/knot/integration " + integration.substr(0, 7) +
                                    " from the room\n"));
    CHECK(contains(checked.out, "merge   \u2713 HEAD " + ours.substr(0, 7) +
                                    " merges cleanly onto refs/knot/integration " +
                                    integration.substr(0, 7) + "\n"));
    CHECK(contains(checked.out, "uses/extra.txt calls greet, which defs.txt lacks"));
    CHECK(contains(checked.out, "\u2717 check failed on " + merge_of + ": "));
    CHECK(!contains(checked.out, "check passed"));
    CHECK(rev(b, "refs/knot/integration") == integration);
    const auto failed = run("git knot check --json", b);
    REQUIRE(failed.status == 1);
    const auto report = nlohmann::json::parse(failed.out);
    CHECK(report.at("target") == "merge");
    CHECK(report.at("fetch") ==
          nlohmann::json{{"state", "fetched"}, {"from", "knot"}, {"reason", nullptr}});
    CHECK(report.at("merge").at("state") == "clean");
    CHECK(report.at("checks").at("verdict") == "fail");
    // B's branch, index and work tree are as they were.
    CHECK(rev(b, "HEAD") == ours);
    CHECK(trimmed(run("git status --porcelain", b).out).empty());
    CHECK(trimmed(run("cat defs.txt", b).out) == "greet");

    // The room agrees.
    REQUIRE(run("git push -q knot main", b).status == 0);
    CHECK(events.outcome_of_push(ours).at("type") == "sync.check_failed");

    // Calling the new name passes, on the merge.
    const std::string fixed = commit_file(b, "uses/extra.txt", "hello\n");
    const auto passed = run("git knot check", b);
    CHECK(passed.status == 0);
    CHECK(contains(passed.out, "\u2713 check passed on the merge of HEAD " + fixed.substr(0, 7) +
                                   " onto refs/knot/integration " + integration.substr(0, 7) +
                                   ": "));
}
