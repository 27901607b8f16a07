// Tests of hooks/hook_runner.cpp: every hook run as git runs it, in clones without a room or
// without a server.
#include "hooks/hook_runner.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/outbox.hpp"
#include "tests/unit/hooks/hook_repo.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace knot;
using namespace knot::hook_test;
namespace fs = std::filesystem;

namespace {

// Runs hook `name` in `repo` as git would, from the top of its work tree.
int run_in(const fs::path& repo, std::string_view name, const std::vector<std::string>& args,
           const std::string& input, std::string& err) {
    const auto before = fs::current_path();
    fs::current_path(repo);
    std::istringstream in(input);
    std::ostringstream out;
    const int status = run_hook(name, args, in, out);
    fs::current_path(before);
    err = out.str();
    return status;
}

// Makes `repo` look joined to a room whose server nothing answers for.
void join_unreachable_room(const fs::path& repo) {
    Clone clone(GitRepo::discover(repo));
    clone.create_identity();
    clone.save_room(
        {"http://127.0.0.1:1", "rm_0123456789abcdef", std::string(64, 'a'), "ag_0123456789abcdef"});
}

} // namespace

TEST_CASE("in a clone that has not joined a room every hook does nothing, silently") {
    ClonedRepo repo;
    write(repo.work / "a.txt", "changed");
    git({"add", "a.txt"}, repo.work);
    for (const char* hook : {"pre-commit", "pre-push", "post-merge", "post-rewrite"}) {
        std::string err;
        CHECK(run_in(repo.work, hook, {"origin", "x"}, "", err) == 0);
        CHECK(err.empty());
    }
    CHECK_FALSE(fs::exists(repo.work / ".git/knot"));
}

TEST_CASE("with the server down a hook warns once, queues its report and lets git go on") {
    ClonedRepo repo;
    join_unreachable_room(repo.work);
    Outbox outbox(repo.work / ".git/knot/outbox");
    std::string err;

    SECTION("pre-commit with nothing staged sends nothing and says nothing") {
        CHECK(run_in(repo.work, "pre-commit", {}, "", err) == 0);
        CHECK(err.empty());
        CHECK(outbox.size() == 0);
    }
    SECTION("pre-commit with knot.autolock off claims nothing") {
        write(repo.work / "a.txt", "changed");
        git({"add", "a.txt"}, repo.work);
        git({"config", "knot.autolock", "off"}, repo.work);
        CHECK(run_in(repo.work, "pre-commit", {}, "", err) == 0);
        CHECK(err.empty());
        CHECK(outbox.size() == 0);
    }
    SECTION("pre-commit queues its lock claim") {
        write(repo.work / "a.txt", "changed");
        git({"add", "a.txt"}, repo.work);
        CHECK(run_in(repo.work, "pre-commit", {}, "", err) == 0);
        CHECK(std::count(err.begin(), err.end(), '\n') == 1);
        CHECK(err.find("knot: warning: cannot reach the knot server") == 0);
        CHECK(outbox.size() == 1);
        const auto queued = nlohmann::json::parse(
            read_file(fs::directory_iterator(repo.work / ".git/knot/outbox")->path()));
        CHECK(queued.at("target") == "/locks");
        CHECK(queued.at("body").at("paths") == nlohmann::json{"a.txt"});
    }
    SECTION("pre-push queues its notice, with the paths and without a password") {
        const auto old_tip = git({"rev-parse", "HEAD"}, repo.work);
        const auto tip = commit(repo.work, {{"c.txt", "c"}});
        CHECK(run_in(repo.work, "pre-push", {"https://me:secret@example.com/r.git", "x"},
                     "refs/heads/main " + tip + " refs/heads/main " + old_tip + "\n", err) == 0);
        CHECK(std::count(err.begin(), err.end(), '\n') == 1);
        REQUIRE(outbox.size() == 1);
        const auto queued = nlohmann::json::parse(
            read_file(fs::directory_iterator(repo.work / ".git/knot/outbox")->path()));
        CHECK(queued.at("target") == "/notices");
        CHECK(queued.at("body").at("type") == "sync.pushing");
        CHECK(queued.at("body").at("remote") == "https://example.com/r.git"); // no password
        CHECK(queued.at("body").at("paths") == nlohmann::json{"c.txt"});
        CHECK(queued.at("body").at("refs").at(0).at("new") == tip);
    }
    SECTION("post-checkout of files only reports nothing; of a branch, the head") {
        const auto head = git({"rev-parse", "HEAD"}, repo.work);
        CHECK(run_in(repo.work, "post-checkout", {head, head, "0"}, "", err) == 0);
        CHECK(err.empty());
        CHECK(run_in(repo.work, "post-checkout", {head, head, "1"}, "", err) == 0);
        CHECK(std::count(err.begin(), err.end(), '\n') == 1);
        REQUIRE(outbox.size() == 1);
        const auto queued = nlohmann::json::parse(
            read_file(fs::directory_iterator(repo.work / ".git/knot/outbox")->path()));
        CHECK(queued.at("body") == nlohmann::json{{"type", "agent.head"},
                                                  {"branch", "refs/heads/main"},
                                                  {"commit", head}});
    }
}
