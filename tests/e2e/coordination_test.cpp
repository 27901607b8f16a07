// End to end: locks, intent, tasks, chat and the event log through the real git-knot against a
// room hosted by `git knot up`, including races between many processes and a server restart
// in the middle of a followed stream.
#include "tests/support/git_steps.hpp"
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sqlite3.h>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// `count` clones joined as agent-1 .. agent-<count>, made one after another.
std::vector<fs::path> joined_agents(HostedRoom& room, int count) {
    std::vector<fs::path> clones;
    for (int i = 1; i <= count; ++i)
        clones.push_back(room.joined("agent-" + std::to_string(i)));
    return clones;
}

// Runs `command` in every clone at once and returns each one's exit status, in clone order.
std::vector<int> run_all_at_once(const std::vector<fs::path>& clones,
                                 const std::function<std::string(std::size_t)>& command,
                                 const fs::path& scratch) {
    std::string script;
    for (std::size_t i = 0; i < clones.size(); ++i)
        script += "(cd '" + clones[i].string() + "' && " + command(i) +
                  " >/dev/null 2>&1; echo $? > '" +
                  (scratch / ("rc-" + std::to_string(i))).string() + "') &\n";
    script += "wait\n";
    REQUIRE(sh(script, scratch).status == 0);
    std::vector<int> codes;
    for (std::size_t i = 0; i < clones.size(); ++i) {
        std::ifstream in(scratch / ("rc-" + std::to_string(i)));
        int code = -1;
        in >> code;
        codes.push_back(code);
    }
    return codes;
}

} // namespace

TEST_CASE("a lock conflict names the holder, its intent and when the lease ends") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    const auto locked = sh("git knot lock src/a.c src/b.c -m 'fix the parser'", a);
    INFO(locked.err);
    REQUIRE(locked.status == 0);
    CHECK(locked.out.find("locked  src/a.c") != std::string::npos);

    const auto refused = sh("git knot lock src/b.c src/c.c", b);
    CHECK(refused.status == 1);
    CHECK(refused.err.find("src/b.c is locked by coder-1 (fix the parser) until") !=
          std::string::npos);
    CHECK(refused.err.find("nothing was locked") != std::string::npos);

    // All or nothing: src/c.c was not taken by the refused request.
    const auto locks = json_of(sh("git knot locks --json", b)).at("locks");
    REQUIRE(locks.size() == 2);
    for (const auto& lock : locks)
        CHECK(lock.at("agent_name") == "coder-1");

    // Another agent cannot unlock it; the holder can; then the other can take it.
    const auto not_mine = sh("git knot unlock src/a.c", b);
    CHECK(not_mine.status == 1);
    CHECK(sh("git knot unlock src/a.c src/b.c", a).status == 0);
    CHECK(sh("git knot lock src/b.c src/c.c", b).status == 0);
    const auto unknown = sh("git knot unlock src/zzz.c", b);
    CHECK(unknown.status == 1);
}

TEST_CASE("lock paths are repository paths, anything outside the repository is refused") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    fs::create_directories(a / "src" / "deep");
    // Relative to the current directory, normalised.
    const auto r = sh("cd src/deep && git knot lock ../x.c ./y.c --json", a);
    INFO(r.err);
    REQUIRE(r.status == 0);
    const auto granted = nlohmann::json::parse(r.out).at("locks");
    std::set<std::string> paths;
    for (const auto& lock : granted)
        paths.insert(lock.at("path").get<std::string>());
    CHECK(paths == std::set<std::string>{"src/x.c", "src/deep/y.c"});

    for (const std::string& bad :
         std::vector<std::string>{"/etc/passwd", "../outside", ".", std::string(300, 'a')}) {
        const auto refused = sh("git knot lock '" + bad + "'", a);
        CHECK(refused.status == 129);
        CHECK_FALSE(refused.err.empty());
    }
}

TEST_CASE("fifty processes claim one task and exactly one wins") {
    HostedRoom room;
    const auto planner = room.joined("planner");
    REQUIRE(sh("git knot plan -t 'the contested task'", planner).status == 0);
    const auto clones = joined_agents(room, 50);
    const auto codes = run_all_at_once(
        clones, [](std::size_t) { return std::string("git knot claim t1 --no-worktree"); },
        room.dir());
    CHECK(std::count(codes.begin(), codes.end(), 0) == 1);
    CHECK(std::count(codes.begin(), codes.end(), 1) == 49);
    const auto tasks = json_of(sh("git knot tasks --json", planner)).at("tasks");
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0].at("status") == "claimed");
    const auto winner = std::find(codes.begin(), codes.end(), 0) - codes.begin();
    CHECK(tasks[0].at("claimed_by_name") == "agent-" + std::to_string(winner + 1));
}

TEST_CASE("fifty processes doing --files over overlapping sets never hold a path twice") {
    HostedRoom room;
    const auto clones = joined_agents(room, 50);
    auto files_of = [](std::size_t i) {
        std::vector<std::string> files;
        for (std::size_t k = 0; k < 3; ++k)
            files.push_back("f" + std::to_string((i + k * 7) % 20) + ".c");
        return files;
    };
    const auto codes = run_all_at_once(
        clones,
        [&](std::size_t i) {
            std::string command = "git knot doing 'work " + std::to_string(i) + "' --files";
            for (const auto& f : files_of(i))
                command += " " + f;
            return command;
        },
        room.dir());
    const auto locks = json_of(sh("git knot locks --json", clones[0])).at("locks");
    std::map<std::string, std::string> holder;
    for (const auto& lock : locks) {
        const std::string path = lock.at("path");
        CHECK(holder.count(path) == 0); // never twice
        holder[path] = lock.at("agent_name");
    }
    int winners = 0;
    for (std::size_t i = 0; i < clones.size(); ++i) {
        const std::string name = "agent-" + std::to_string(i + 1);
        std::size_t held = 0;
        for (const auto& f : files_of(i))
            held += holder.count(f) && holder[f] == name ? 1 : 0;
        if (codes[i] == 0) {
            ++winners;
            CHECK(held == 3); // a winner holds all its files
        } else {
            CHECK(codes[i] == 1);
            CHECK(held == 0); // a loser holds none
        }
    }
    CHECK(winners >= 1);
}

TEST_CASE("a claimed task gets a worktree on knot/<id>, then done or release") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    const auto planned = sh("printf 'first task\\n# a comment\\n\\nsecond task\\n' | "
                            "git knot plan 'the goal' --json",
                            a);
    const auto tasks = json_of(planned).at("tasks");
    REQUIRE(tasks.size() == 2);
    CHECK(tasks[0].at("id") == "t1");
    CHECK(tasks[1].at("title") == "second task");

    const auto claim = json_of(sh("git knot claim t1 --json", a));
    const fs::path worktree = claim.at("worktree").get<std::string>();
    CHECK(fs::exists(worktree / ".git"));
    CHECK(sh("git rev-parse --abbrev-ref HEAD", worktree).out == "knot/t1\n");

    const auto taken = sh("git knot claim t1 --no-worktree", b);
    CHECK(taken.status == 1);
    CHECK(taken.err.find("coder-1") != std::string::npos);
    CHECK(sh("git knot done t1", b).status == 1); // only the claimer finishes it
    CHECK(sh("git knot done t1", a).status == 0);
    CHECK(sh("git knot claim t2 --no-worktree", b).status == 0);
    CHECK(sh("git knot release t2", b).status == 0);
    const auto board = json_of(sh("git knot tasks --json", a)).at("tasks");
    CHECK(board[0].at("status") == "done");
    CHECK(board[1].at("status") == "open");
    CHECK(sh("git knot claim t99", b).status == 1);
    CHECK(sh("git knot claim nonsense", b).status == 129);
}

TEST_CASE("the log replays every event and its hash chain verifies") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot say hello there", a).status == 0);
    REQUIRE(sh("git knot doing 'writing docs' --files README", a).status == 0);
    const auto log = sh("git knot log --json", a);
    REQUIRE(log.status == 0);
    std::vector<nlohmann::json> events;
    std::istringstream lines(log.out);
    for (std::string line; std::getline(lines, line);)
        events.push_back(nlohmann::json::parse(line));
    REQUIRE(events.size() >= 5);
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(events[i].at("seq") == static_cast<int>(i + 1));
    CHECK(sh("git knot log", a).out.find("coder-1: hello there") != std::string::npos);
    const auto verified = sh("git knot log --verify", a);
    CHECK(verified.status == 0);
    CHECK(verified.out.find("hash chain intact") != std::string::npos);
    const auto last_two = sh("git knot log -n 2 --json", a);
    CHECK(std::count(last_two.out.begin(), last_two.out.end(), '\n') == 2);
}

TEST_CASE("the room's owner sets the lease, an expired lock frees the path for another agent") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    CHECK(sh("git knot locks --lease 60", a).status == 1); // only the owner
    REQUIRE(sh("git knot locks --lease 1", room.host()).status == 0);
    BackgroundCommand follow("exec git knot log --follow --json", a);
    REQUIRE(sh("git knot lock notes.txt", a).status == 0);
    bool expired = false;
    while (auto line = follow.next_line(20000)) {
        if (line->empty() || (*line)[0] != '{')
            continue;
        const auto event = nlohmann::json::parse(*line);
        if (event.at("type") == "lock.expired" && event.at("data").at("path") == "notes.txt") {
            expired = true;
            break;
        }
    }
    REQUIRE(expired);
    CHECK(json_of(sh("git knot locks --json", a)).at("locks").empty());
    CHECK(sh("git knot lock notes.txt", room.host()).status == 0);
}

TEST_CASE("log --verify detects an event rewritten in the server's database") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot say 'the original words'", a).status == 0);
    REQUIRE(sh("git knot log --verify", a).status == 0);
    REQUIRE(sh("git knot down", room.host()).status == 0);
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open((room.host() / ".git/knot/server/knot.db").c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db,
                             "UPDATE events SET data = '{\"text\":\"forged words\"}' "
                             "WHERE type = 'chat.message'",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        CHECK(sqlite3_changes(db) == 1);
        sqlite3_close(db);
    }
    REQUIRE(sh("git knot up --port 0 --no-tunnel", room.host()).status == 0);
    const auto verified = sh("git knot log --verify", room.host());
    CHECK(verified.status == 1);
    CHECK(verified.err.find("does not match its hash") != std::string::npos);
}

TEST_CASE("a followed stream survives a server kill and restart, every event exactly once") {
    const int port = free_port();
    HostedRoom room(port);
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    BackgroundCommand follow("exec git knot log --follow --json", a);
    std::vector<nlohmann::json> seen;
    auto read_until = [&](const std::string& text) {
        while (auto line = follow.next_line(20000)) {
            if (line->empty() || (*line)[0] != '{')
                continue;
            seen.push_back(nlohmann::json::parse(*line));
            if (seen.back().at("data").value("text", "") == text)
                return true;
        }
        return false;
    };
    for (const char* m : {"m1", "m2", "m3"})
        REQUIRE(sh(std::string("git knot say ") + m, b).status == 0);
    REQUIRE(read_until("m3"));

    const auto record = room.server_record();
    REQUIRE(::kill(record.at("pid").get<int>(), SIGKILL) == 0);
    const auto up = sh("git knot up --port " + std::to_string(port) + " --no-tunnel", room.host());
    INFO(up.err);
    REQUIRE(up.status == 0);
    for (const char* m : {"m4", "m5", "m6"})
        REQUIRE(sh(std::string("git knot say ") + m, b).status == 0);
    REQUIRE(read_until("m6"));

    std::vector<std::string> texts;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (i > 0)
            CHECK(seen[i].at("seq").get<int>() == seen[i - 1].at("seq").get<int>() + 1);
        if (seen[i].at("type") == "chat.message")
            texts.push_back(seen[i].at("data").at("text"));
    }
    CHECK(texts == std::vector<std::string>{"m1", "m2", "m3", "m4", "m5", "m6"});
}

TEST_CASE("chat sends the lines typed and shows the room's messages live") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    BackgroundCommand chat("exec git knot chat --history 0", a);
    chat.write("hello from chat\n");
    bool echoed = false;
    while (auto line = chat.next_line(20000))
        if (line->find("coder-1: hello from chat") != std::string::npos) {
            echoed = true;
            break;
        }
    CHECK(echoed);
    REQUIRE(sh("git knot say 'and hello back'", b).status == 0);
    bool heard = false;
    while (auto line = chat.next_line(20000))
        if (line->find("coder-2: and hello back") != std::string::npos) {
            heard = true;
            break;
        }
    CHECK(heard);
    chat.close_input();
    CHECK(chat.wait() == 0);
}

TEST_CASE("dash draws agents, tasks, locks and events within 80x24") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    REQUIRE(sh("git knot plan -t 'a task for the board'", a).status == 0);
    REQUIRE(sh("git knot lock notes.txt", a).status == 0);
    for (int i = 0; i < 30; ++i)
        REQUIRE(sh("git knot say message-" + std::to_string(i), a).status == 0);
    const auto dash = sh("git knot dash --once", a);
    INFO(dash.err);
    REQUIRE(dash.status == 0);
    CHECK(dash.out.find("a task for the board") != std::string::npos);
    CHECK(dash.out.find("notes.txt") != std::string::npos);
    CHECK(dash.out.find("message-29") != std::string::npos);
    std::istringstream lines(dash.out);
    int rows = 0;
    for (std::string line; std::getline(lines, line); ++rows) {
        std::size_t columns = 0; // characters, not bytes: count UTF-8 lead bytes
        for (unsigned char c : line)
            columns += (c & 0xC0) != 0x80 && c != 0x1b ? 1 : 0;
        CHECK(columns <= 84); // the escape sequence's bracket and letters are not columns
    }
    CHECK(rows <= 24);
}
