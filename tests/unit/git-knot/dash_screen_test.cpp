// Tests of the dashboard's screen: every section fits any terminal size, cut sections say how many
// lines they hide, and nothing from the room reaches the terminal as a control character.
#include "git-knot/dash_screen.hpp"

#include <catch2/catch.hpp>

using namespace knot;

namespace {

constexpr std::int64_t k_now = 1'800'000'000;

// A room with `tasks` open tasks, `locks` locks and three agents.
DashData room_with(int tasks, int locks) {
    DashData data;
    data.room = nlohmann::json{{"room", "rm_0123456789abcdef"},
                               {"name", "project"},
                               {"agents",
                                {{{"id", "ag_1"}, {"name", "host-1"}, {"online", true}},
                                 {{"id", "ag_2"},
                                  {"name", "coder-1"},
                                  {"online", true},
                                  {"status", "fixing the parser"}},
                                 {{"id", "ag_3"}, {"name", "coder-2"}, {"online", false}}}}}
                    .get<wire::Room>();
    for (int i = 1; i <= tasks; ++i)
        data.tasks.push_back(nlohmann::json{
            {"id", "t" + std::to_string(i)},
            {"status", i % 3 == 0 ? "claimed" : "open"},
            {"title", "task number " + std::to_string(i) +
                          " with a title long enough to be cut on a terminal of 80 columns"},
            {"claimed_by_name", i % 3 == 0 ? nlohmann::json("coder-1") : nlohmann::json()}}
                                 .get<wire::Task>());
    data.tasks.push_back(
        nlohmann::json{{"id", "t99"}, {"status", "done"}, {"title", "finished"}}.get<wire::Task>());
    for (int i = 1; i <= locks; ++i)
        data.locks.push_back(nlohmann::json{
            {"path", "src/file" + std::to_string(i) + ".c"},
            {"agent_name", "coder-2"},
            {"expires_at",
             k_now + 299}}.get<wire::Lock>());
    data.integration.commit = "5e6f7a8b9c0d";
    data.integration.run = 12;
    data.integration.status = "integrated";
    data.integration.summary = "integrated coder-2@9f8e7d6";
    return data;
}

std::deque<std::string> events(int n) {
    std::deque<std::string> out;
    for (int i = 1; i <= n; ++i)
        out.push_back("#" + std::to_string(i) + " 10:04:31 coder-1: message " + std::to_string(i));
    return out;
}

// The index of the line equal to `text`, or -1.
int line_of(const std::vector<std::string>& lines, const std::string& text) {
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i] == text)
            return static_cast<int>(i);
    return -1;
}

// The "+N more" that ends the section whose title is at `title`, or 0 when it shows everything.
int hidden_after(const std::vector<std::string>& lines, int title) {
    for (std::size_t i = static_cast<std::size_t>(title) + 1; i < lines.size(); ++i) {
        if (lines[i].rfind("  ", 0) != 0)
            return 0;
        if (lines[i].rfind("  +", 0) == 0)
            return std::stoi(lines[i].substr(3));
    }
    return 0;
}

} // namespace

TEST_CASE("30 tasks, 12 locks and 60 events fit 80x24 with the header and every section") {
    const auto lines =
        dash_screen(room_with(30, 12), events(60), "live", DashMode::live, 24, 80, k_now);
    REQUIRE(lines.size() == 24);
    CHECK(lines[0].rfind("knot  project (rm_0123456789abcdef)  [live]  ", 0) == 0);
    CHECK(lines[0].find("Ctrl-C quits") != std::string::npos);
    for (const auto& line : lines)
        CHECK(text_columns(line) <= 80);
    const int agents = line_of(lines, "agents  3, 2 online");
    const int tasks = line_of(lines, "tasks  30 open");
    const int locks = line_of(lines, "locks  12");
    const int recent = line_of(lines, "events");
    REQUIRE(agents == 1);
    CHECK(lines[2] == "  ● host-1");
    CHECK(lines[3] == "  ● coder-1  fixing the parser");
    REQUIRE(tasks > agents);
    REQUIRE(locks > tasks);
    REQUIRE(recent > locks);
    CHECK(lines[static_cast<std::size_t>(recent) - 1] ==
          "integration  5e6f7a8b  run 12 integrated: integrated coder-2@9f8e7d6");
    // Each long section shows some of its lines and counts the rest.
    const int tasks_shown = locks - tasks - 2;
    CHECK(tasks_shown >= 3);
    CHECK(hidden_after(lines, tasks) == 30 - tasks_shown);
    const int locks_shown = recent - 1 - locks - 2;
    CHECK(locks_shown >= 3);
    CHECK(hidden_after(lines, locks) == 12 - locks_shown);
    // The newest events are the ones shown, under the count of the older ones.
    CHECK(lines.back() == "  #60 10:04:31 coder-1: message 60");
    CHECK(lines[static_cast<std::size_t>(recent) + 1].rfind("  +", 0) == 0);
}

TEST_CASE("a bigger terminal shows more of each section, and all of what fits") {
    const auto small =
        dash_screen(room_with(30, 12), events(60), "live", DashMode::live, 24, 80, k_now);
    const auto big =
        dash_screen(room_with(30, 12), events(60), "live", DashMode::live, 40, 120, k_now);
    REQUIRE(big.size() == 40);
    CHECK(hidden_after(big, line_of(big, "tasks  30 open")) <
          hidden_after(small, line_of(small, "tasks  30 open")));
    CHECK(big[6].find("with a title long enough to be cut on a terminal of 80 columns") !=
          std::string::npos);
    CHECK(small[6].find("…") != std::string::npos);

    const auto roomy =
        dash_screen(room_with(2, 1), events(3), "live", DashMode::live, 40, 120, k_now);
    CHECK(roomy.size() == 15); // the header, 3 agents, 2 tasks, 1 lock, 3 events and 5 titles
    CHECK(roomy.back() == "  #3 10:04:31 coder-1: message 3");
    for (const auto& line : roomy)
        CHECK(line.find(" more") == std::string::npos);
}

TEST_CASE("any terminal size gets at most its rows and columns, the header first") {
    const auto data = room_with(30, 12);
    const auto recent = events(60);
    for (int rows = 1; rows <= 45; ++rows)
        for (int cols = 1; cols <= 130; cols += 7) {
            const auto lines = dash_screen(data, recent, "live", DashMode::live, rows, cols, k_now);
            CHECK(lines.size() <= static_cast<std::size_t>(rows));
            REQUIRE_FALSE(lines.empty());
            CHECK(lines[0].rfind(cols >= 4 ? "knot" : "", 0) == 0);
            for (const auto& line : lines)
                CHECK(text_columns(line) <= cols);
            if (rows >= 6 && cols >= 60) {
                const int recent_title = line_of(lines, "events");
                REQUIRE(recent_title > 0);
                CHECK(lines[static_cast<std::size_t>(recent_title) - 1].rfind("integration", 0) ==
                      0);
                CHECK(line_of(lines, "tasks  30 open") > 0);
                CHECK(line_of(lines, "locks  12") > 0);
            }
        }
    // Fewer than six rows: every section is still named, on one line.
    const auto tiny = dash_screen(data, recent, "live", DashMode::live, 3, 200, k_now);
    CHECK(tiny[1] == "agents  3, 2 online · tasks  30 open · locks  12");
    CHECK(tiny[2].rfind("integration  5e6f7a8b", 0) == 0);
}

TEST_CASE("a snapshot does not say how to quit, and countdowns follow the clock") {
    const auto data = room_with(1, 1);
    const auto snapshot = dash_screen(data, {}, "snapshot", DashMode::snapshot, 24, 80, k_now);
    CHECK(snapshot[0] == "knot  project (rm_0123456789abcdef)  [snapshot]");
    const auto lock = line_of(snapshot, "locks  1") + 1;
    CHECK(snapshot[static_cast<std::size_t>(lock)] == "  src/file1.c  coder-2  in 4m 59s");
    const auto later = dash_screen(data, {}, "snapshot", DashMode::snapshot, 24, 80, k_now + 2);
    CHECK(later[static_cast<std::size_t>(lock)] == "  src/file1.c  coder-2  in 4m 57s");
}

TEST_CASE("text from the room cannot move the cursor or change the terminal") {
    auto data = room_with(0, 0);
    data.tasks = {nlohmann::json{
        {"id", "t1"}, {"status", "open"}, {"title", "evil\x1b[2J\x1b]0;x\x07\r\n\xff"}}
                      .get<wire::Task>()};
    const auto lines = dash_screen(data, {}, "live", DashMode::live, 24, 80, k_now);
    CHECK(lines[line_of(lines, "tasks  1 open") + 1] == "  t1 open  evil?[2J?]0;x????");
}

TEST_CASE("a line is fitted to columns, wide characters counting two") {
    CHECK(fit_to_columns("abcdef", 6) == "abcdef");
    CHECK(fit_to_columns("abcdefg", 6) == "abcde…");
    CHECK(text_columns("日本語") == 6);
    CHECK(fit_to_columns("日本語", 5) == "日本…");
    CHECK(fit_to_columns("日本語", 4) == "日…");
    CHECK(text_columns("e\xcc\x81") == 1); // e and a combining accent
    CHECK(fit_to_columns("●○", 2) == "●○");
    CHECK(fit_to_columns("abc", 1) == "…");
}

TEST_CASE("with a chat line the last row is the input and the chat section sits above it") {
    DashChat chat;
    chat.messages = events(30);
    chat.input = "say> hello";
    for (const auto& [rows, cols] : {std::pair{24, 80}, {40, 120}, {8, 40}, {3, 80}, {1, 20}}) {
        INFO(rows << "x" << cols);
        const auto lines = dash_screen(room_with(30, 12), events(10), "live", DashMode::live, rows,
                                       cols, k_now, &chat);
        REQUIRE(lines.size() == static_cast<std::size_t>(rows)); // the input on the last row
        CHECK(lines.back() == "say> hello");
        if (rows >= 8) // the header, five titles, the integration line and the input line
            CHECK(line_of(lines, "chat") > line_of(lines, "events"));
        if (rows >= 24) {
            // The newest message is right above the input line.
            CHECK(lines[lines.size() - 2].find("message 30") != std::string::npos);
        }
    }
    chat.status = "not sent: the server is away";
    const auto lines =
        dash_screen(room_with(3, 1), events(2), "live", DashMode::live, 24, 80, k_now, &chat);
    CHECK(line_of(lines, "chat  not sent: the server is away") > 0);
}
