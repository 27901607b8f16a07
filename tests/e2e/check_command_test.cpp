// End to end: `git knot check` run locally (on HEAD merged onto refs/knot/integration in a
// scratch tree, --here on the work tree; .knot/checks, knot.check; check_merge_test.cpp has it
// against a room),
// `--configure`, `--history` and `--log` against a room hosted by `git knot up`, and
// `git knot undo`. Waits are on the room's event stream, never a sleep.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// The line of `text` that starts with `start`, "" when none does.
std::string line_starting(const std::string& text, const std::string& start) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(start, 0) == 0)
            return line;
    return "";
}

// A repository with one commit in a fresh temporary directory; no room.
struct LocalRepo {
    TempDir dir;
    fs::path path = dir.path() / "repo";
    LocalRepo() {
        prepare_e2e_environment();
        make_repository(path);
    }
};

nlohmann::json check_json(const fs::path& repo, int expected_status) {
    const auto r = run("git knot check --json", repo);
    REQUIRE(r.status == expected_status);
    return nlohmann::json::parse(r.out);
}

// Commits everything in `repo`, pushes it to the room and waits for its run to end.
nlohmann::json push_and_wait(RoomEvents& events, const fs::path& repo, const std::string& message) {
    REQUIRE(run("git add -A && git commit -q -m '" + message + "'", repo).status == 0);
    return events.push(repo);
}

} // namespace

TEST_CASE("check --here runs .knot/checks in the work tree, shows their output and passes") {
    LocalRepo repo;
    write_file(repo.path / ".knot/checks",
               "# the checks\necho hello-from-check\n\ntest -f here.txt\n");
    write_file(repo.path / "here.txt", "not committed: the work tree is what is checked\n");
    const auto passed = run("git knot check --here", repo.path);
    CHECK(passed.status == 0);
    CHECK(contains(passed.out, "here    the work tree as it is, uncommitted changes included; not "
                               "the merge the room checks\n"));
    CHECK(contains(passed.out, "checks  .knot/checks: 2 commands, in the work tree\n"));
    CHECK(contains(passed.out, "$ echo hello-from-check\nhello-from-check\n"));
    CHECK(contains(passed.out, "\u2713 check passed in the work tree (--here): "));
    CHECK(contains(passed.out, "no refs/knot/integration here yet"));
    std::ifstream log(repo.path / ".git/knot/checks/last.log");
    std::stringstream logged;
    logged << log.rdbuf();
    CHECK(contains(logged.str(), "hello-from-check"));

    const auto quiet = run("git knot check --here --quiet", repo.path);
    CHECK(quiet.status == 0);
    CHECK(!contains(quiet.out, "hello-from-check"));
    CHECK(contains(quiet.out, "\u2713 check passed"));

    fs::remove(repo.path / "here.txt");
    const auto failed = run("git knot check --here", repo.path);
    CHECK(failed.status == 1);
    CHECK(contains(failed.out,
                   "\u2717 check failed in the work tree (--here): `test -f here.txt` exited "
                   "with 1"));
    CHECK(contains(failed.out, ".git/knot/checks/last.log"));

    // Without --here the checks run on the commit, in the scratch tree: uncommitted files are
    // not there, and the check says so.
    write_file(repo.path / "here.txt", "uncommitted\n");
    REQUIRE(run("git add .knot/checks && git commit -q -m checks", repo.path).status == 0);
    REQUIRE(run("echo changed >> .knot/checks", repo.path).status == 0);
    const auto committed = run("git knot check", repo.path);
    CHECK(committed.status == 1);
    CHECK(contains(committed.out, "fetch   - this clone has not joined a room: no "
                                  "refs/knot/integration to merge onto\n"));
    CHECK(contains(committed.out, "merge   - no refs/knot/integration: HEAD " +
                                      rev(repo.path, "HEAD").substr(0, 7) +
                                      " alone, as the room checks a first push\n"));
    CHECK(contains(committed.out, "note    uncommitted changes are not part of it"));
    CHECK(contains(committed.out,
                   "checks  .knot/checks: 2 commands, in .git/knot/scratch/work/tree\n"));
    CHECK(contains(committed.out, "\u2717 check failed on HEAD " +
                                      rev(repo.path, "HEAD").substr(0, 7) +
                                      ": `test -f here.txt` exited with 1"));
}

TEST_CASE("knot.check overrides .knot/checks, none runs nothing, and --json reports the outcome") {
    LocalRepo repo;
    write_file(repo.path / ".knot/checks", "false\n");
    REQUIRE(run("git config knot.check 'echo out; exit 3'", repo.path).status == 0);
    const auto report = check_json(repo.path, 1);
    CHECK(report.at("verdict") == "fail");
    CHECK(report.at("merge").at("state") == "no_integration");
    CHECK(report.at("merge").at("integration").is_null());
    const auto& checks = report.at("checks");
    CHECK(checks.at("source") == "knot.check");
    CHECK(checks.at("commands") == nlohmann::json::array({"knot.check:1"}));
    CHECK(checks.at("verdict") == "fail");
    CHECK(checks.at("exit_code") == 3);
    CHECK(checks.at("command") == "knot.check:1");
    CHECK(checks.at("duration_ms").is_number_integer());
    CHECK(contains(checks.at("summary"), "exited with 3"));
    CHECK(fs::equivalent(report.at("log").get<std::string>(),
                         repo.path / ".git/knot/checks/last.log"));

    // Several values run in order; `none` alone turns the checks off.
    REQUIRE(run("git config --replace-all knot.check 'echo first' && git config --add knot.check "
                "'echo second'",
                repo.path)
                .status == 0);
    const auto two = check_json(repo.path, 0);
    CHECK(two.at("verdict") == "pass");
    CHECK(two.at("checks").at("commands").size() == 2);
    REQUIRE(run("git config --replace-all knot.check none", repo.path).status == 0);
    const auto none = check_json(repo.path, 0);
    CHECK(none.at("checks").at("commands").empty());
    CHECK(none.at("checks").at("summary") == "no checks to run");

    // knot.checkTimeout bounds the whole run.
    REQUIRE(run("git config --replace-all knot.check 'sleep 60' && git config knot.checkTimeout 1",
                repo.path)
                .status == 0);
    const auto slow = check_json(repo.path, 1);
    CHECK(slow.at("checks").at("verdict") == "timed_out");
    REQUIRE(run("git config knot.checkTimeout soon", repo.path).status == 0);
    const auto bad = run("git knot check", repo.path);
    CHECK(bad.status == 128);
    CHECK(contains(bad.err, "knot.checkTimeout"));
}

TEST_CASE("checks run with a scrubbed environment and a persistent build directory") {
    LocalRepo repo;
    write_file(
        repo.path / ".knot/checks",
        "echo \"build=$KNOT_BUILD_DIR\"\ntest -z \"$KNOT_SECRET_TOKEN\"\ntest -z \"$GIT_DIR\"\n"
        "test \"$CI\" = true\n");
    const auto r = run("KNOT_SECRET_TOKEN=s3cret GIT_DIR=.git git knot check --here", repo.path);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "build=" + (repo.path / ".git/knot/check-build").string()));

    // On the merge: the scratch tree's own build directory (a build directory remembers the
    // sources it was made for), and a git that sees the checked commit.
    write_file(repo.path / ".knot/checks",
               "echo \"build=$KNOT_BUILD_DIR\"\ntest -z \"$KNOT_SECRET_TOKEN\"\n"
               "echo \"head=$(git rev-parse HEAD)\"\n");
    REQUIRE(run("git add .knot/checks && git commit -q -m checks", repo.path).status == 0);
    const auto merged = run("KNOT_SECRET_TOKEN=s3cret git knot check", repo.path);
    CHECK(merged.status == 0);
    CHECK(contains(merged.out,
                   "build=" + (repo.path / ".git/knot/scratch/work/build").string() + "\n"));
    CHECK(contains(merged.out, "head=" + rev(repo.path, "HEAD") + "\n"));
}

TEST_CASE("check refuses a HEAD that conflicts with the local refs/knot/integration") {
    LocalRepo repo;
    const std::string base = commit_file(repo.path, "a.txt", "base\n");
    REQUIRE(run("git checkout -q -b side", repo.path).status == 0);
    const std::string theirs = commit_file(repo.path, "a.txt", "theirs\n");
    REQUIRE(run("git update-ref refs/knot/integration " + theirs, repo.path).status == 0);
    REQUIRE(run("git checkout -q main", repo.path).status == 0);
    write_file(repo.path / ".knot/checks", "echo should-not-run\n");
    REQUIRE(run("git add .knot/checks", repo.path).status == 0);
    commit_file(repo.path, "a.txt", "ours\n");

    const auto refused = run("git knot check", repo.path);
    CHECK(refused.status == 1);
    CHECK(contains(refused.out,
                   "conflicts with refs/knot/integration " + theirs.substr(0, 7) + " in a.txt"));
    CHECK(contains(refused.out, "\u2717 check failed"));
    CHECK(!contains(refused.out, "should-not-run"));
    const auto report = check_json(repo.path, 1);
    CHECK(report.at("merge").at("state") == "conflict");
    CHECK(report.at("merge").at("integration") == theirs);
    CHECK(report.at("merge").at("conflicts") == nlohmann::json::array({"a.txt"}));
    CHECK(report.at("checks").is_null());
    // Nothing of the work tree or the index moved.
    CHECK(trimmed(run("git status --porcelain --untracked-files=no", repo.path).out).empty());

    // A change beside the integration merges cleanly, and the checks then run on the merge.
    REQUIRE(run("git reset -q --hard " + base, repo.path).status == 0);
    write_file(repo.path / ".knot/checks", "echo should-not-run\ncat a.txt\n");
    REQUIRE(run("git add .knot/checks", repo.path).status == 0);
    const std::string ours = commit_file(repo.path, "b.txt", "b\n");
    const auto clean = run("git knot check", repo.path);
    CHECK(clean.status == 0);
    CHECK(contains(clean.out, "merge   \u2713 HEAD " + ours.substr(0, 7) +
                                  " merges cleanly onto refs/knot/integration " +
                                  theirs.substr(0, 7) + "\n"));
    CHECK(contains(clean.out, "should-not-run"));        // it does run now
    CHECK(contains(clean.out, "$ cat a.txt\ntheirs\n")); // the integration's side is there
    CHECK(contains(clean.out, "\u2713 check passed on the merge of HEAD " + ours.substr(0, 7) +
                                  " onto refs/knot/integration " + theirs.substr(0, 7) + ": "));
    CHECK(trimmed(run("cat a.txt", repo.path).out) == "base"); // the work tree is as it was
    const auto merged = check_json(repo.path, 0);
    CHECK(merged.at("target") == "merge");
    CHECK(merged.at("fetch").at("state") == "not_joined");
    const std::string candidate = merged.at("candidate");
    CHECK(trimmed(run("git rev-parse " + candidate + "^1 " + candidate + "^2", repo.path).out) ==
          theirs + "\n" + ours);
    CHECK(rev(repo.path, "HEAD") == ours); // no ref moved
    REQUIRE(run("git update-ref refs/knot/integration HEAD", repo.path).status == 0);
    const auto up_to_date = check_json(repo.path, 0);
    CHECK(up_to_date.at("merge").at("state") == "up_to_date");
    CHECK(up_to_date.at("candidate") == ours);
}

TEST_CASE("check answers usage errors with 129 and runs nowhere but in a repository") {
    LocalRepo repo;
    CHECK(run("git knot check --help", repo.path).status == 0);
    CHECK(run("git knot check -n 5", repo.path).status == 129);
    CHECK(run("git knot check --log 0", repo.path).status == 129);
    CHECK(run("git knot check --history --configure", repo.path).status == 129);
    CHECK(run("git knot check --log 1 --json", repo.path).status == 129);
    CHECK(run("git knot check --here --history", repo.path).status == 129);
    CHECK(run("git knot check --here --configure", repo.path).status == 129);
    CHECK(run("git knot check", repo.dir.path()).status == 128);
    CHECK(run("git knot undo --help", repo.path).status == 0);
    CHECK(run("git knot undo extra", repo.path).status == 129);
    // The room commands need a joined room.
    CHECK(run("git knot check --history", repo.path).status == 128);
}

TEST_CASE("check --configure sends knot.check to the room, for its owner only") {
    HostedRoom room;
    const auto host = room.host();
    REQUIRE(run("git config knot.check 'test -f ok.txt' && git config knot.checkTimeout 120", host)
                .status == 0);
    const auto sent = run("git knot check --configure --json", host);
    REQUIRE(sent.status == 0);
    // The host's clone has no origin: teammates clone it, so it is the room's forge, shown to
    // members without its path.
    CHECK(nlohmann::json::parse(sent.out) ==
          nlohmann::json{{"checks", {"test -f ok.txt"}},
                         {"time_limit", 120},
                         {"forge", "a repository on the server's machine"}});
    const auto text = run("git knot check --configure", host);
    CHECK(text.status == 0);
    CHECK(contains(text.out, "test -f ok.txt"));
    CHECK(contains(text.out, "120 s"));

    REQUIRE(run("git config --replace-all knot.check none", host).status == 0);
    CHECK(nlohmann::json::parse(run("git knot check --configure --json", host).out).at("checks") ==
          nlohmann::json::array());
    REQUIRE(run("git config --unset-all knot.check", host).status == 0);
    const auto unset = nlohmann::json::parse(run("git knot check --configure --json", host).out);
    CHECK(unset.at("checks").is_null());
    CHECK(unset.at("time_limit") == 120);
    const auto history = nlohmann::json::parse(run("git knot check --history --json", host).out);
    CHECK(history.at("settings") == unset);

    const auto member = hosted_clone(room, "coder-1");
    REQUIRE(run("git config knot.check true", member).status == 0);
    const auto refused = run("git knot check --configure", member);
    CHECK(refused.status == 1);
    CHECK(contains(refused.err, "owner"));
}

TEST_CASE("up sends the host clone's knot.check to the room once") {
    HostedRoom room;
    const auto host = room.host();
    REQUIRE(run("git knot down", host).status == 0);
    REQUIRE(run("git config knot.check true && git config knot.checkTimeout 99", host).status == 0);
    for (int i = 0; i < 2; ++i) {
        const auto up = run("git knot up --port 0 --no-tunnel --json", host);
        REQUIRE(up.status == 0);
        CHECK(nlohmann::json::parse(up.out).at("check_settings") ==
              nlohmann::json{{"checks", {"true"}},
                             {"time_limit", 99},
                             {"forge", "a repository on the server's machine"}});
        if (i == 0)
            REQUIRE(run("git knot down", host).status == 0);
    }
    // The second `up` found the settings in place and changed nothing: one change when the room
    // was made (its forge, the host's clone), one for the checks.
    const auto log = run("git knot log --json", host);
    REQUIRE(log.status == 0);
    std::size_t changes = 0;
    for (std::size_t at = log.out.find("\"integration.settings\""); at != std::string::npos;
         at = log.out.find("\"integration.settings\"", at + 1))
        ++changes;
    CHECK(changes == 2);
}

TEST_CASE("check --history and --log show the room's integration runs and their logs") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    write_file(a / ".knot/checks", "echo integration-check-ran\n");
    const auto integrated = push_and_wait(events, a, "checks that pass");
    REQUIRE(integrated.at("type") == "sync.integrated");
    const int first_run = integrated.at("data").at("run");
    const std::string first_commit = rev(a, "HEAD");

    write_file(a / ".knot/checks", "echo failing-now\nexit 4\n");
    const auto failed = push_and_wait(events, a, "checks that fail");
    REQUIRE(failed.at("type") == "sync.check_failed");
    const int failed_run = failed.at("data").at("run");

    const auto answer = nlohmann::json::parse(run("git knot check --history --json", a).out);
    CHECK(answer.at("integration") == integrated.at("data").at("integration"));
    REQUIRE(answer.at("runs").size() == 2);
    const auto& newest = answer.at("runs")[0];
    CHECK(newest.at("run") == failed_run);
    CHECK(newest.at("status") == "check_failed");
    CHECK(newest.at("agent") == "coder-1");
    CHECK(newest.at("detail").at("exit_code") == 4);
    CHECK(answer.at("runs")[1].at("status") == "integrated");
    CHECK(answer.at("runs")[1].at("commit") == first_commit);
    CHECK(nlohmann::json::parse(run("git knot check --history --json -n 1", a).out)
              .at("runs")
              .size() == 1);

    const auto table = run("git knot check --history", a);
    REQUIRE(table.status == 0);
    CHECK(contains(table.out,
                   "refs/knot/integration  " +
                       integrated.at("data").at("integration").get<std::string>().substr(0, 7)));
    const std::string first_line = line_starting(table.out, std::to_string(first_run) + "  ");
    CHECK(contains(first_line, "  coder-1  " + first_commit.substr(0, 7) + "  integrated  "));
    CHECK(contains(first_line, "[log]"));
    CHECK(contains(line_starting(table.out, std::to_string(failed_run) + "  "), "check_failed"));

    const auto first_log = run("git knot check --log " + std::to_string(first_run), a);
    CHECK(first_log.status == 0);
    CHECK(contains(first_log.out, "integration-check-ran"));
    const auto failed_log = run("git knot check --log " + std::to_string(failed_run), a);
    CHECK(failed_log.status == 0);
    CHECK(contains(failed_log.out, "failing-now"));

    // A run that ran no checks (already integrated) has no log; an unknown run neither.
    REQUIRE(run("git branch again " + first_commit + " && git push -q knot again", a).status == 0);
    const auto skipped = events.outcome_of_push(first_commit);
    REQUIRE(skipped.at("type") == "integration.skipped");
    const auto no_log =
        run("git knot check --log " + std::to_string(skipped.at("data").at("run").get<int>()), a);
    CHECK(no_log.status == 1);
    CHECK(contains(no_log.err, "ran no checks"));
    const auto unknown = run("git knot check --log 999", a);
    CHECK(unknown.status == 1);
    CHECK(contains(unknown.err, "no integration run 999"));
}

TEST_CASE("undo moves the integration ref back one integration, and refuses with none to undo") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    // The room starts at its base: there is nothing to undo yet.
    const auto nothing = run("git knot undo", b);
    CHECK(nothing.status == 1);
    CHECK(contains(nothing.err, "nothing to undo"));
    CHECK(contains(nothing.err, "the room's base"));

    RoomEvents events(a);
    write_file(a / "one.txt", "1\n");
    const auto first = push_and_wait(events, a, "one");
    REQUIRE(first.at("type") == "sync.integrated");
    write_file(a / "two.txt", "2\n");
    const auto second = push_and_wait(events, a, "two");
    REQUIRE(second.at("type") == "sync.integrated");
    const std::string from = second.at("data").at("integration");
    const std::string to = first.at("data").at("integration");

    const auto undone = run("git knot undo", b);
    REQUIRE(undone.status == 0);
    CHECK(contains(undone.out, "refs/knot/integration: " + from.substr(0, 7) + " -> " +
                                   to.substr(0, 7) + " (undid run " +
                                   std::to_string(second.at("data").at("run").get<int>()) +
                                   ": coder-1@" + rev(a, "HEAD").substr(0, 7) + ")"));
    CHECK(contains(undone.out, "git knot sync --pull-only"));
    REQUIRE(run("git knot sync --pull-only", b).status == 0);
    CHECK(rev(b, "refs/knot/integration") == to);
    const auto history = nlohmann::json::parse(run("git knot check --history --json", b).out);
    CHECK(history.at("integration") == to);
    CHECK(history.at("runs")[0].at("undone") == true);
    CHECK(contains(run("git knot check --history", b).out, "(undone by coder-2)"));

    // The first integration goes back to the room's base, and nothing is before that.
    const auto to_base = run("git knot undo --json", b);
    REQUIRE(to_base.status == 0);
    CHECK(nlohmann::json::parse(to_base.out).at("to") == rev(room.host(), "HEAD"));
    const auto refused = run("git knot undo --json", b);
    CHECK(refused.status == 1);
    CHECK(contains(refused.err, "nothing to undo"));
    CHECK(contains(refused.err, "the room's base"));
}
