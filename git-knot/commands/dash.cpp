// git knot dash: a live terminal dashboard of agents, tasks, locks and recent events, fitted to
// the terminal (dash_screen) and redrawn on each event, every second and on a resize.
#include "command.hpp"
#include "git-knot/dash_screen.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/signal_watch.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <thread>
#include <unistd.h>

namespace knot::cli {
namespace {

// The newest events kept for the screen.
constexpr std::size_t k_kept_events = 100;
// The room is read again at least this often, for what changes without an event (who is
// online).
constexpr std::chrono::seconds k_refresh{10};

struct TerminalSize {
    int rows = 24;
    int cols = 80;
};

// The size of the terminal on standard output, or 80x24 when it is not one.
TerminalSize terminal_size() {
    winsize size{};
    if (::ioctl(1, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0)
        return {size.ws_row, size.ws_col};
    return {};
}

// The terminal's alternate screen with the cursor hidden, for as long as it lives: however dash
// ends, the shell's screen comes back as it was.
class FullScreen {
public:
    FullScreen() { std::cout << "\x1b[?1049h\x1b[?25l" << std::flush; }
    ~FullScreen() { std::cout << "\x1b[?25h\x1b[?1049l" << std::flush; }
    FullScreen(const FullScreen&) = delete;
    FullScreen& operator=(const FullScreen&) = delete;
};

// Draws `lines` from the top left, each line cleared as it is written and the rest of a
// `rows`-line screen cleared after them. Nothing is written after the last row, so the terminal
// never scrolls (a newline there would push the header off the screen).
void draw(const std::vector<std::string>& lines, int rows) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i)
        out += "\x1b[" + std::to_string(i + 1) + ";1H\x1b[2K" + lines[i];
    if (static_cast<int>(lines.size()) < rows)
        out += "\x1b[" + std::to_string(lines.size() + 1) + ";1H\x1b[J";
    std::cout << out << std::flush;
}

// What the thread following the event stream hands to the drawing loop, waking it through an
// eventfd.
class Inbox {
public:
    Inbox()
        : m_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
        if (m_fd < 0)
            throw Error(std::string("cannot create an eventfd: ") + std::strerror(errno));
    }
    ~Inbox() { ::close(m_fd); }
    Inbox(const Inbox&) = delete;
    Inbox& operator=(const Inbox&) = delete;

    int fd() const { return m_fd; }
    void event(const wire::Event& event) {
        std::lock_guard lock(m_mutex);
        m_events.push_back(event);
        wake();
    }
    void state(const std::string& state) {
        std::lock_guard lock(m_mutex);
        m_state = state == "connected" ? "live" : "reconnecting";
        wake();
    }
    void failed(std::exception_ptr error) {
        std::lock_guard lock(m_mutex);
        m_error = std::move(error);
        wake();
    }
    // Takes what arrived: the events, in order, and the stream's newest state ("" when it did
    // not change). Rethrows the stream's failure.
    std::vector<wire::Event> take(std::string& state) {
        std::uint64_t count = 0;
        (void)!::read(m_fd, &count, sizeof count);
        std::lock_guard lock(m_mutex);
        if (m_error)
            std::rethrow_exception(m_error);
        state = std::exchange(m_state, "");
        return std::exchange(m_events, {});
    }

private:
    void wake() {
        const std::uint64_t one = 1;
        (void)!::write(m_fd, &one, sizeof one);
    }

    int m_fd;
    std::mutex m_mutex;
    std::vector<wire::Event> m_events;
    std::string m_state;
    std::exception_ptr m_error;
};

// Follows the room's events on a thread of its own until destroyed.
class Follower {
public:
    Follower(const Session& session, std::int64_t since, Inbox& inbox)
        : m_stream(session.room(), session.identity())
        , m_thread([this, since, &inbox] {
            try {
                m_stream.follow(
                    since,
                    [&](const nlohmann::json& event) {
                        inbox.event(event.get<wire::Event>()); // a malformed one ends the follow
                        return true;
                    },
                    [&](const std::string& state) { inbox.state(state); });
            } catch (...) {
                inbox.failed(std::current_exception());
            }
        }) {}
    ~Follower() {
        m_stream.stop();
        m_thread.join();
    }
    Follower(const Follower&) = delete;
    Follower& operator=(const Follower&) = delete;

private:
    EventStream m_stream;
    std::thread m_thread;
};

// Milliseconds to the next whole second of the clock, so countdowns tick with it.
int until_next_second() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return 1000 - static_cast<int>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 1000);
}

void keep_event(std::deque<std::string>& recent, const wire::Event& event, AgentNames& names) {
    learn_name(names, event);
    recent.push_back(event_line(event, names));
    if (recent.size() > k_kept_events)
        recent.pop_front();
}

// The live dashboard, until SIGINT, SIGTERM or SIGHUP: redrawn on events, each second and when
// the terminal is resized (SIGWINCH).
int run_live(Session& session, DashData data, std::deque<std::string> recent, AgentNames names,
             std::int64_t since) {
    // Blocked before the follower's thread starts, so only the loop below ever sees them.
    SignalWatch signals{SIGINT, SIGTERM, SIGHUP, SIGWINCH};
    Inbox inbox;
    Follower follower(session, since, inbox);
    FullScreen screen;
    TerminalSize size = terminal_size();
    std::string state = "live";
    auto fetched = std::chrono::steady_clock::now();
    while (true) {
        draw(dash_screen(data, recent, state, DashMode::live, size.rows, size.cols, unix_now()),
             size.rows);
        pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {inbox.fd(), POLLIN, 0}};
        if (::poll(fds, 2, until_next_second()) < 0 && errno != EINTR)
            throw Error(std::string("poll failed: ") + std::strerror(errno));
        for (int signal = signals.take(); signal != 0; signal = signals.take()) {
            if (signal != SIGWINCH)
                return 0;
            size = terminal_size();
        }
        bool refetch = std::chrono::steady_clock::now() - fetched >= k_refresh;
        if (fds[1].revents & POLLIN) {
            std::string new_state;
            const auto events = inbox.take(new_state);
            for (const auto& event : events)
                keep_event(recent, event, names);
            if (!new_state.empty())
                state = new_state;
            refetch = refetch || !events.empty() || new_state == "live";
        }
        if (refetch) {
            try {
                data = fetch_dash_data(session.client());
                fetched = std::chrono::steady_clock::now();
            } catch (const Error&) {
                // The server is away: the stream reconnects, and the last screen stays.
            }
        }
    }
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool once = false;
    app.add_flag("--once", once, "Draw one screen and exit (also when not on a terminal)");
    if (!parse_args(app, args))
        return 0;
    Session session;
    auto& client = session.client();
    AgentNames names = agent_names_of(client.get("/agents"));
    const std::int64_t last = client.get("").get<wire::Room>().last_seq;
    std::deque<std::string> recent;
    // Kept in a variable: a range-for over a member of a temporary would dangle.
    const nlohmann::json backlog =
        client.get("/events?since=" + std::to_string(std::max<std::int64_t>(0, last - 20)));
    for (const auto& event :
         wire::FieldReader(backlog, "events answer").objects<wire::Event>("events"))
        keep_event(recent, event, names);
    DashData data = fetch_dash_data(client);
    if (once || !::isatty(1)) {
        // Plain text for pipes and files: no cursor movement or line clearing.
        const TerminalSize size = terminal_size();
        for (const auto& line : dash_screen(data, recent, "snapshot", DashMode::snapshot, size.rows,
                                            size.cols, unix_now()))
            std::cout << line << '\n';
        return 0;
    }
    return run_live(session, std::move(data), std::move(recent), std::move(names), last);
}

const Registration registration{
    {"dash", "Live dashboard: agents, tasks, locks, recent events", run}};

} // namespace

} // namespace knot::cli
