// End to end: the review gate's server key and webhook modes against a stand-in on loopback
// that speaks the real contracts (tests/support/review_standin.cpp): Anthropic's Messages API
// and a webhook service that answers at the respond URL with its one-review credential.
#include "libknot/base/error.hpp"
#include "libknot/client/http_client.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/review/review_text.hpp"
#include "tests/e2e/review_steps.hpp"
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace knot::test;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace knot::test::review;

namespace {

// POSTs a webhook's answer to `path` of the server with `credential`; returns the status.
int respond(const std::string& server, const std::string& path, const std::string& credential,
            const std::string& verdict) {
    knot::HttpClient client(server);
    return client
        .request("POST", path, json{{"verdict", verdict}, {"reason", "from a test"}}.dump(),
                 {{"Authorization", "Bearer " + credential}})
        .status;
}

} // namespace

TEST_CASE("with the server's key, the model's FAIL holds the change and its PASS advances it, "
          "and the key is in no file, log or command line") {
    Standin standin;
    const std::string key = "sk-ant-test-" + std::to_string(::getpid());
    standin.set("expected_key", key);
    standin.set("model_answer", "Here is my review.\n```json\n{\"verdict\": \"FAIL\", "
                                "\"reason\": \"it claims a parser but adds only a stub\"}\n```\n");
    const ScopedEnv base("ANTHROPIC_BASE_URL", standin.url());
    HostedRoom room(0, "--anthropic-key " + key);
    const fs::path alice = hosted_clone(room, "alice");
    RoomEvents events(alice);
    REQUIRE(run("git knot doing 'write the config parser'", alice).status == 0);
    commit_file(alice, "parser.c", "int parse(void) { return 0; }\n");
    const std::string before = server_integration(room);

    const json failed = events.push(alice);
    CHECK(of_type(failed, "sync.review_failed"));
    CHECK(data_of(failed)["reason"] == "it claims a parser but adds only a stub");
    CHECK(data_of(failed)["reviewer"] == "the server's model");
    CHECK(server_integration(room) == before);
    CHECK(standin.await() == "request /v1/messages");
    const std::vector<json> asked = standin.requests();
    REQUIRE(asked.size() == 1);
    CHECK(asked[0]["path"] == "/v1/messages");
    CHECK(asked[0]["api_key"] == key);
    CHECK(asked[0]["version"] == "2023-06-01");
    CHECK(asked[0]["body"]["model"] == "claude-sonnet-4-5");
    const std::string prompt = asked[0]["body"]["messages"][0]["content"];
    CHECK(contains(prompt, "write the config parser"));
    CHECK(contains(prompt, "parser.c"));

    // The owner's model setting reaches the API; a large diff is cut with a note.
    REQUIRE(run("git knot review --model claude-test-model", room.host()).status == 0);
    standin.set("model_answer", "PASS: does what it says");
    commit_file(alice, "big.txt", std::string(200 * 1024, 'x') + "\n");
    const json passed = events.push(alice);
    CHECK(of_type(passed, "sync.integrated"));
    CHECK(data_of(passed)["review"]["verdict"] == "PASS");
    CHECK(data_of(passed)["review"]["verified"] == true);
    const json second = standin.requests().back();
    CHECK(second["body"]["model"] == "claude-test-model");
    CHECK(contains(second["body"]["messages"][0]["content"], "bytes were left out"));

    // A key the API refuses is a WARN with the reason, not a hold and not the key.
    standin.set("expected_key", "another-key");
    commit_file(alice, "three.txt", "3\n");
    const json refused = events.push(alice);
    CHECK(of_type(refused, "sync.integrated"));
    CHECK(data_of(refused)["review"]["verdict"] == "WARN");
    CHECK(contains(data_of(refused)["review"]["reason"], "401"));
    CHECK(!contains(data_of(refused)["review"]["reason"], key));

    const std::string pid = std::to_string(room.server_record()["pid"].get<int>());
    CHECK(!contains(sh("tr '\\0' ' ' < /proc/" + pid + "/cmdline", room.host()).out, key));
    CHECK(!contains(sh("tr '\\0' '\\n' < /proc/" + pid + "/environ", room.host()).out, key));
    const auto grep = sh("grep -rl -- '" + key + "' .git/knot .git/config || true", room.host());
    CHECK(trimmed(grep.out).empty());
}

TEST_CASE("a server stopped while its model reviews asks the model again when it is back") {
    Standin standin;
    const std::string key = "sk-ant-restart-" + std::to_string(::getpid());
    standin.set("expected_key", key);
    standin.set("model_hang", "");
    const ScopedEnv base("ANTHROPIC_BASE_URL", standin.url());
    const int port = free_port();
    HostedRoom room(port, "--anthropic-key " + key);
    const fs::path alice = hosted_clone(room, "alice");
    RoomEvents events(alice);
    commit_file(alice, "one.txt", "1\n");
    REQUIRE(run("git push -q knot main", alice).status == 0);
    CHECK(standin.await() == "request /v1/messages");
    const json requested =
        events.next([](const json& e) { return of_type(e, "review.requested"); });
    REQUIRE(::kill(room.server_record().at("pid").get<int>(), SIGKILL) == 0);

    standin.set("model_answer", "FAIL: asked again after the restart");
    standin.unset("model_hang");
    REQUIRE(
        run("git knot up --port " + std::to_string(port) + " --no-tunnel --anthropic-key " + key,
            room.host())
            .status == 0);
    const json outcome = events.outcome(data_of(requested)["run"].get<int>());
    CHECK(of_type(outcome, "sync.review_failed"));
    CHECK(data_of(outcome)["review"] == data_of(requested)["review"]);
    CHECK(data_of(outcome)["reason"] == "asked again after the restart");
}

TEST_CASE("a webhook answers with its one-review credential, recorded unverified, and the "
          "credential answers nothing else") {
    Standin standin;
    standin.set("webhook_verdict", "PASS");
    HostedRoom room(0, "--review-webhook " + standin.url() + "/hook");
    const fs::path alice = hosted_clone(room, "alice");
    RoomEvents events(alice);
    commit_file(alice, "one.txt", "1\n");
    const json passed = events.push(alice);
    CHECK(of_type(passed, "sync.integrated"));
    CHECK(data_of(passed)["review"]["verdict"] == "PASS");
    CHECK(data_of(passed)["review"]["verified"] == false);
    CHECK(data_of(passed)["review"]["reviewer"] == "webhook");
    CHECK(standin.await() == "request /hook");
    CHECK(standin.await() == "callback 200");
    CHECK(contains(run("git knot review", alice).out, "PASS (unverified)"));
    CHECK(contains(run("git knot check --history", alice).out, ": PASS by webhook, unverified]"));
    const std::vector<json> sent = standin.requests();
    REQUIRE(sent.size() == 1);
    const json first = sent[0]["body"];
    for (const char* field : {"review_id", "room_id", "agent_name", "diff_stat", "intent",
                              "knot_server", "respond_url", "credential", "diff"})
        CHECK(first.contains(field));
    CHECK(first["agent_name"] == "alice");
    const std::string invite_token = room.invite().substr(room.invite().rfind('#') + 1);
    CHECK(!contains(first.dump(), "\"invite_token\""));
    REQUIRE(standin.callbacks().size() == 1);
    CHECK(standin.callbacks()[0]["status"] == 200);

    // The same credential again, or on the next review, or in another room's path: refused.
    const std::string server = first["knot_server"];
    const std::string first_path = first["respond_url"].get<std::string>().substr(server.size());
    CHECK(respond(server, first_path, first["credential"], "FAIL") == 401);

    // The quick tunnel `git knot up` starts after the server is what the webhook is told. (No
    // pid in the record: `git knot down` stops the pid a record names.)
    const std::string tunnel = "https://knot-test-tunnel.trycloudflare.com";
    const fs::path tunnel_record = room.host() / ".git/knot/server/tunnel.json";
    write_file(tunnel_record, json{{"url", tunnel + "/"}}.dump() + "\n");
    standin.unset("webhook_verdict");
    commit_file(alice, "two.txt", "2\n");
    REQUIRE(run("git push -q knot main", alice).status == 0);
    const json requested = events.next(
        [](const json& e) { return of_type(e, "review.requested") && data_of(e)["run"] == 2; });
    (void)requested;
    CHECK(standin.await() == "request /hook");
    const json second = standin.requests().back()["body"];
    fs::remove(tunnel_record);
    CHECK(second["knot_server"] == tunnel);
    REQUIRE(second["respond_url"].get<std::string>().rfind(tunnel + "/v1/rooms/", 0) == 0);
    const std::string second_path = second["respond_url"].get<std::string>().substr(tunnel.size());
    CHECK(respond(server, second_path, first["credential"], "PASS") == 401);
    std::string elsewhere = second_path;
    elsewhere.replace(elsewhere.find(second["room_id"].get<std::string>()),
                      second["room_id"].get<std::string>().size(), "rm_elsewhere");
    CHECK(respond(server, elsewhere, second["credential"], "PASS") == 401);
    CHECK(respond(server, second_path, "", "PASS") == 401);
    // A stranger's guess is refused before its body is read.
    CHECK(knot::HttpClient(server)
              .request("POST", second_path, "{not json", {{"Authorization", "Bearer guess"}})
              .status == 401);
    CHECK(respond(server, second_path, second["credential"], "FAIL") == 200);
    const json failed = events.outcome(2);
    CHECK(of_type(failed, "sync.review_failed"));
    CHECK(respond(server, second_path, second["credential"], "PASS") == 401);
}

TEST_CASE("a webhook whose key the server has must sign its verdicts, which are then verified") {
    Standin standin;
    const knot::Identity webhook = knot::Identity::generate();
    webhook.save(standin.dir() / "webhook.key");
    standin.set("webhook_verdict", "FAIL");
    HostedRoom room(0, "--review-webhook " + standin.url() + "/hook --review-webhook-key " +
                           webhook.public_key_base64());
    const fs::path alice = hosted_clone(room, "alice");
    RoomEvents events(alice);
    commit_file(alice, "one.txt", "1\n");
    const json failed = events.push(alice);
    CHECK(of_type(failed, "sync.review_failed"));
    CHECK(standin.await() == "request /hook");
    CHECK(standin.await() == "callback 200");
    const json first = standin.requests().back()["body"];
    CHECK(first["sign"] == true);
    const json shown =
        json_of(run("git knot review " + first["review_id"].get<std::string>() + " --json", alice));
    CHECK(shown["verified"] == true);
    CHECK(knot::verify_signature(webhook.public_key(), shown["statement"].get<std::string>(),
                                 shown["signature"].get<std::string>()));

    // Unsigned, or signed by another key: refused, and the review stays open for the real one.
    fs::remove(standin.dir() / "webhook.key");
    commit_file(alice, "two.txt", "2\n");
    REQUIRE(run("git push -q knot main", alice).status == 0);
    CHECK(standin.await() == "request /hook");
    CHECK(standin.await() == "callback 400");
    const json second = standin.requests().back()["body"];
    const std::string server = second["knot_server"];
    const std::string path = second["respond_url"].get<std::string>().substr(server.size());
    const std::int64_t now = knot::unix_now();
    const auto statement = [&](knot::Verdict verdict) {
        return knot::review_statement(second["room_id"].get<std::string>(),
                                      second["review_id"].get<std::string>(),
                                      second["candidate"].get<std::string>(), verdict, "ok", now);
    };
    knot::HttpClient client(server);
    const auto send = [&](const std::string& signature) {
        return client
            .request("POST", path,
                     json{{"verdict", "PASS"},
                          {"reason", "ok"},
                          {"timestamp", now},
                          {"signature", signature}}
                         .dump(),
                     {{"Authorization", "Bearer " + second["credential"].get<std::string>()}})
            .status;
    };
    CHECK(send(knot::Identity::generate().sign(statement(knot::Verdict::pass))) == 401);
    CHECK(send(webhook.sign(statement(knot::Verdict::fail))) == 401);
    CHECK(send(webhook.sign(statement(knot::Verdict::pass))) == 200);
    const json passed = events.outcome(2);
    CHECK(of_type(passed, "sync.integrated"));
    CHECK(data_of(passed)["review"]["verified"] == true);
}
