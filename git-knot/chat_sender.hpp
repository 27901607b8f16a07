// Sending chat messages without waiting for the server: `git knot dash`'s chat line hands each
// line over and goes on drawing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace knot {

class Session;

// Sends messages in the order given, one at a time, on a thread of its own with a session of its
// own (a request of its own: the caller's client is never shared across threads), each a signed
// POST /messages as `git knot say` sends it. Open it in the clone, after blocking the signals
// its thread must not take.
class ChatSender {
public:
    // How a message went: `seq` of its event when sent, else 0 and why not in `error`.
    struct Outcome {
        std::string text;
        std::int64_t seq = 0;
        std::string error;
    };

    // `done` hears each outcome on the sender's thread. Throws knot::Error as Session does.
    explicit ChatSender(std::function<void(Outcome)> done);
    // Waits for the message being sent (at most the request's timeout, k_send_timeout); those
    // still queued are dropped.
    ~ChatSender();
    ChatSender(const ChatSender&) = delete;
    ChatSender& operator=(const ChatSender&) = delete;

    void send(std::string text);
    // The messages given and not yet answered.
    std::size_t pending();

private:
    void run();

    std::unique_ptr<Session> m_session;
    std::function<void(Outcome)> m_done;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::string> m_queue;
    bool m_sending = false;
    bool m_stopped = false;
    std::thread m_thread;
};

} // namespace knot
