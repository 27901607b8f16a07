// Sending chat messages on a thread of their own (see chat_sender.hpp).
#include "git-knot/chat_sender.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

namespace knot {
namespace {

// A slow server holds the message up no longer than this, nor dash's exit.
constexpr std::chrono::seconds k_send_timeout{10};

} // namespace

ChatSender::ChatSender(std::function<void(Outcome)> done)
    : m_session(std::make_unique<Session>(SessionOptions{.timeout = k_send_timeout}))
    , m_done(std::move(done))
    , m_thread([this] { run(); }) {}

ChatSender::~ChatSender() {
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void ChatSender::send(std::string text) {
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(text));
    }
    m_wake.notify_all();
}

std::size_t ChatSender::pending() {
    std::lock_guard lock(m_mutex);
    return m_queue.size() + (m_sending ? 1 : 0);
}

void ChatSender::run() {
    while (true) {
        std::string text;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopped || !m_queue.empty(); });
            if (m_stopped)
                return;
            text = std::move(m_queue.front());
            m_queue.pop_front();
            m_sending = true;
        }
        Outcome outcome{text, 0, ""};
        try {
            const auto answer = m_session->client().post("/messages", {{"text", text}});
            outcome.seq = wire::FieldReader(answer, "message answer")
                              .require({"event"})
                              .object<wire::Event>("event")
                              .seq;
        } catch (const Error& e) {
            outcome.error = e.what();
        } catch (const std::exception& e) { // a malformed answer, read by nlohmann
            outcome.error = e.what();
        }
        {
            std::lock_guard lock(m_mutex);
            m_sending = false;
        }
        m_done(std::move(outcome));
    }
}

} // namespace knot
