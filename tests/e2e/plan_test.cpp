// End to end: `git knot plan "goal"` with a stand-in for the agent's local AI (a shell script in
// knot.planner that keeps its prompt and answers what the test wrote), the files tasks carry on
// the board, and the overlaps `git knot claim` warns of. A room hosted by `git knot up`.
#include "tests/support/git_steps.hpp"
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// Makes `clone`'s knot.planner a script that keeps its prompt in <tools>/prompt, notes each call
// in <tools>/calls and then runs `body`.
void use_planner(const fs::path& clone, const fs::path& tools, const std::string& body) {
    fs::create_directories(tools);
    const fs::path script = tools / "planner.sh";
    write_file(script, "cat > '" + (tools / "prompt").string() + "'\necho call >> '" +
                           (tools / "calls").string() + "'\n" + body + "\n");
    REQUIRE(sh("git config knot.planner 'sh " + script.string() + "'", clone).status == 0);
}

std::string read_all(const fs::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

nlohmann::json board(const fs::path& clone) {
    return json_of(sh("git knot tasks --json", clone)).at("tasks");
}

// Waits (up to 10 s) for the process `pid` to be gone, on a pidfd rather than by polling.
bool process_ends(pid_t pid) {
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0)
        return errno == ESRCH; // already gone
    pollfd wait{fd, POLLIN, 0};
    const bool ended = ::poll(&wait, 1, 10000) == 1;
    ::close(fd);
    return ended;
}

const std::string k_answer =
    "Here is a plan.\n```json\n"
    R"([{"title": "write the lexer", "files": ["src/lex.c", "src/lex.h"]}, "document the parser"])"
    "\n```\nTell me [if] you want more.\n";

} // namespace

TEST_CASE("a planner's JSON answer becomes tasks with their files on the board, its prompt "
          "fencing the repository's layout and the open tasks as data") {
    HostedRoom room;
    const fs::path alice = room.joined("alice");
    const fs::path tools = room.dir() / "tools";
    commit_file(alice, "src/main.c", "int main(void) { return 0; }\n");
    REQUIRE(sh("git knot plan -t 'an existing task'", alice).status == 0);
    write_file(tools / "answer", k_answer);
    use_planner(alice, tools, "cat '" + (tools / "answer").string() + "'");

    const auto planned = sh("git knot plan 'build a parser' --yes --json < /dev/null", alice);
    INFO(planned.err);
    REQUIRE(planned.status == 0);
    const auto tasks = json_of(planned).at("tasks");
    REQUIRE(tasks.size() == 2);
    CHECK(tasks[0].at("title") == "write the lexer");
    CHECK(tasks[0].at("files") == nlohmann::json{"src/lex.c", "src/lex.h"});
    CHECK(tasks[0].at("goal") == "build a parser");
    CHECK(tasks[1].at("title") == "document the parser");
    CHECK(tasks[1].at("files") == nlohmann::json::array());

    const auto listed = board(alice);
    REQUIRE(listed.size() == 3);
    CHECK(listed[1].at("files") == nlohmann::json{"src/lex.c", "src/lex.h"});
    const auto shown = sh("git knot tasks", alice);
    CHECK(contains(shown.out, "write the lexer"));
    CHECK(contains(shown.out, "files: src/lex.c src/lex.h"));

    const std::string prompt = read_all(tools / "prompt");
    CHECK(contains(prompt, "The goal: build a parser"));
    CHECK(contains(prompt, "----- BEGIN KNOT-DATA -----"));
    CHECK(contains(prompt, "src/main.c\n"));
    CHECK(contains(prompt, "- an existing task\n"));
    CHECK(prompt.find("an existing task") > prompt.find("----- BEGIN KNOT-DATA"));
    CHECK(prompt.find("an existing task") < prompt.find("----- END KNOT-DATA"));
}

TEST_CASE("plan --dry-run shows the planner's tasks and adds none, and without --yes on a stdin "
          "that is not a terminal nothing is asked or added") {
    HostedRoom room;
    const fs::path alice = room.joined("alice");
    const fs::path tools = room.dir() / "tools";
    write_file(tools / "answer", k_answer);
    use_planner(alice, tools, "cat '" + (tools / "answer").string() + "'");

    const auto dry = sh("git knot plan 'build a parser' --dry-run < /dev/null", alice);
    INFO(dry.err);
    REQUIRE(dry.status == 0);
    CHECK(contains(dry.out, "1. write the lexer"));
    CHECK(contains(dry.out, "files: src/lex.c, src/lex.h"));
    CHECK(contains(dry.err, "nothing was added"));
    CHECK(board(alice).empty());

    fs::remove(tools / "calls");
    const auto unconfirmed = sh("git knot plan 'build a parser' < /dev/null", alice);
    CHECK(unconfirmed.status == 129);
    CHECK(contains(unconfirmed.err, "--yes"));
    CHECK(!fs::exists(tools / "calls"));
    CHECK(board(alice).empty());
}

TEST_CASE("a planner that prints junk, fails or hangs adds no task and says why") {
    HostedRoom room;
    const fs::path alice = room.joined("alice");
    const fs::path tools = room.dir() / "tools";

    use_planner(alice, tools, "echo 'I cannot plan that, sorry.'");
    const auto junk = sh("git knot plan 'build a parser' --yes < /dev/null", alice);
    CHECK(junk.status == 1);
    CHECK(contains(junk.err, "no JSON list of tasks: it begins 'I cannot plan that, sorry.'"));
    CHECK(contains(junk.err, "no task was added"));

    use_planner(alice, tools, R"(echo '["a task"]'; echo 'out of credits' >&2; exit 3)");
    const auto failed = sh("git knot plan 'build a parser' --yes < /dev/null", alice);
    CHECK(failed.status == 1);
    CHECK(contains(failed.err, "failed (exit 3)"));
    CHECK(contains(failed.err, "out of credits"));

    use_planner(alice, tools, R"(title=$(printf 'x%.0s' $(seq 201)); echo "[\"$title\"]")");
    const auto too_long = sh("git knot plan 'build a parser' --yes < /dev/null", alice);
    CHECK(too_long.status == 1);
    CHECK(contains(too_long.err, "task 1's title is longer than 200 characters"));

    use_planner(alice, tools, "sleep 600 & echo $! > '" + (tools / "pid").string() + "'; wait");
    const auto hung = sh("git knot plan 'build a parser' --yes --timeout 1 < /dev/null", alice);
    CHECK(hung.status == 1);
    CHECK(contains(hung.err, "did not answer within 1 s"));
    const pid_t sleeper = std::stoi(read_all(tools / "pid"));
    CHECK(process_ends(sleeper));

    CHECK(board(alice).empty());
}

TEST_CASE("Ctrl-C while the planner runs stops its whole process group and adds no task") {
    HostedRoom room;
    const fs::path alice = room.joined("alice");
    const fs::path tools = room.dir() / "tools";
    // The planner's standard error is git-knot's, which this command sends to its output.
    use_planner(alice, tools,
                "sleep 600 & echo $! > '" + (tools / "pid").string() + "'; echo ready >&2; wait");
    BackgroundCommand plan("echo $$ > '" + (tools / "git-knot.pid").string() +
                               "'; exec git knot plan 'build a parser' --yes 2>&1 < /dev/null",
                           alice);
    std::optional<std::string> line;
    while ((line = plan.next_line(30000)) && *line != "ready") {
    }
    REQUIRE(line);
    REQUIRE(::kill(std::stoi(read_all(tools / "git-knot.pid")), SIGINT) == 0);
    CHECK(plan.wait() == 130);
    CHECK(process_ends(std::stoi(read_all(tools / "pid"))));
    CHECK(board(alice).empty());
}

TEST_CASE("plan with a goal and no planner configured says how to set knot.planner and adds "
          "nothing") {
    HostedRoom room;
    const fs::path alice = room.joined("alice");
    const auto refused = sh("git knot plan 'build a parser' --yes < /dev/null", alice);
    CHECK(refused.status == 129);
    CHECK(contains(refused.err, "git config knot.planner 'claude -p'"));
    CHECK(board(alice).empty());
    // -t still needs no planner, and --files gives its task files.
    REQUIRE(sh("git knot plan -t 'the lexer' --files src/lex.c,src/lex.h", alice).status == 0);
    CHECK(board(alice)[0].at("files") == nlohmann::json{"src/lex.c", "src/lex.h"});
    CHECK(sh("git knot plan -t one -t two --files src/lex.c", alice).status == 129);
    // A goal the server would refuse runs no planner.
    const auto long_goal =
        sh("git knot plan --yes " + std::string(201, 'g') + " < /dev/null", alice);
    CHECK(long_goal.status == 129);
    CHECK(contains(long_goal.err, "at most 200 characters"));
}

TEST_CASE("claim warns of a task's files that another agent locked or another claimed task names, "
          "and still claims it") {
    HostedRoom room;
    const fs::path alice = room.joined("alice");
    const fs::path bob = room.joined("bob");
    REQUIRE(sh("git knot plan -t 'the lexer' --files src/lex.c", alice).status == 0);
    REQUIRE(sh("git knot plan -t 'the parser' --files src/lex.c,src/parse.c,src/quiet.c", alice)
                .status == 0);
    REQUIRE(sh("git knot claim t1 --no-worktree", bob).status == 0);
    REQUIRE(sh("git knot lock src/parse.c --intent 'rename the parser'", bob).status == 0);
    REQUIRE(sh("git knot lock src/quiet.c", alice).status == 0);

    const auto claimed = sh("git knot claim t2 --no-worktree", alice);
    REQUIRE(claimed.status == 0);
    CHECK(contains(claimed.err, "warning: t2: src/parse.c is locked by bob (rename the parser)"));
    CHECK(contains(claimed.err, "warning: t2: src/lex.c is also a file of t1 (the lexer), "
                                "claimed by bob"));
    CHECK(!contains(claimed.err, "src/quiet.c"));
    CHECK(board(alice)[1].at("status") == "claimed");

    // Bob's own lock is no overlap for bob; alice's claim of t2 now is.
    const auto again = sh("git knot claim t1 --no-worktree", bob);
    CHECK(again.status == 0);
    CHECK(contains(again.err, "src/lex.c is also a file of t2 (the parser), claimed by alice"));
    CHECK(!contains(again.err, "src/parse.c"));
}
