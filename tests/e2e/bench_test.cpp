// End to end: `git knot bench` against its own throwaway knot-server and against a room hosted by
// `git knot up` (refused without --yes; cleaned up with it), its trials file and --compare.
#include "tests/support/hosted_room.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

std::vector<nlohmann::json> trial_lines(const fs::path& file) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

// Whether any process's command line mentions `text` (a server's data directory).
bool process_mentions(const std::string& text) {
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::ifstream in(entry.path() / "cmdline");
        std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (line.find(text) != std::string::npos && line.find("knot-server") != std::string::npos)
            return true;
    }
    return false;
}

} // namespace

TEST_CASE("a tiny bench run against its own server prints each request and records one trial") {
    prepare_e2e_environment();
    TempDir dir;
    make_repository(dir.path() / "repo");
    const auto repo = dir.path() / "repo";
    const auto run =
        sh("git knot bench --agents 3 --count 24 --mix locks=4,claims=1,messages=2,pushes=1", repo);
    INFO(run.out << run.err);
    REQUIRE(run.status == 0);
    for (const char* op : {"\nlock ", "\nrelease ", "\nclaim ", "\nmessage ", "\npush "})
        CHECK(run.out.find(op) != std::string::npos);
    CHECK(run.out.find("recorded as trial #1 in ") != std::string::npos);

    const auto trials = trial_lines(repo / ".git/knot/bench/trials.jsonl");
    REQUIRE(trials.size() == 1);
    const auto& conditions = trials[0].at("conditions");
    CHECK(conditions.at("agents") == 3);
    CHECK(conditions.at("count") == 24);
    CHECK(conditions.at("mix") == "locks=4,claims=1,messages=2,pushes=1");
    CHECK(conditions.at("target") == "local");
    CHECK(conditions.at("tls") == false);
    CHECK_FALSE(conditions.at("server_version").get<std::string>().empty());
    CHECK(conditions.at("cores").get<int>() >= 1);
    CHECK_FALSE(conditions.at("kernel").get<std::string>().empty());
    CHECK(trials[0].at("errors") == 0);
    // Every one of the 24 operations was answered, and its event reached all three streams.
    const auto& ops = trials[0].at("ops");
    const auto count = [&](const char* op) { return ops.at(op).at("count").get<int>(); };
    CHECK(count("lock") == count("release"));
    CHECK(count("lock") + count("claim") + count("message") + count("push") == 24);
    CHECK(count("push") >= 1);
    CHECK(ops.at("push").at("fanout").at("count") == 3 * count("push"));
    CHECK(ops.at("message").at("fanout").at("count") == 3 * count("message"));
    CHECK(ops.at("lock").at("fanout").at("missing") == 0);
    // The throwaway server is gone, and so is its temporary data directory.
    const std::string data = conditions.at("server_dir").get<std::string>();
    CHECK_FALSE(fs::exists(data));
    CHECK_FALSE(process_mentions(data));
}

TEST_CASE("bench --compare prints two trials side by side with ratios, and --json parses") {
    prepare_e2e_environment();
    TempDir dir;
    const auto file = dir.path() / "trials.jsonl";
    const std::string out = " --out '" + file.string() + "'";
    // Outside any repository: --out says where the trials go.
    REQUIRE(sh("git knot bench --agents 2 --count 6 --mix messages=1" + out, dir.path()).status ==
            0);
    const auto json_run =
        sh("git knot bench --json --agents 3 --count 9 --mix messages=1,locks=1" + out, dir.path());
    INFO(json_run.err);
    REQUIRE(json_run.status == 0);
    const auto answer = nlohmann::json::parse(json_run.out);
    CHECK(answer.at("number") == 2);
    CHECK(answer.at("trial").at("conditions").at("agents") == 3);
    CHECK_FALSE(answer.at("trial").at("ops").contains("claim"));

    const auto compared = sh("git knot bench --compare" + out, dir.path());
    INFO(compared.err);
    REQUIRE(compared.status == 0);
    CHECK(compared.out.find("#1 ") != std::string::npos);
    CHECK(compared.out.find("#2 ") != std::string::npos);
    CHECK(compared.out.find("x)") != std::string::npos); // the second trial's ratio to the first
    const auto as_json = sh("git knot bench --compare --json 2 1" + out, dir.path());
    REQUIRE(as_json.status == 0);
    const auto both = nlohmann::json::parse(as_json.out);
    REQUIRE(both.size() == 2);
    CHECK(both[0].at("number") == 2);
    CHECK(both[1].at("number") == 1);

    // A damaged line is reported and skipped, not fatal.
    std::ofstream(file, std::ios::app) << "{not json\n";
    const auto damaged = sh("git knot bench --compare 1 2" + out, dir.path());
    CHECK(damaged.status == 0);
    CHECK(damaged.err.find("trials.jsonl:3: not JSON; skipped") != std::string::npos);
    CHECK(sh("git knot bench --compare 3" + out, dir.path()).status == 129);
}

TEST_CASE("bench against the joined room is refused without --yes and cleans up with it") {
    HostedRoom room;
    const auto clone = room.joined("coder-1");
    const auto members = [&] {
        return nlohmann::json::parse(sh_ok("git knot whoami --json", clone)).at("members").size();
    };
    const auto before = members();

    const auto refused = sh("git knot bench --room --agents 3 --count 12", clone);
    CHECK(refused.status == 1);
    CHECK(refused.err.find("nothing was done") != std::string::npos);
    CHECK(members() == before);
    CHECK_FALSE(fs::exists(clone / ".git/knot/bench/trials.jsonl"));
    // Pushes would stay in the room, and be integrated: not against a room, even with --yes.
    const auto pushes = sh("git knot bench --room --yes --count 4 --mix pushes=1", clone);
    CHECK(pushes.status == 129);
    CHECK(pushes.err.find("leave pushes out of the mix") != std::string::npos);
    CHECK(members() == before);

    const auto run = sh("git knot bench --room --yes --agents 3 --count 30", clone);
    INFO(run.out << run.err);
    REQUIRE(run.status == 0);
    CHECK(run.out.find("left in the room: 3 members bench-") != std::string::npos);
    const auto trials = trial_lines(clone / ".git/knot/bench/trials.jsonl");
    REQUIRE(trials.size() == 1);
    CHECK(trials[0].at("conditions").at("target") == git_config(clone, "knot.server"));
    CHECK(trials[0].at("remains").empty());
    CHECK(members() == before + 3);
    // What the server holds now: no lock, and no task of the run left open or claimed.
    const auto locks = nlohmann::json::parse(sh_ok("git knot locks --json", clone));
    CHECK(locks.at("locks").empty());
    const auto tasks = nlohmann::json::parse(sh_ok("git knot tasks --json", clone)).at("tasks");
    CHECK_FALSE(tasks.empty()); // the run made some, and claimed each
    for (const auto& task : tasks) {
        INFO(task.dump());
        CHECK(task.at("status") == "done");
    }
}

TEST_CASE("an interrupted bench in the joined room stops, cleans up and records its trial") {
    HostedRoom room;
    const auto clone = room.joined("coder-1");
    BackgroundCommand follow("exec git knot log --follow --json", clone);
    BackgroundCommand bench(
        "exec git knot bench --room --yes --agents 2 --duration 1h --mix locks=1,claims=1", clone);
    // Interrupted once its load is under way: when its first lock reaches the room's stream.
    bool started = false;
    while (auto line = follow.next_line(20000)) {
        if (line->empty() || (*line)[0] != '{')
            continue;
        const auto event = nlohmann::json::parse(*line);
        if (event.at("type") == "lock.acquired" &&
            event.at("data").at("paths").at(0).get<std::string>().rfind("knot-bench/", 0) == 0) {
            started = true;
            break;
        }
    }
    REQUIRE(started);
    bench.signal(SIGINT);
    CHECK(bench.wait() == 130);
    const auto trials = trial_lines(clone / ".git/knot/bench/trials.jsonl");
    REQUIRE(trials.size() == 1);
    CHECK(trials[0].at("interrupted") == true);
    CHECK(trials[0].at("ops").at("lock").at("count").get<int>() >= 1);
    CHECK(nlohmann::json::parse(sh_ok("git knot locks --json", clone)).at("locks").empty());
    // Kept in a variable: a range-for over a member of a temporary reads freed memory.
    const auto tasks = nlohmann::json::parse(sh_ok("git knot tasks --json", clone));
    for (const auto& task : tasks.at("tasks"))
        CHECK(task.at("status") == "done");
}
