// End to end: the review gate in peer mode. A room hosted by `git knot up`, joined clones that
// push with plain `git push knot`, and `git knot review --watch` running a stand-in for an
// agent's local AI (a shell script in knot.reviewer that keeps its prompt and answers what a
// file says). Every wait is on the room's event stream.
#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/review/review_text.hpp"
#include "tests/e2e/review_steps.hpp"
#include "tests/support/git_steps.hpp"
#include "tests/support/in_directory.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace knot::test;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace knot::test::review;

namespace {

// Makes `clone`'s knot.reviewer a script that keeps each prompt in <tools>/<name>.prompt, counts
// its calls in <tools>/calls (one line each, its name) and answers <tools>/<name>.answer.
void use_reviewer(const fs::path& clone, const fs::path& tools, const std::string& name,
                  const std::string& answer) {
    fs::create_directories(tools);
    write_file(tools / (name + ".answer"), answer + "\n");
    const fs::path script = tools / (name + ".sh");
    write_file(script, "cat > '" + (tools / (name + ".prompt")).string() + "'\n" + "echo " + name +
                           " >> '" + (tools / "calls").string() + "'\n" + "cat '" +
                           (tools / (name + ".answer")).string() + "'\n");
    REQUIRE(run("git config knot.reviewer 'sh " + script.string() + "'", clone).status == 0);
}

std::string read_all(const fs::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("a peer's FAIL holds refs/knot/integration back with the reason in chat, and the "
          "author cannot review its own change") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    REQUIRE(run("git knot review --mode peers --timeout 120", room.host()).status == 0);
    const fs::path tools = room.dir() / "tools";
    use_reviewer(bob, tools, "bob", "FAIL: it says it adds a greeting but empties the README");
    RoomEvents events(alice);
    BackgroundCommand watch("git knot review --watch --max-reviews 1", bob);
    REQUIRE(run("git knot doing 'add a greeting'", alice).status == 0);
    commit_file(alice, "greeting.txt", "hello\n");
    const std::string before = server_integration(room);

    const json outcome = events.push(alice);
    CHECK(of_type(outcome, "sync.review_failed"));
    CHECK(server_integration(room) == before);
    CHECK(watch.wait() == 0);
    const json verdict = seen_event(events, "review.verdict");
    CHECK(data_of(verdict)["verdict"] == "FAIL");
    CHECK(data_of(verdict)["verified"] == true);
    CHECK(data_of(verdict)["reviewer"] == "peer bob");
    const std::string id = data_of(verdict)["review"];
    const std::string prompt = read_all(tools / "bob.prompt");
    CHECK(contains(prompt, "add a greeting"));
    CHECK(contains(prompt, "greeting.txt"));
    CHECK(contains(prompt, "Commits:\nchange greeting.txt\n"));
    CHECK(contains(prompt, " greeting.txt | 1 +"));
    CHECK(contains(prompt, "\"verdict\""));
    const json chat = events.next([](const json& e) {
        return of_type(e, "chat.message") && contains(data_of(e).value("text", ""), "FAIL");
    });
    CHECK(contains(data_of(chat)["text"], "empties the README"));

    // The verdict's statement is kept, signed by bob's key, and names this review and candidate.
    const json shown = json_of(run("git knot review " + id + " --json", alice));
    CHECK(shown["verdict"] == "FAIL");
    CHECK(contains(shown["statement"], id));
    CHECK(contains(shown["statement"], shown["candidate"].get<std::string>()));
    CHECK(contains(run("git knot check --history", alice).out, "failed review"));
    CHECK(contains(run("git knot log", alice).out, id));

    const auto own = run("git knot review --approve " + id, alice);
    CHECK(own.status == 1);
    CHECK(contains(own.err, "own change"));
    const auto again = run("git knot review --approve " + id, bob);
    CHECK(again.status == 1);
    CHECK(contains(again.err, "already answered"));
}

TEST_CASE("forged, replayed, self-addressed and outsiders' verdicts are refused, and a signed hand "
          "approval integrates") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    REQUIRE(run("git knot review --mode peers --timeout 120", room.host()).status == 0);
    RoomEvents events(alice);
    const std::string first = commit_file(alice, "one.txt", "1\n");
    REQUIRE(run("git push -q knot main", alice).status == 0);
    const json requested =
        events.next([](const json& e) { return of_type(e, "review.requested"); });
    const std::string id = data_of(requested)["review"];
    const std::string candidate = data_of(requested)["candidate"];

    {
        const InDirectory in_bob(bob);
        knot::Session session;
        const std::int64_t now = knot::unix_now();
        // Signed by bob, but over another verdict than the one sent.
        const std::string pass = knot::review_statement(session.room().room, id, candidate,
                                                        knot::Verdict::pass, "fine", now);
        const std::string fail = knot::review_statement(session.room().room, id, candidate,
                                                        knot::Verdict::fail, "fine", now);
        CHECK(refusal([&] {
                  session.client().post("/reviews/" + id + "/verdict",
                                        {{"verdict", "PASS"},
                                         {"reason", "fine"},
                                         {"timestamp", now},
                                         {"signature", session.identity().sign(fail)}});
              }) == knot::error_code::bad_signature);
        // A statement signed for another review does not answer this one.
        const std::string other =
            knot::review_statement(session.room().room, "rev_0000000000000000", candidate,
                                   knot::Verdict::pass, "fine", now);
        CHECK(refusal([&] {
                  session.client().post("/reviews/" + id + "/verdict",
                                        {{"verdict", "PASS"},
                                         {"reason", "fine"},
                                         {"timestamp", now},
                                         {"signature", session.identity().sign(other)}});
              }) == knot::error_code::bad_signature);
        CHECK(refusal([&] {
                  session.client().post("/reviews/" + id + "/verdict",
                                        {{"verdict", "pass"},
                                         {"timestamp", now},
                                         {"signature", session.identity().sign(pass)}});
              }) == knot::error_code::bad_request);
        // An outsider with the right room but no token gets nothing.
        knot::RoomClient outsider(session.room().server, session.room().room, "not-the-token",
                                  &session.identity(), "");
        CHECK(refusal([&] {
                  outsider.post("/reviews/" + id + "/verdict",
                                {{"verdict", "PASS"},
                                 {"reason", "fine"},
                                 {"timestamp", now},
                                 {"signature", session.identity().sign(pass)}});
              }) == knot::error_code::bad_token);
    }
    {
        const InDirectory in_alice(alice);
        knot::Session session;
        const std::int64_t now = knot::unix_now();
        const std::string pass = knot::review_statement(session.room().room, id, candidate,
                                                        knot::Verdict::pass, "", now);
        CHECK(refusal([&] {
                  session.client().post("/reviews/" + id + "/verdict",
                                        {{"verdict", "PASS"},
                                         {"timestamp", now},
                                         {"signature", session.identity().sign(pass)}});
              }) == knot::error_code::own_change);
    }
    const auto approved = run("git knot review --approve " + id + " --reason 'reads well'", bob);
    CHECK(approved.status == 0);
    const json outcome = events.outcome(data_of(requested)["run"].get<int>());
    CHECK(of_type(outcome, "sync.integrated"));
    CHECK(data_of(outcome)["commit"] == first);
    CHECK(data_of(outcome)["review"]["verdict"] == "PASS");
    CHECK(data_of(outcome)["review"]["reviewer"] == "peer bob");
    const auto rejected = run("git knot review --reject " + id + " --reason late", bob);
    CHECK(rejected.status == 1);
}

TEST_CASE("a WARN lets the change through marked, and a review nobody answers times out to an "
          "advisory WARN") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    REQUIRE(run("git knot review --mode peers --timeout 3", room.host()).status == 0);
    RoomEvents events(alice);
    commit_file(alice, "one.txt", "1\n");
    const json timed_out = events.push(alice);
    CHECK(of_type(timed_out, "sync.integrated"));
    CHECK(data_of(timed_out)["review"]["verdict"] == "WARN");
    CHECK(data_of(timed_out)["review"]["advisory"] == true);
    CHECK(data_of(seen_event(events, "review.timeout"))["verdict"] == "WARN");

    REQUIRE(run("git knot review --mode peers --timeout 120", room.host()).status == 0);
    use_reviewer(bob, room.dir() / "tools", "bob",
                 "Some thoughts first.\n**WARN**: it also renames a file it did not mention");
    BackgroundCommand watch("git knot review --watch --max-reviews 1", bob);
    commit_file(alice, "two.txt", "2\n");
    const json warned = events.push(alice);
    CHECK(of_type(warned, "sync.integrated"));
    CHECK(data_of(warned)["review"]["verdict"] == "WARN");
    CHECK(data_of(warned)["review"]["reason"] == "it also renames a file it did not mention");
    CHECK(contains(data_of(warned)["message"], "review warned"));
    CHECK(watch.wait() == 0);
}

TEST_CASE("with two peers watching each request is reviewed once, and a request passes to "
          "another peer when its reviewer goes away") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    const fs::path carol = hosted_clone(room, "carol");
    REQUIRE(run("git knot review --mode peers --timeout 30", room.host()).status == 0);
    const fs::path tools = room.dir() / "tools";
    use_reviewer(bob, tools, "bob", "PASS: fine");
    use_reviewer(carol, tools, "carol", "PASS: fine");
    RoomEvents events(alice);
    {
        BackgroundCommand bob_watch("git knot review --watch", bob);
        BackgroundCommand carol_watch("git knot review --watch", carol);
        REQUIRE(bob_watch.next_line(30000));
        REQUIRE(carol_watch.next_line(30000));
        for (const std::string name : {"one", "two", "three"}) {
            commit_file(alice, name + ".txt", name + "\n");
            CHECK(of_type(events.push(alice), "sync.integrated"));
        }
    }
    std::vector<std::string> ids;
    for (const json& event : events.seen())
        if (of_type(event, "review.verdict"))
            ids.push_back(data_of(event)["review"]);
    CHECK(ids.size() == 3);
    std::sort(ids.begin(), ids.end());
    CHECK(std::unique(ids.begin(), ids.end()) == ids.end());
    const std::string calls = read_all(tools / "calls");
    CHECK(std::count(calls.begin(), calls.end(), '\n') == 3);

    // bob claims the next one and hangs; when his watch ends, his claim lapses and carol's
    // watch, woken by review.released, reviews it.
    write_file(tools / "bob.sh", "sleep 600\n");
    commit_file(alice, "four.txt", "4\n");
    const std::string tip = rev(alice, "HEAD");
    int run_number = 0;
    {
        BackgroundCommand bob_hangs("git knot review --watch", bob);
        REQUIRE(bob_hangs.next_line(30000));
        REQUIRE(run("git push -q knot main", alice).status == 0);
        const json claimed =
            events.next([](const json& e) { return of_type(e, "review.claimed"); });
        CHECK(data_of(claimed)["peer"] == "bob");
        run_number = data_of(claimed)["run"];
    }
    BackgroundCommand carol_watch("git knot review --watch", carol);
    const json released = events.next([](const json& e) { return of_type(e, "review.released"); });
    const json outcome = events.outcome(run_number);
    CHECK(of_type(outcome, "sync.integrated"));
    CHECK(data_of(outcome)["commit"] == tip);
    CHECK(data_of(outcome)["review"]["reviewer"] == "peer carol");
    CHECK(data_of(released)["review"] == data_of(outcome)["review"]["id"]);
}

TEST_CASE("in auto mode a member that only pretends to watch holds a run for the claim window, "
          "not the whole review timeout") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    REQUIRE(run("git knot review --mode auto --timeout 30", room.host()).status == 0);
    {
        const InDirectory in_bob(bob);
        knot::Session session;
        session.client().post("/reviews/watch", json::object()); // and never claims anything
    }
    RoomEvents events(alice);
    commit_file(alice, "one.txt", "1\n");
    const json outcome = events.push(alice);
    CHECK(of_type(outcome, "sync.integrated"));
    CHECK(data_of(outcome)["review"]["advisory"] == true);
    const json timed_out = seen_event(events, "review.timeout");
    CHECK(data_of(timed_out)["reason"] == "no peer took it within 6 s: it goes on, advisory only");
    const json requested = seen_event(events, "review.requested");
    CHECK(data_of(requested)["mode"] == "peers");
    CHECK(timed_out["time"].get<std::int64_t>() - requested["time"].get<std::int64_t>() < 20);
}
