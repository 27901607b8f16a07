// Tests of git-knot/claim_overlap.cpp: what a claim warns of when its task's files are locked by
// others or named by tasks others claimed.
#include "git-knot/claim_overlap.hpp"
#include "libknot/protocol/wire.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::cli;

namespace {

wire::Task task(const std::string& id, const std::vector<std::string>& files,
                const std::string& claimer = "") {
    wire::Task out;
    out.id = id;
    out.title = "task " + id;
    out.status = claimer.empty() ? "open" : "claimed";
    if (!claimer.empty()) {
        out.claimed_by = "ag_" + claimer;
        out.claimed_by_name = claimer;
    }
    out.files = files;
    return out;
}

wire::Lock lock(const std::string& path, const std::string& holder, const std::string& intent) {
    wire::Lock out;
    out.path = path;
    out.agent = "ag_" + holder;
    out.agent_name = holder;
    out.intent = intent;
    return out;
}

} // namespace

TEST_CASE("others' locks and claimed tasks on the task's files are overlaps, one's own are not") {
    const wire::Task mine = task("t2", {"src/a.c", "src/b.c", "src/c.c"}, "me");
    const auto lines = claim_overlaps(
        mine,
        {lock("src/a.c", "bob", "rename"), lock("src/b.c", "me", ""), lock("src/z.c", "bob", "")},
        {task("t1", {"src/c.c"}, "carol"), task("t3", {"src/a.c"}), task("t4", {"src/b.c"}, "me"),
         mine},
        "ag_me");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "src/a.c is locked by bob (rename)");
    CHECK(lines[1] == "src/c.c is also a file of t1 (task t1), claimed by carol");
}

TEST_CASE("a task without files overlaps nothing, and many overlaps are cut with a count") {
    CHECK(claim_overlaps(task("t1", {}, "me"), {lock("a", "bob", "")}, {}, "ag_me").empty());
    std::vector<std::string> files;
    std::vector<wire::Lock> locks;
    for (int i = 0; i < 25; ++i) {
        files.push_back("f" + std::to_string(i));
        locks.push_back(lock(files.back(), "bob", ""));
    }
    const auto lines = claim_overlaps(task("t1", files, "me"), locks, {}, "ag_me");
    REQUIRE(lines.size() == 21);
    CHECK(lines.back() == "... and 5 more");
}

TEST_CASE("an intent or a title with control characters reaches the terminal as text") {
    const auto lines = claim_overlaps(task("t1", {"a"}, "me"),
                                      {lock("a", "bob", "\x1b]0;owned\x07")}, {}, "ag_me");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find('\x1b') == std::string::npos);
}
