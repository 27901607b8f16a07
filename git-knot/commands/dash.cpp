// git knot dash: a live terminal dashboard of agents, tasks, locks and recent events, fitted to
// the terminal (dash_screen) and redrawn on each event, every second and on a resize; with a chat
// line at the bottom (dash_input) whose messages are sent without holding the screen up
// (chat_sender).
#include "command.hpp"
#include "git-knot/chat_sender.hpp"
#include "git-knot/dash_input.hpp"
#include "git-knot/dash_screen.hpp"
#include "git-knot/dash_terminal.hpp"
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
#include <optional>
#include <poll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace knot::cli {
namespace {

// The newest events kept for the screen.
constexpr std::size_t k_kept_events = 100;
// The room is read again at least this often, for what changes without an event (who is
// online).
constexpr std::chrono::seconds k_refresh{10};

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
    void sent(ChatSender::Outcome outcome) {
        std::lock_guard lock(m_mutex);
        m_sent.push_back(std::move(outcome));
        wake();
    }
    void failed(std::exception_ptr error) {
        std::lock_guard lock(m_mutex);
        m_error = std::move(error);
        wake();
    }
    // Takes what arrived: the events, in order, the stream's newest state ("" when it did not
    // change) and how the messages sent went. Rethrows the stream's failure.
    std::vector<wire::Event> take(std::string& state, std::vector<ChatSender::Outcome>& sent) {
        std::uint64_t count = 0;
        (void)!::read(m_fd, &count, sizeof count);
        std::lock_guard lock(m_mutex);
        if (m_error)
            std::rethrow_exception(m_error);
        state = std::exchange(m_state, "");
        sent = std::exchange(m_sent, {});
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
    std::vector<ChatSender::Outcome> m_sent;
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

// What the screen shows of the room's log, newest last: the events, and the chat messages when
// it has a chat line (else they are events too).
struct Kept {
    std::deque<std::string> events;
    std::deque<std::string> chat;
};

void keep_event(Kept& kept, const wire::Event& event, AgentNames& names, bool chat_pane) {
    learn_name(names, event);
    auto& lines = chat_pane && event.type == "chat.message" ? kept.chat : kept.events;
    lines.push_back(event_line(event, names));
    if (lines.size() > k_kept_events)
        lines.pop_front();
}

// The chat line's prompt.
constexpr const char* k_prompt = "say> ";

// The live dashboard, until SIGINT, SIGTERM or SIGHUP (or Ctrl-D on an empty chat line): redrawn
// on events, each second, when the terminal is resized (SIGWINCH) and as keys are typed. With a
// terminal on standard input (`chat_pane`) it has the chat line; else it shows what it always did.
int run_live(Session& session, DashData data, Kept kept, AgentNames names, std::int64_t since,
             bool chat_pane) {
    // Blocked before the follower's and the sender's threads start, so only the loop below ever
    // sees them.
    SignalWatch signals{SIGINT, SIGTERM, SIGHUP, SIGWINCH};
    Inbox inbox;
    Follower follower(session, since, inbox);
    std::optional<ChatSender> sender;
    std::optional<RawKeys> raw_keys;
    if (chat_pane) {
        sender.emplace([&inbox](ChatSender::Outcome outcome) { inbox.sent(std::move(outcome)); });
        raw_keys.emplace();
    }
    LineEditor editor;
    std::string failure; // why the last message was not sent, until the next is
    bool keys_open = chat_pane;
    FullScreen screen;
    TerminalSize size = terminal_size();
    std::string state = "live";
    auto fetched = std::chrono::steady_clock::now();
    while (true) {
        DashChat chat;
        int cursor = -1;
        if (chat_pane) {
            chat.messages = kept.chat;
            const std::size_t pending = sender->pending();
            chat.status = pending > 0 ? "sending " + std::to_string(pending) + "…" : failure;
            chat.input = input_line(k_prompt, editor.text(), size.cols, cursor);
        }
        draw(dash_screen(data, kept.events, state, DashMode::live, size.rows, size.cols, unix_now(),
                         chat_pane ? &chat : nullptr),
             size.rows, cursor);
        pollfd fds[3] = {
            {signals.fd(), POLLIN, 0}, {inbox.fd(), POLLIN, 0}, {keys_open ? 0 : -1, POLLIN, 0}};
        if (::poll(fds, 3, until_next_second()) < 0 && errno != EINTR)
            throw Error(std::string("poll failed: ") + std::strerror(errno));
        for (int signal = signals.take(); signal != 0; signal = signals.take()) {
            if (signal != SIGWINCH)
                return 0;
            size = terminal_size();
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            char keys[256];
            const ssize_t got = ::read(0, keys, sizeof keys);
            if (got > 0) {
                const auto typed = editor.feed({keys, static_cast<std::size_t>(got)});
                for (auto& text : typed.submitted) {
                    failure.clear();
                    sender->send(std::move(text));
                }
                if (typed.quit)
                    return 0;
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                keys_open = false; // no more keys: the screen goes on without them
            }
        }
        bool refetch = std::chrono::steady_clock::now() - fetched >= k_refresh;
        if (fds[1].revents & POLLIN) {
            std::string new_state;
            std::vector<ChatSender::Outcome> sent;
            const auto events = inbox.take(new_state, sent);
            for (const auto& event : events)
                keep_event(kept, event, names, chat_pane);
            for (const auto& outcome : sent) {
                if (outcome.error.empty())
                    continue;
                failure = "not sent: " + outcome.error;
                if (editor.text().empty())
                    editor.set_text(outcome.text); // Enter sends it again
            }
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
    const bool live = !once && ::isatty(1);
    const bool chat_pane = live && ::isatty(0);
    Kept kept;
    // Kept in a variable: a range-for over a member of a temporary would dangle.
    const nlohmann::json backlog =
        client.get("/events?since=" + std::to_string(std::max<std::int64_t>(0, last - 20)));
    for (const auto& event :
         wire::FieldReader(backlog, "events answer").objects<wire::Event>("events"))
        keep_event(kept, event, names, chat_pane);
    DashData data = fetch_dash_data(client);
    if (!live) {
        // Plain text for pipes and files: no cursor movement or line clearing.
        const TerminalSize size = terminal_size();
        for (const auto& line : dash_screen(data, kept.events, "snapshot", DashMode::snapshot,
                                            size.rows, size.cols, unix_now()))
            std::cout << line << '\n';
        return 0;
    }
    return run_live(session, std::move(data), std::move(kept), std::move(names), last, chat_pane);
}

const Registration registration{
    {"dash", "Live dashboard: agents, tasks, locks, recent events; a chat line to talk", run}};

} // namespace

} // namespace knot::cli
