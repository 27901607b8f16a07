// End to end: `git knot sync` pushes, fetches and summarises teammates' refs through the real
// git, git-remote-knot and a room hosted by `git knot up`; --watch is woken by the room's events.
#include "tests/support/git_steps.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

nlohmann::json sync_json(const fs::path& repo, const std::string& flags = "") {
    const auto r = run("git knot sync --json " + flags, repo);
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out);
}

const nlohmann::json* teammate(const nlohmann::json& summary, const std::string& agent) {
    for (const auto& t : summary.at("teammates"))
        if (t.at("agent") == agent)
            return &t;
    return nullptr;
}

} // namespace

TEST_CASE("sync pushes each agent's work and a third clone sees both teammates and their files") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    const auto c = hosted_clone(room, "coder-3");
    const std::string a_commit = commit_file(a, "src/api.txt", "api\n");
    const std::string b_commit = commit_file(b, "src/db.txt", "db\n");

    const auto first = run("git knot sync", a);
    REQUIRE(first.status == 0);
    CHECK(first.out.find("mode  hosted  http") != std::string::npos);
    CHECK(first.out.find("✓ pushed  " + a_commit.substr(0, 8)) != std::string::npos);
    CHECK(first.out.find("✓ fetched") != std::string::npos);
    REQUIRE(run("git knot sync", b).status == 0);

    const auto summary = sync_json(c);
    CHECK(summary.at("mode") == "hosted");
    CHECK(summary.at("fetched") == true);
    REQUIRE(summary.at("teammates").size() == 2);
    const auto* from_a = teammate(summary, "coder-1");
    const auto* from_b = teammate(summary, "coder-2");
    REQUIRE(from_a);
    REQUIRE(from_b);
    CHECK(from_a->at("commit") == a_commit);
    CHECK(from_a->at("ref") == "refs/knot/coder-1/main");
    CHECK(from_a->at("files") == nlohmann::json::array({"src/api.txt"}));
    CHECK(from_b->at("commit") == b_commit);
    CHECK(from_b->at("files") == nlohmann::json::array({"src/db.txt"}));
    CHECK(rev(c, "refs/knot/coder-2/main") == b_commit);

    // The text summary has one line per teammate with their commit, count and paths.
    const auto text = run("git knot sync", c);
    REQUIRE(text.status == 0);
    CHECK(text.out.find("● coder-1  " + a_commit.substr(0, 8) + "  1 file  src/api.txt") !=
          std::string::npos);
    CHECK(text.out.find("● coder-2  " + b_commit.substr(0, 8) + "  1 file  src/db.txt") !=
          std::string::npos);

    // A second sync with nothing new pushes nothing.
    const auto again = run("git knot sync", a);
    REQUIRE(again.status == 0);
    CHECK(again.out.find("✓ up to date  " + a_commit.substr(0, 8)) != std::string::npos);
    CHECK(again.out.find("✓ pushed") == std::string::npos);
    CHECK(sync_json(a).at("pushed").at("up_to_date") == true);
}

TEST_CASE("sync --push-only does not fetch and --pull-only does not push") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    const std::string a_commit = commit_file(a, "a.txt", "a\n");
    const std::string b_commit = commit_file(b, "b.txt", "b\n");
    REQUIRE(run("git knot sync --push-only", b).status == 0);

    const auto pushed = sync_json(a, "--push-only");
    CHECK(pushed.at("fetched") == false);
    CHECK(pushed.at("pushed").at("commit") == a_commit);
    CHECK(pushed.at("pushed").at("files") == nlohmann::json::array({"a.txt"}));
    CHECK(rev(a, "refs/knot/coder-2/main").empty()); // not fetched

    const std::string later = commit_file(a, "later.txt", "later\n");
    const auto pulled = sync_json(a, "--pull-only");
    CHECK(pulled.at("pushed").is_null());
    CHECK(pulled.at("fetched") == true);
    CHECK(rev(a, "refs/knot/coder-2/main") == b_commit);
    // B fetches and still sees A's earlier commit: the later one was not pushed.
    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == a_commit);
    CHECK(rev(b, "refs/knot/coder-1/main") != later);

    CHECK(run("git knot sync --push-only --pull-only", a).status == 129);
}

TEST_CASE("sync refuses a detached HEAD and reports a refused push with git's message") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    commit_file(a, "notes.txt", "draft\n");
    REQUIRE(run("git knot sync", a).status == 0);

    // A rewritten branch is not a fast-forward of the pushed ref: git refuses, sync exits 1.
    std::ofstream(a / "notes.txt") << "rewritten\n";
    REQUIRE(sh("git commit -q -a --amend -m rewritten", a).status == 0);
    const auto refused = run("git knot sync", a);
    CHECK(refused.status == 1);
    CHECK(refused.err.find("rejected") != std::string::npos);

    REQUIRE(sh("git checkout -q --detach", a).status == 0);
    const auto detached = run("git knot sync", a);
    CHECK(detached.status == 128);
    CHECK(detached.err.find("HEAD is detached") != std::string::npos);
}

TEST_CASE("sync says forge mode when the clone has an origin and knot.forge is not none") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto summary = run("git knot sync --pull-only", a);
    REQUIRE(summary.status == 0);
    CHECK(summary.out.find("mode  forge  " + room.host().string()) != std::string::npos);
}

TEST_CASE("sync exits 2 when the server cannot be reached") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    commit_file(a, "x.txt", "x\n");
    const std::string url = git_config(a, "remote.knot.url");
    const auto port = url.find(":", url.find("//"));
    const auto path = url.find("/", port);
    REQUIRE(sh("git config remote.knot.url '" + url.substr(0, port) + ":" +
                   std::to_string(free_port()) + url.substr(path) + "'",
               a)
                .status == 0);
    const auto r = run("git knot sync --push-only", a);
    CHECK(r.status == 2);
}

TEST_CASE("sync --watch fetches a teammate's push as soon as the room announces it") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    commit_file(a, "first.txt", "1\n");
    REQUIRE(run("git knot sync", a).status == 0);

    BackgroundCommand watch("git knot sync --watch", b);
    // The first sync's summary ends with A's line.
    bool first_done = false;
    while (auto line = watch.next_line(20000)) {
        if (line->find("● coder-1") != std::string::npos) {
            first_done = true;
            break;
        }
    }
    REQUIRE(first_done);

    const std::string next = commit_file(a, "second.txt", "2\n");
    REQUIRE(run("git knot sync --push-only", a).status == 0);
    // No timer: the sync.pushed event wakes the watch, which fetches and prints A's new commit.
    bool seen = false;
    while (auto line = watch.next_line(20000)) {
        UNSCOPED_INFO(*line);
        if (line->find("● coder-1  " + next.substr(0, 8)) != std::string::npos) {
            seen = true;
            break;
        }
    }
    CHECK(seen);
    CHECK(rev(b, "refs/knot/coder-1/main") == next);
}

TEST_CASE("ten clones syncing at once all push, and the room has every ref") {
    HostedRoom room;
    std::vector<fs::path> clones;
    std::vector<std::string> commits;
    for (int i = 0; i < 10; ++i) {
        const std::string name = "coder-" + std::to_string(i);
        clones.push_back(hosted_clone(room, name));
        commits.push_back(commit_file(clones.back(), name + ".txt", name + "\n"));
    }
    std::vector<std::future<ShellResult>> pushes;
    for (const auto& clone : clones)
        pushes.push_back(std::async(std::launch::async,
                                    [clone] { return sh("git knot sync --push-only", clone); }));
    for (auto& push : pushes) {
        const auto r = push.get();
        INFO(r.err);
        CHECK(r.status == 0);
    }
    const auto refs = run("git ls-remote knot 'refs/knot/*'", clones[0]);
    REQUIRE(refs.status == 0);
    for (int i = 0; i < 10; ++i)
        CHECK(refs.out.find(commits[i] + "\trefs/knot/coder-" + std::to_string(i) + "/main") !=
              std::string::npos);
}

namespace {

// refs/knot/integration in `repo` once it differs from `old`, waiting up to ten seconds (the
// server's integration agent pushes it there after a push); "" if it never did.
std::string integration_after(const fs::path& repo, const std::string& old) {
    for (int waited = 0; waited <= 10000; waited += 20) {
        const auto now = run("git rev-parse -q --verify refs/knot/integration", repo);
        if (now.status == 0 && trimmed(now.out) != old)
            return trimmed(now.out);
        ::usleep(20000);
    }
    return "";
}

} // namespace

TEST_CASE("in the clone that hosts the room, the server's own push of the integration does not "
          "trip sync's fetch") {
    // The host's repository is also a forge on the server's machine: the integration agent
    // pushes refs/knot/integration into it while the host's own sync fetches the same ref.
    HostedRoom room;
    const auto host = room.host();
    commit_file(host, "one.txt", "1\n");
    REQUIRE(run("git knot sync", host).status == 0);
    const std::string first = integration_after(host, "");
    REQUIRE_FALSE(first.empty());
    commit_file(host, "two.txt", "2\n");
    REQUIRE(run("git knot sync", host).status == 0);
    const std::string second = integration_after(host, first);
    REQUIRE_FALSE(second.empty());

    // One integration behind, as a clone is between the server's push and its own fetch.
    REQUIRE(run("git update-ref refs/knot/integration " + first, host).status == 0);
    commit_file(host, "three.txt", "3\n");
    const auto synced = run("git knot sync", host);
    INFO(synced.err);
    CHECK(synced.status == 0);
    CHECK_FALSE(contains(synced.err, "cannot lock ref"));
    CHECK_FALSE(integration_after(host, second).empty());
}
