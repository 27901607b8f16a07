// Tests of libknot/client/sync_summary.cpp's pure parts: the summary `git knot sync` prints (text
// and JSON), the integration state read from the server's answer, and teammates' refs as found
// in a clone.
#include "libknot/base/error.hpp"
#include "libknot/client/sync_summary.hpp"

#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot;
using knot::test::TempRepo;

namespace {

const std::string k_a = std::string(40, 'a');
const std::string k_b = std::string(40, 'b');
const std::string k_c = std::string(40, 'c');

TeammateRef teammate(const std::string& agent, const std::string& branch,
                     std::vector<std::string> files) {
    return {agent, branch, "refs/knot/" + agent + "/" + branch, k_c, std::move(files)};
}

// A summary of a sync that pushed two files, fetched, and saw one teammate and a run.
SyncSummary full_summary() {
    SyncSummary summary;
    summary.mode = {"hosted", "http://127.0.0.1:8787", ""};
    summary.pushed = PushResult{"refs/knot/ana/main", "main", k_a, k_b, {"src/a.c", "src/b.c"}};
    summary.fetched = true;
    summary.fetched_from = "knot";
    summary.teammates = {teammate("bo", "main", {"src/api.ts", "src/db.ts"})};
    summary.integration = IntegrationState{k_b,
                                           k_c,
                                           12,
                                           "integrated",
                                           "integrated bo@ccccccc",
                                           false,
                                           "WARN",
                                           "renames a file it did not mention"};
    return summary;
}

} // namespace

TEST_CASE("the summary shows the mode, the push, the fetch, each teammate and the integration") {
    CHECK(summary_text(full_summary()) ==
          "mode  hosted  http://127.0.0.1:8787\n"
          "✓ pushed  aaaaaaaa  2 files\n"
          "✓ fetched\n"
          "● bo  cccccccc  2 files  src/api.ts, src/db.ts\n"
          "◆ integration  bbbbbbbb  run 12 integrated: integrated bo@ccccccc\n");
}

TEST_CASE("an up-to-date push, an undone run and a ref at the room's base read as such") {
    SyncSummary summary = full_summary();
    summary.pushed->previous = k_a;
    summary.teammates.clear();
    summary.integration->base = k_b;
    summary.integration->undone = true;
    CHECK(summary_text(summary) == "mode  hosted  http://127.0.0.1:8787\n"
                                   "✓ up to date  aaaaaaaa\n"
                                   "✓ fetched\n"
                                   "◆ integration  bbbbbbbb (the room's base)  run 12 "
                                   "integrated, then undone: integrated bo@ccccccc\n");
}

TEST_CASE("an agent with several branches is shown per branch, names padded to one column") {
    SyncSummary summary;
    summary.mode = {"forge", "https://example.com/r.git", "origin"};
    summary.teammates = {teammate("bo", "main", {}), teammate("bo", "fix", {"x"}),
                         teammate("carmen", "main", {"1", "2", "3", "4", "5"})};
    CHECK(summary_text(summary) == "mode  forge  https://example.com/r.git\n"
                                   "● bo/main  cccccccc  0 files\n"
                                   "● bo/fix   cccccccc  1 file  x\n"
                                   "● carmen   cccccccc  5 files  1, 2, 3, +2 more\n");
}

TEST_CASE("with the server unreachable the summary says what waits in the outbox") {
    SyncSummary summary;
    summary.mode = {"forge", "git@example.com:r.git", "origin"};
    summary.fetched = true;
    summary.fetched_from = "origin";
    summary.server_reachable = false;
    summary.queued = 1;
    const std::string text = summary_text(summary);
    CHECK(text.find("✓ fetched from origin (the forge)\n") != std::string::npos);
    CHECK(text.find("! coordination queued: the knot server did not answer; 1 notification "
                    "waits in the outbox") != std::string::npos);
    summary.queued = 0;
    CHECK(summary_text(summary).find("nothing waits in the outbox") != std::string::npos);
    summary.queued = 3;
    CHECK(summary_text(summary).find("3 notifications wait") != std::string::npos);
}

TEST_CASE("the JSON summary holds the same facts, with null for what is absent") {
    const nlohmann::json full = summary_json(full_summary());
    CHECK(full.at("mode") == "hosted");
    CHECK(full.at("pushed").at("previous") == k_b);
    CHECK(full.at("pushed").at("up_to_date") == false);
    CHECK(full.at("pushed").at("files") == nlohmann::json{"src/a.c", "src/b.c"});
    CHECK(full.at("teammates").at(0).at("ref") == "refs/knot/bo/main");
    CHECK(full.at("integration").at("run") == 12);
    CHECK(full.at("integration").at("review") ==
          nlohmann::json{{"verdict", "WARN"}, {"reason", "renames a file it did not mention"}});
    CHECK(full.at("server") == "reachable");

    SyncSummary bare;
    bare.mode = {"hosted", "http://h", ""};
    bare.server_reachable = false;
    const nlohmann::json empty = summary_json(bare);
    CHECK(empty.at("pushed").is_null());
    CHECK(empty.at("fetched_from").is_null());
    CHECK(empty.at("integration").is_null());
    CHECK(empty.at("teammates") == nlohmann::json::array());
    CHECK(empty.at("server") == "unreachable");

    bare.integration = IntegrationState{};
    CHECK(summary_json(bare).at("integration").at("commit").is_null());
    CHECK(summary_json(bare).at("integration").at("review").is_null());
}

TEST_CASE("the integration state is read from the newest run, whatever else is missing") {
    const auto state = integration_state(nlohmann::json::parse(R"({
        "integration": ")" + k_a + R"(", "base": ")" + k_b + R"(",
        "runs": [{"run": 7, "status": "review_failed", "summary": "coder-1@1234567 failed review",
                  "undone": true, "detail": {"review": {"id": "rev_1", "verdict": "FAIL",
                  "reason": "no tests"}}}, {"run": 6, "status": "integrated"}]})"));
    CHECK(state.commit == k_a);
    CHECK(state.base == k_b);
    CHECK(state.run == 7);
    CHECK(state.status == "review_failed");
    CHECK(state.summary == "coder-1@1234567 failed review");
    CHECK(state.undone);
    CHECK(state.review_verdict == "FAIL");
    CHECK(state.review_reason == "no tests");

    const auto none = integration_state(
        nlohmann::json::parse(R"({"integration": null, "base": null, "runs": []})"));
    CHECK(none.commit.empty());
    CHECK(none.base.empty());
    CHECK(none.run == 0);
}

TEST_CASE("an integration state with a member of the wrong type is a clear error") {
    CHECK_THROWS_MATCHES(
        integration_state(nlohmann::json::parse(R"({"integration": null, "base": 5})")), Error,
        Catch::Message("the knot server sent a malformed integration state: \"base\" is not a "
                       "string or null"));
    CHECK_THROWS_MATCHES(
        integration_state(nlohmann::json::parse(R"({"runs": [{"run": "7"}]})")), Error,
        Catch::Message(
            "the knot server sent a malformed integration run: \"run\" is not an integer"));
}

TEST_CASE("teammates are every agent's refs but ours, the integration's and patches', with "
          "their files") {
    TempRepo repo;
    const std::string base = repo.commit("shared.txt", "base\n");
    const std::string theirs = repo.commit("theirs.c", "x\n");
    repo.git({"update-ref", "refs/knot/bo/main", theirs});
    repo.git({"update-ref", "refs/knot/ana/main", theirs});
    repo.git({"update-ref", "refs/knot/bo/patches/p0123456789", theirs}); // listed by patches
    repo.git({"update-ref", "refs/knot/integration", theirs});
    repo.git({"reset", "--hard", base});
    const auto found = teammate_refs(repo.path, "ana");
    REQUIRE(found.size() == 1);
    CHECK(found[0].agent == "bo");
    CHECK(found[0].branch == "main");
    CHECK(found[0].ref == "refs/knot/bo/main");
    CHECK(found[0].commit == theirs);
    CHECK(found[0].files == std::vector<std::string>{"theirs.c"});
}

TEST_CASE("a teammate's branch name may hold slashes, and unrelated history lists every file") {
    TempRepo repo;
    repo.commit("mine.txt", "mine\n");
    repo.git({"checkout", "--orphan", "other"});
    repo.git({"rm", "-rf", "-q", "."});
    const std::string unrelated = repo.commit("their.txt", "theirs\n");
    repo.git({"update-ref", "refs/knot/bo/task/t3", unrelated});
    repo.git({"checkout", "-f", "main"});
    const auto found = teammate_refs(repo.path, "ana");
    REQUIRE(found.size() == 1);
    CHECK(found[0].branch == "task/t3");
    CHECK(found[0].files == std::vector<std::string>{"their.txt"});
}
