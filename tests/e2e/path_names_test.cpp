// End to end: file names git can hold and knot's protocol cannot carry (bytes that are not UTF-8,
// control characters), the repository's .git directory and over-long paths, through the real
// `git commit` and `git push` hooks and `git knot lock`.
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// A shell word for the file name "odd" followed by the byte 0xff (printf, as /bin/sh has no
// $'...').
const std::string k_odd_name = "\"$(printf 'odd\\377')\"";

// The room's events of `type`, read with `git knot log --json` in `repo`.
std::vector<nlohmann::json> events(const fs::path& repo, const std::string& type) {
    const auto log = sh("git knot log --json", repo);
    REQUIRE(log.status == 0);
    std::vector<nlohmann::json> found;
    std::istringstream lines(log.out);
    for (std::string line; std::getline(lines, line);) {
        auto event = nlohmann::json::parse(line);
        if (event.at("type") == type)
            found.push_back(std::move(event));
    }
    return found;
}

// The paths of the room's live locks held by the agent `repo` is.
std::set<std::string> own_locks(const fs::path& repo) {
    const auto locks = sh("git knot locks --mine --json", repo);
    REQUIRE(locks.status == 0);
    const auto answer = nlohmann::json::parse(locks.out);
    std::set<std::string> paths;
    for (const auto& lock : answer.at("locks"))
        paths.insert(lock.at("path").get<std::string>());
    return paths;
}

} // namespace

TEST_CASE("a staged name that is not UTF-8 is named, and every other staged path is checked") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    REQUIRE(sh("git knot lock held.c", a).status == 0);

    REQUIRE(sh("touch " + k_odd_name + " held.c free.c && git add -A", b).status == 0);
    const auto refused = sh("git commit -q -m odd", b);
    CHECK(refused.status == 1);
    CHECK(refused.err.find("knot: warning: 'odd\\xff' is left out of the lock check: a path "
                           "must be UTF-8 text") != std::string::npos);
    CHECK(refused.err.find("knot: commit refused") != std::string::npos);
    CHECK(refused.err.find("held.c  locked by coder-1") != std::string::npos);
    CHECK(refused.err.find("skipped its knot part") == std::string::npos);

    // Without the held file the commit goes through and claims the rest.
    REQUIRE(sh("git reset -q held.c", b).status == 0);
    const auto committed = sh("git commit -q -m odd", b);
    INFO(committed.err);
    CHECK(committed.status == 0);
    CHECK(own_locks(b) == std::set<std::string>{"free.c"});
}

TEST_CASE("a pushed name that is not UTF-8 is named, and the push is announced with the rest") {
    HostedRoom room;
    const auto b = room.joined("coder-2");
    const auto backup = room.dir() / "backup.git";
    REQUIRE(sh("git init -q --bare '" + backup.string() + "'", room.dir()).status == 0);
    REQUIRE(
        sh("touch " + k_odd_name + " free.c && git add -A && git commit -q --no-verify -m odd", b)
            .status == 0);
    const auto pushed = sh("git push -q 'file://" + backup.string() + "' HEAD:refs/heads/main", b);
    INFO(pushed.err);
    REQUIRE(pushed.status == 0);
    CHECK(pushed.err.find("'odd\\xff' is left out of the lock check") != std::string::npos);
    const auto notices = events(b, "sync.pushing");
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].at("data").at("paths") == nlohmann::json{"free.c"});
}

TEST_CASE("lock refuses a name it cannot carry, .git and a long path with a usage error") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto odd = sh("git knot lock " + k_odd_name, a);
    CHECK(odd.status == 129);
    CHECK(odd.err == "git knot lock: 'odd\\xff': a path must be UTF-8 text (knot's protocol "
                     "carries no other bytes)\n");

    for (const std::string path : {".git/config", "src/.GIT/hooks"}) {
        const auto refused = sh("git knot lock " + path, a);
        CHECK(refused.status == 129);
        CHECK(refused.err ==
              "git knot lock: '" + path + "': a path cannot be in a .git directory\n");
    }

    const auto long_path = sh("git knot lock " + std::string(3000, 'x'), a);
    CHECK(long_path.status == 129);
    CHECK(long_path.err.size() < 200);
    CHECK(long_path.err.find("(3000 bytes)") != std::string::npos);

    // Other text the protocol cannot carry is refused the same way, before anything is sent.
    const auto intent = sh("git knot lock -m \"$(printf 'fix \\377')\" src/a.c", a);
    CHECK(intent.status == 129);
    CHECK(intent.err == "git knot lock: 'intent' is not UTF-8 text: knot's protocol carries "
                        "only UTF-8\n");
    CHECK(own_locks(a).empty());
}
