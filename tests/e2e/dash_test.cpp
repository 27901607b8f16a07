// End to end: `git knot dash` on a real terminal (tmux, on a private socket), asserting what is on
// the screen at 80x24 and 120x40 with 30 tasks, after a resize, as lock countdowns tick with no
// event, and when Ctrl-C ends it; its chat line, typed into and sent to the room; and `--once`.
#include "tests/support/hosted_room.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// A tmux server of its own running one command in a detached session named "dash".
class Terminal {
public:
    Terminal(const fs::path& dir, const fs::path& cwd, const std::string& command, int cols,
             int rows)
        : m_tmux("tmux -f /dev/null -S '" + (dir / "tmux.sock").string() + "' ")
        , m_dir(dir) {
        REQUIRE(sh("command -v tmux", dir).status == 0); // the dash tests need tmux
        const auto started = sh(m_tmux + "new-session -d -s dash -x " + std::to_string(cols) +
                                    " -y " + std::to_string(rows) + " -c '" + cwd.string() + "' '" +
                                    command + "' \\; set-option -t dash remain-on-exit on",
                                dir);
        INFO(started.err);
        REQUIRE(started.status == 0);
    }
    ~Terminal() { sh(m_tmux + "kill-server", m_dir); }
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    // The screen's rows, as the terminal shows them.
    std::vector<std::string> screen() const {
        return lines_of(sh(m_tmux + "capture-pane -p -t dash", m_dir).out);
    }
    std::string tmux(const std::string& command) const { return sh(m_tmux + command, m_dir).out; }

    // The screen once `ready` holds for it; FAILs after 30 seconds of screens that do not.
    std::vector<std::string>
    wait_for(const std::function<bool(const std::vector<std::string>&)>& ready) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        auto rows = screen();
        while (!ready(rows)) {
            if (std::chrono::steady_clock::now() > deadline) {
                std::string shown;
                for (const auto& row : rows)
                    shown += row + "\n";
                FAIL("the screen never got there; it shows:\n" << shown);
            }
            // Polls what the terminal shows: tmux has no event for "the screen changed".
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            rows = screen();
        }
        return rows;
    }

private:
    std::string m_tmux;
    fs::path m_dir;
};

int row_of(const std::vector<std::string>& rows, const std::string& text) {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i] == text)
            return static_cast<int>(i);
    return -1;
}

// Characters, not bytes: the dash draws ● and ….
std::size_t columns(const std::string& row) {
    std::size_t n = 0;
    for (unsigned char c : row)
        n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

// The header first, then every section's title in order, the integration line right before the
// events, each long section ending with "+N more", and no row wider than `cols`.
void check_layout(const std::vector<std::string>& rows, std::size_t cols) {
    INFO([&] {
        std::string shown;
        for (const auto& row : rows)
            shown += row + "\n";
        return shown;
    }());
    REQUIRE_FALSE(rows.empty());
    CHECK(rows[0].rfind("knot  host (rm_", 0) == 0);
    CHECK(rows[0].find("[live]") != std::string::npos);
    const int agents = rows.size() > 1 && rows[1].rfind("agents  3, ", 0) == 0 ? 1 : -1;
    const int tasks = row_of(rows, "tasks  30 open");
    const int locks = row_of(rows, "locks  12");
    const int events = row_of(rows, "events");
    CHECK(agents == 1);
    CHECK(tasks > agents);
    CHECK(locks > tasks);
    REQUIRE(events > locks);
    CHECK(rows[static_cast<std::size_t>(events) - 1].rfind("integration  ", 0) == 0);
    CHECK(rows[static_cast<std::size_t>(locks) - 1].find(" more") != std::string::npos);
    CHECK(rows[static_cast<std::size_t>(events) - 2].find(" more") != std::string::npos);
    for (const auto& row : rows)
        CHECK(columns(row) <= cols);
}

// The "+N more" under the tasks.
int tasks_hidden(const std::vector<std::string>& rows) {
    const int locks = row_of(rows, "locks  12");
    return locks > 0 ? std::stoi(rows[static_cast<std::size_t>(locks) - 1].substr(3)) : -1;
}

// A room with 30 tasks, 12 locks and some chat, seen from the clone of coder-1.
struct BusyRoom {
    HostedRoom room;
    fs::path clone = room.joined("coder-1");

    BusyRoom() {
        REQUIRE(sh("for i in $(seq 30); do echo \"task $i: make part $i of the parser work\"; "
                   "done | git knot plan -f -",
                   clone)
                    .status == 0);
        REQUIRE(
            sh("git knot lock $(for i in $(seq 12); do echo src/part$i.c; done)", clone).status ==
            0);
        for (int i = 0; i < 5; ++i)
            REQUIRE(sh("git knot say message-" + std::to_string(i), clone).status == 0);
    }
};

} // namespace

TEST_CASE("dash fits 80x24 and, resized, 120x40, with its header and every section") {
    BusyRoom busy;
    const Terminal terminal(busy.room.dir(), busy.clone, "git knot dash", 80, 24);
    const auto small = terminal.wait_for([](const auto& rows) {
        return row_of(rows, "events") > 0 && rows.size() > 1 &&
               rows[rows.size() - 2].find("message-4") != std::string::npos;
    });
    CHECK(small.size() == 24);
    check_layout(small, 80);
    // The chat pane ends with the newest message, right above the chat line.
    CHECK(row_of(small, "chat") > row_of(small, "events"));
    CHECK(small.back() == "say>");

    // SIGWINCH: laid out again for the new size, showing more of each section.
    terminal.tmux("resize-window -t dash -x 120 -y 40");
    const auto big = terminal.wait_for([&](const auto& rows) {
        return rows.size() == 40 && row_of(rows, "events") > 0 &&
               tasks_hidden(rows) < tasks_hidden(small) &&
               rows[rows.size() - 2].find("message-4") != std::string::npos;
    });
    check_layout(big, 120);
    CHECK(big.back() == "say>");
}

TEST_CASE("dash redraws lock countdowns every second with no event, and Ctrl-C ends it") {
    BusyRoom busy;
    const Terminal terminal(busy.room.dir(), busy.clone, "git knot dash", 80, 24);
    const auto first =
        terminal.wait_for([](const auto& rows) { return row_of(rows, "locks  12") > 0; });
    const auto lock_row = static_cast<std::size_t>(row_of(first, "locks  12") + 1);
    REQUIRE(first[lock_row].find("src/part") != std::string::npos);
    // The lease counts down on the screen although the room is quiet.
    terminal.wait_for([&](const auto& rows) {
        return rows.size() > lock_row && rows[lock_row] != first[lock_row] &&
               rows[lock_row].find("src/part") != std::string::npos;
    });

    terminal.tmux("send-keys -t dash C-c");
    const auto ended = terminal.wait_for([&](const auto&) {
        return terminal.tmux("display-message -p -t dash '#{pane_dead}'") == "1\n";
    });
    // The terminal's own screen is back: the dashboard is gone from it.
    for (const auto& row : ended)
        CHECK(row.find("Ctrl-C quits") == std::string::npos);
}

TEST_CASE(
    "a line typed into dash's chat line and Enter is sent to the room and shown in its pane") {
    HostedRoom room;
    const auto clone = room.joined("coder-1");
    const auto teammate = room.joined("coder-2");
    RoomEvents events(teammate);
    // Its exit status in a file: what the terminal shows once it ended is tmux's to decide.
    const auto status_file = room.dir() / "dash-status";
    const Terminal terminal(room.dir(), clone,
                            "git knot dash; echo $? >\"" + status_file.string() + "\"", 80, 24);
    terminal.wait_for([](const auto& rows) { return row_of(rows, "chat") > 0; });

    // Edited before it is sent: a typo rubbed out with backspace, and q is only a letter.
    terminal.tmux("send-keys -t dash -l 'quick: keep off src/parse.cX'");
    terminal.tmux("send-keys -t dash BSpace");
    terminal.wait_for(
        [](const auto& rows) { return rows.back() == "say> quick: keep off src/parse.c"; });
    terminal.tmux("send-keys -t dash Enter");
    const auto sent = events.next([](const auto& event) {
        return event["type"] == "chat.message" &&
               event["data"]["text"] == "quick: keep off src/parse.c";
    });
    CHECK(sent["agent"] == git_config(clone, "knot.agent"));
    // In the pane, as the room has it, and the chat line empty again.
    terminal.wait_for([](const auto& rows) {
        return rows.size() > 1 && rows.back() == "say>" &&
               rows[rows.size() - 2].find("coder-1: quick: keep off src/parse.c") !=
                   std::string::npos;
    });

    // A teammate's message comes into the pane while the line is being typed, which stays.
    terminal.tmux("send-keys -t dash -l 'half a thought'");
    REQUIRE(sh("git knot say 'ok, src/lex.c is mine'", teammate).status == 0);
    terminal.wait_for([](const auto& rows) {
        return rows.size() > 1 && rows.back() == "say> half a thought" &&
               rows[rows.size() - 2].find("coder-2: ok, src/lex.c is mine") != std::string::npos;
    });

    // Ctrl-D quits only once Ctrl-U has emptied the line.
    terminal.tmux("send-keys -t dash C-d");
    terminal.tmux("send-keys -t dash C-u");
    terminal.wait_for([](const auto& rows) { return rows.back() == "say>"; });
    CHECK(terminal.tmux("display-message -p -t dash '#{pane_dead}'") == "0\n");
    terminal.tmux("send-keys -t dash C-d");
    terminal.wait_for([&](const auto&) {
        return terminal.tmux("display-message -p -t dash '#{pane_dead}'") == "1\n";
    });
    std::ifstream status(status_file);
    std::string code;
    std::getline(status, code);
    CHECK(code == "0");
}

TEST_CASE("dash --once prints one screen, without saying how to quit") {
    BusyRoom busy;
    const auto once = sh("git knot dash --once", busy.clone);
    INFO(once.err);
    REQUIRE(once.status == 0);
    const auto rows = lines_of(once.out);
    CHECK(rows.size() == 24);
    CHECK(rows[0].rfind("knot  host (rm_", 0) == 0);
    CHECK(rows[0].find("[snapshot]") != std::string::npos);
    CHECK(once.out.find("Ctrl-C quits") == std::string::npos);
    CHECK(once.out.find("\x1b") == std::string::npos);
    CHECK(row_of(rows, "tasks  30 open") > 0);
}

TEST_CASE("a message dash cannot send is reported on the chat's title and comes back to the line") {
    HostedRoom room;
    const auto clone = room.joined("coder-1");
    const Terminal terminal(room.dir(), clone, "git knot dash", 80, 24);
    terminal.wait_for([](const auto& rows) { return row_of(rows, "chat") > 0; });
    REQUIRE(sh("git knot down", room.host()).status == 0);
    terminal.wait_for([](const auto& rows) {
        return !rows.empty() && rows[0].find("[reconnecting]") != std::string::npos;
    });
    terminal.tmux("send-keys -t dash -l 'into the void'");
    terminal.tmux("send-keys -t dash Enter");
    // The screen goes on (the clock ticks) with the reason on the chat's title line.
    terminal.wait_for([](const auto& rows) {
        for (const auto& row : rows)
            if (row.rfind("chat  not sent: ", 0) == 0)
                return rows.back() == "say> into the void";
        return false;
    });
    // Enter sends it again once the server is back.
    REQUIRE(sh("git knot up --no-tunnel", room.host()).status == 0);
    terminal.wait_for([](const auto& rows) {
        return !rows.empty() && rows[0].find("[live]") != std::string::npos;
    });
    terminal.tmux("send-keys -t dash Enter");
    terminal.wait_for([](const auto& rows) {
        return rows.size() > 1 && rows.back() == "say>" &&
               rows[rows.size() - 2].find("coder-1: into the void") != std::string::npos;
    });
}
