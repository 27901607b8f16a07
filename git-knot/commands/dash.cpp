// git knot dash: a live terminal dashboard of agents, tasks, locks and recent events, redrawn
// on each event and fitted to the terminal (80x24 at least).
#include "command.hpp"
#include "libknot/error.hpp"
#include "libknot/event_format.hpp"
#include "libknot/event_stream.hpp"
#include "libknot/protocol.hpp"
#include "libknot/session.hpp"
#include "libknot/sync_summary.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <deque>
#include <iostream>
#include <sstream>
#include <sys/ioctl.h>
#include <unistd.h>

namespace knot::cli {
namespace {

EventStream* g_stream = nullptr;

void stop_dash(int) {
    if (g_stream)
        g_stream->stop();
}

std::string fit(std::string text, std::size_t width) {
    if (text.size() > width)
        text = text.substr(0, width > 1 ? width - 1 : 0) + (width > 1 ? "…" : "");
    return text;
}

// One screen: the room, its agents, open tasks, locks, the integration ref and its newest run,
// and the newest events, in `rows` lines.
std::string render(RoomClient& client, const std::deque<std::string>& recent, int rows, int cols,
                   const std::string& state) {
    const auto width = static_cast<std::size_t>(cols);
    const auto room = client.get("");
    const auto tasks = client.get("/tasks").at("tasks");
    const auto locks = client.get("/locks").at("locks");
    const IntegrationState integration = integration_state(client.get("/integration?limit=1"));
    const auto now = unix_now();
    std::vector<std::string> lines;
    lines.push_back(fit("knot " + json_text(room, "room") + "  " + json_text(room, "name") + "  [" +
                            state + "]  Ctrl-C quits",
                        width));
    lines.push_back("agents");
    for (const auto& agent : room.at("agents")) {
        std::string line = std::string("  ") + (agent.value("online", false) ? "●" : "○") + " " +
                           json_text(agent, "name");
        if (!json_text(agent, "status").empty())
            line += "  " + json_text(agent, "status");
        lines.push_back(fit(line, width + 2));
    }
    lines.push_back("tasks");
    for (const auto& task : tasks)
        if (json_text(task, "status") != "done")
            lines.push_back(fit("  " + json_text(task, "id") + " " + json_text(task, "status") +
                                    " " + json_text(task, "title") +
                                    (json_text(task, "claimed_by_name").empty()
                                         ? ""
                                         : " (" + json_text(task, "claimed_by_name") + ")"),
                                width));
    lines.push_back("locks");
    for (const auto& lock : locks)
        lines.push_back(fit("  " + json_text(lock, "path") + "  " + json_text(lock, "agent_name") +
                                "  " + relative_time(lock.value("expires_at", 0LL), now),
                            width));
    std::string known_good =
        "integration  " +
        (integration.commit.empty() ? std::string("none yet") : integration.commit.substr(0, 8));
    if (integration.run > 0)
        known_good += "  run " + std::to_string(integration.run) + " " + integration.status + ": " +
                      integration.summary;
    lines.push_back(fit(known_good, width));
    lines.push_back("events");
    const int room_left = rows - static_cast<int>(lines.size()) - 1;
    const int shown = std::max(0, std::min(room_left, static_cast<int>(recent.size())));
    for (int i = static_cast<int>(recent.size()) - shown; i < static_cast<int>(recent.size()); ++i)
        lines.push_back(fit("  " + recent[static_cast<std::size_t>(i)], width));
    if (static_cast<int>(lines.size()) > rows)
        lines.resize(static_cast<std::size_t>(rows));
    std::ostringstream screen;
    screen << "\x1b[H\x1b[2J";
    for (const auto& line : lines)
        screen << line << "\x1b[K\n";
    return screen.str();
}

} // namespace

int cmd_dash(const std::vector<std::string>& args) {
    CLI::App app{"Live dashboard: agents, tasks, locks, recent events", "dash"};
    bool once = false;
    app.add_flag("--once", once, "Draw one screen and exit (also when not on a terminal)");
    if (!parse_args(app, args))
        return 0;
    Session session;
    auto& client = session.client();
    int rows = 24, cols = 80;
    winsize size{};
    if (::ioctl(1, TIOCGWINSZ, &size) == 0 && size.ws_row > 0) {
        rows = std::max<int>(size.ws_row, 10);
        cols = std::max<int>(size.ws_col, 40);
    }
    AgentNames names = agent_names(client.get("/agents").at("agents"));
    const std::int64_t last = client.get("").value("last_seq", 0LL);
    std::deque<std::string> recent;
    // Kept in a variable: a range-for over a member of a temporary would dangle.
    const nlohmann::json backlog =
        client.get("/events?since=" + std::to_string(std::max<std::int64_t>(0, last - 20)));
    for (const auto& event : backlog.at("events"))
        recent.push_back(event_line(event, names));
    if (once || !::isatty(1)) {
        // Plain text for pipes and files: no cursor movement or line clearing.
        std::string screen = render(client, recent, rows, cols, "snapshot");
        screen.erase(0, screen.find("\x1b[2J") + 4);
        for (auto at = screen.find("\x1b[K"); at != std::string::npos; at = screen.find("\x1b[K"))
            screen.erase(at, 3);
        std::cout << screen;
        return 0;
    }
    EventStream stream(session.room(), session.identity());
    g_stream = &stream;
    std::signal(SIGINT, stop_dash);
    std::signal(SIGTERM, stop_dash);
    std::string state = "live";
    std::cout << render(client, recent, rows, cols, state) << std::flush;
    stream.follow(
        last,
        [&](const nlohmann::json& event) {
            if (json_text(event, "type") == "agent.joined")
                names[json_text(event, "agent")] = json_text(event.at("data"), "name");
            recent.push_back(event_line(event, names));
            if (recent.size() > 100)
                recent.pop_front();
            std::cout << render(client, recent, rows, cols, state) << std::flush;
            return true;
        },
        [&](const std::string& s) {
            state = s == "connected" ? "live" : "reconnecting";
            try {
                std::cout << render(client, recent, rows, cols, state) << std::flush;
            } catch (const Error&) {
            }
        });
    std::cout << "\n";
    return 0;
}

} // namespace knot::cli
