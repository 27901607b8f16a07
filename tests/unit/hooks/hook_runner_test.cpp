// Tests of libknot/hook_runner.cpp: pre-push's input, the paths a push or a commit touches
// (against real repositories made by git), lock conflicts and their refusal text, what has
// reached refs/knot/integration, and hooks in clones without a room or without a server.
#include "hooks/hook_runner.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/outbox.hpp"
#include "libknot/git/git_command.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

using namespace knot;
namespace fs = std::filesystem;

namespace {

const std::string k_zero(40, '0');

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "knot-runner-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
        ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        for (const char* var : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
            ::setenv(var, "Test", 1);
        for (const char* var : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
            ::setenv(var, "t@example.com", 1);
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string git(const std::vector<std::string>& args, const fs::path& dir) {
    auto out = run_git_checked(args, dir);
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// Writes `files` (path -> content), stages them and commits; returns the new commit.
std::string commit(const fs::path& repo, const std::map<std::string, std::string>& files) {
    for (const auto& [path, text] : files)
        write(repo / path, text);
    git({"add", "-A"}, repo);
    git({"commit", "-q", "--no-verify", "-m", "c"}, repo);
    return git({"rev-parse", "HEAD"}, repo);
}

// A clone `work` of a bare `origin` holding one commit (a.txt, b.txt).
struct ClonedRepo {
    TempDir dir;
    fs::path origin, work;
    ClonedRepo() {
        origin = dir.path / "origin.git";
        work = dir.path / "work";
        git({"init", "-q", "--bare", origin.string()}, dir.path);
        git({"clone", "-q", origin.string(), work.string()}, dir.path);
        git({"symbolic-ref", "HEAD", "refs/heads/main"}, work);
        commit(work, {{"a.txt", "a"}, {"b.txt", "b"}});
        git({"push", "-q", "--no-verify", "origin", "HEAD:refs/heads/main"}, work);
        git({"fetch", "-q", "origin"}, work);
    }
};

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

TEST_CASE("pre-push input is parsed line by line, and deleting a ref is recognised") {
    const std::string a(40, 'a'), b(40, 'b');
    const auto updates =
        parse_push_updates("refs/heads/main " + a + " refs/heads/main " + b + "\n\n(delete) " +
                           k_zero + " refs/heads/old " + b + "\n");
    REQUIRE(updates.size() == 2);
    CHECK(updates[0].local_ref == "refs/heads/main");
    CHECK(updates[0].local_sha == a);
    CHECK(updates[0].remote_ref == "refs/heads/main");
    CHECK(updates[0].remote_sha == b);
    CHECK_FALSE(updates[0].deletes());
    CHECK_FALSE(updates[0].creates());
    CHECK(updates[1].deletes());
    CHECK(parse_push_updates("").empty());
    CHECK_THROWS_WITH(parse_push_updates("refs/heads/main " + a + "\n"),
                      Catch::Contains("does not understand"));
    CHECK_THROWS(parse_push_updates("a " + a + " b nothex"));
    CHECK(is_null_oid(std::string(64, '0')));
    CHECK_FALSE(is_null_oid("0"));
}

TEST_CASE("a push touches the paths of the commits the remote lacks, nothing else") {
    ClonedRepo repo;
    const std::string old_tip = git({"rev-parse", "HEAD"}, repo.work);
    commit(repo.work, {{"src/c.txt", "c"}});
    const std::string tip = commit(repo.work, {{"a.txt", "a2"}});
    const auto update = PushUpdate{"refs/heads/main", tip, "refs/heads/main", old_tip};
    CHECK(outgoing_paths({update}, repo.work) == std::vector<std::string>{"a.txt", "src/c.txt"});

    SECTION("a new remote ref sends what no remote-tracking ref has") {
        const auto created = PushUpdate{"refs/heads/main", tip, "refs/heads/topic", k_zero};
        CHECK(outgoing_paths({created}, repo.work) ==
              std::vector<std::string>{"a.txt", "src/c.txt"});
    }
    SECTION("a remote tip this clone never saw counts as a new ref") {
        const auto forced =
            PushUpdate{"refs/heads/main", tip, "refs/heads/main", std::string(40, 'e')};
        CHECK(outgoing_paths({forced}, repo.work) ==
              std::vector<std::string>{"a.txt", "src/c.txt"});
    }
    SECTION("deleting a ref touches nothing") {
        const auto deleted = PushUpdate{"(delete)", k_zero, "refs/heads/main", old_tip};
        CHECK(outgoing_paths({deleted}, repo.work).empty());
    }
    SECTION("a merge sends the commits it brings and the paths its resolution changed") {
        git({"checkout", "-q", "-b", "side", old_tip}, repo.work);
        commit(repo.work, {{"a.txt", "side"}, {"side.txt", "s"}});
        git({"checkout", "-q", "-"}, repo.work);
        CHECK(run_git({"merge", "-q", "--no-edit", "side"}, repo.work).status != 0);
        write(repo.work / "a.txt", "resolved");
        git({"commit", "-q", "--no-verify", "-am", "merge"}, repo.work);
        const auto merged = git({"rev-parse", "HEAD"}, repo.work);
        const auto side = git({"rev-parse", "side"}, repo.work);
        CHECK(outgoing_paths({{"refs/heads/main", merged, "refs/heads/main", tip}}, repo.work) ==
              std::vector<std::string>{"a.txt", "side.txt"});
        CHECK(outgoing_paths({{"refs/heads/side", side, "refs/heads/side", k_zero}}, repo.work) ==
              std::vector<std::string>{"a.txt", "side.txt"});
    }
}

TEST_CASE("staged paths include both sides of a rename, and nothing staged is nothing") {
    TempDir dir;
    git({"init", "-q"}, dir.path);
    write(dir.path / "x y.txt", "1");
    git({"add", "."}, dir.path);
    const auto repo = GitRepo::discover(dir.path);
    CHECK(staged_paths(repo) == std::vector<std::string>{"x y.txt"}); // an unborn branch
    git({"commit", "-q", "--no-verify", "-m", "c"}, dir.path);
    CHECK(staged_paths(repo).empty());
    fs::create_directories(dir.path / "sub");
    git({"mv", "x y.txt", "sub/z.txt"}, dir.path);
    CHECK(staged_paths(repo) == std::vector<std::string>{"sub/z.txt", "x y.txt"});
}

TEST_CASE("concluding a merge stages only what differs from every parent") {
    ClonedRepo repo;
    git({"checkout", "-q", "-b", "side"}, repo.work);
    commit(repo.work, {{"a.txt", "side"}, {"theirs.txt", "t"}});
    git({"checkout", "-q", "main"}, repo.work);
    commit(repo.work, {{"a.txt", "main"}});
    CHECK(run_git({"merge", "-q", "--no-edit", "side"}, repo.work).status != 0);
    write(repo.work / "a.txt", "resolved");
    git({"add", "a.txt"}, repo.work);
    CHECK(staged_paths(GitRepo::discover(repo.work)) == std::vector<std::string>{"a.txt"});
}

TEST_CASE("commits the room already has (refs/knot/*) are not counted as pushed") {
    ClonedRepo repo;
    const auto old_tip = git({"rev-parse", "HEAD"}, repo.work);
    commit(repo.work, {{"teammate.txt", "t"}});
    git({"update-ref", "refs/knot/coder-2/main", "HEAD"}, repo.work);
    const auto tip = commit(repo.work, {{"mine.txt", "m"}});
    CHECK(outgoing_paths({{"refs/heads/main", tip, "refs/heads/main", old_tip}}, repo.work) ==
          std::vector<std::string>{"mine.txt"});
    CHECK(outgoing_paths({{"refs/heads/main", tip, "refs/heads/new", k_zero}}, repo.work) ==
          std::vector<std::string>{"mine.txt"});
}

TEST_CASE("only locks of other agents on the touched paths conflict, and the refusal names them") {
    const auto locks = parse_locks(nlohmann::json::parse(R"([
        {"path": "a.txt", "agent": "ag_1", "agent_name": "coder-1", "intent": "fix the parser",
         "fencing": 3, "expires_at": 1000},
        {"path": "b.txt", "agent": "ag_me", "agent_name": "me", "expires_at": 1000},
        {"path": "c.txt", "agent": "ag_2", "agent_name": "coder-2", "expires_at": 1000},
        {"nopath": true}
    ])"));
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

TEST_CASE("a locked path has reached integration when its blob there equals HEAD's") {
    ClonedRepo repo;
    Clone clone(GitRepo::discover(repo.work));
    CHECK_FALSE(has_integration_ref(clone.repo()));
    commit(repo.work, {{"a.txt", "mine"}, {"gone.txt", "g"}});
    git({"update-ref", "refs/knot/integration", "HEAD"}, repo.work);
    CHECK(has_integration_ref(clone.repo()));
    git({"rm", "-q", "gone.txt"}, repo.work);
    commit(repo.work, {{"b.txt", "newer"}});
    CHECK(paths_settled_in_integration({"a.txt", "b.txt", "gone.txt", "never.txt"}, repo.work) ==
          std::vector<std::string>{"a.txt", "never.txt"});

    git({"pack-refs", "--all"}, repo.work);
    CHECK_FALSE(fs::exists(repo.work / ".git/refs/knot/integration"));
    CHECK(has_integration_ref(clone.repo()));
}

TEST_CASE("the intent sent with locks is the first line of knot/intent, when there is one") {
    TempDir dir;
    CHECK(current_intent(dir.path).empty());
    write(dir.path / "intent", "fix the parser\nmore\n");
    CHECK(current_intent(dir.path) == "fix the parser");
    write(dir.path / "intent", std::string(199, 'x') + "\xc3\xa9 and more");
    CHECK(current_intent(dir.path) == std::string(199, 'x'));
}

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
