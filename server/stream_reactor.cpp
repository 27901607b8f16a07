// The event streams' thread (see stream_reactor.hpp).
#include "stream_reactor.hpp"

#include "connection.hpp"
#include "http_types.hpp"
#include "log.hpp"
#include "websocket_frame.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace knot::server {
namespace {

// epoll's data for the wake-up descriptor; streams are numbered from 1.
constexpr std::uint64_t k_wakeup_id = 0;
// How often every stream is pumped (heartbeats) and checked for a stall.
constexpr auto k_tick = std::chrono::seconds(1);
// The largest frame a peer may send: they send only close, ping and {"ping": true}.
constexpr std::size_t k_max_peer_frame = 4096;
// The output buffer a drained stream keeps for its next frames.
constexpr std::size_t k_kept_output_capacity = 4096;
// Rounds of pump-and-send one stream gets before the others have their turn.
constexpr int k_rounds_per_turn = 16;

} // namespace

struct StreamReactor::Stream : FrameSink {
    std::uint64_t id = 0;
    std::unique_ptr<Connection> connection;
    std::shared_ptr<StreamFeed> feed;
    std::string out; // frames not yet sent, from out_offset on
    std::size_t out_offset = 0;
    bool woken = false;       // live events or a tick: pump whatever the output holds
    bool backlog = false;     // the feed said more: pump again once the output has room
    bool closing = false;     // a close frame is queued: close once it is sent
    bool over_budget = false; // the peer fell too far behind: close at once
    bool watching_writable = false;
    std::chrono::steady_clock::time_point last_progress = std::chrono::steady_clock::now();

    std::size_t pending() const { return out.size() - out_offset; }

    void send_text(const std::string& text) override {
        if (closing)
            return;
        const bool was_behind = pending() > k_stream_low_water;
        append_frame(out, WebSocketOpcode::text, text);
        if (was_behind && pending() > k_stream_output_budget)
            over_budget = true;
    }
    bool has_room() const override { return pending() < k_stream_low_water; }

    void send_close(int status, std::string_view reason) {
        if (closing)
            return;
        append_frame(out, WebSocketOpcode::close, close_payload(status, reason));
        closing = true;
        woken = backlog = false;
    }
};

StreamReactor::StreamReactor() = default;

StreamReactor::~StreamReactor() {
    stop();
}

void StreamReactor::start() {
    m_loop.open(k_wakeup_id, "stream reactor");
    m_thread = std::thread([this] { run(); });
}

void StreamReactor::add(std::unique_ptr<Connection> connection, std::shared_ptr<StreamFeed> feed) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped || !m_thread.joinable())
            return; // the connection closes as it goes out of scope
        m_incoming.emplace_back(std::move(connection), std::move(feed));
    }
    m_loop.wake();
}

void StreamReactor::wake(std::uint64_t id) {
    bool first = false;
    {
        std::lock_guard lock(m_mutex);
        first = m_woken.empty();
        m_woken.insert(id);
    }
    if (first)
        m_loop.wake();
}

void StreamReactor::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
    }
    m_loop.wake();
    if (m_thread.joinable())
        m_thread.join();
    m_incoming.clear();
    m_loop.close();
}

std::size_t StreamReactor::stream_count() {
    std::lock_guard lock(m_mutex);
    return m_count;
}

void StreamReactor::run() {
    std::array<epoll_event, 256> events{};
    auto next_tick = std::chrono::steady_clock::now() + k_tick;
    for (;;) {
        const int timeout = m_ready.empty() ? 250 : 0;
        const int n =
            ::epoll_wait(m_loop.fd(), events.data(), static_cast<int>(events.size()), timeout);
        for (int i = 0; i < n; ++i) {
            const std::uint64_t id = events[static_cast<std::size_t>(i)].data.u64;
            const std::uint32_t what = events[static_cast<std::size_t>(i)].events;
            if (id == k_wakeup_id) {
                m_loop.drain();
                continue;
            }
            const auto it = m_streams.find(id);
            if (it == m_streams.end())
                continue;
            Stream& stream = *it->second;
            if (what & (EPOLLERR | EPOLLHUP)) {
                close_stream(id);
                continue;
            }
            if (what & EPOLLIN)
                read_peer(stream);
            if (m_streams.count(id))
                service(id);
        }
        bool stopped = false;
        std::set<std::uint64_t> woken;
        {
            std::lock_guard lock(m_mutex);
            stopped = m_stopped;
            woken.swap(m_woken);
        }
        if (stopped)
            break;
        take_new_streams();
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_tick) {
            next_tick = now + k_tick;
            for (const auto& [id, stream] : m_streams) {
                woken.insert(id);
                if (stream->pending() > 0 && now - stream->last_progress > k_stream_stall)
                    stream->over_budget = true; // stalled: cut off like a peer too far behind
            }
        }
        for (const std::uint64_t id : m_ready)
            woken.insert(id);
        m_ready.clear();
        for (const std::uint64_t id : woken)
            if (const auto it = m_streams.find(id); it != m_streams.end()) {
                it->second->woken = !it->second->closing;
                service(id);
            }
    }
    // Going away: each peer gets a close frame if its socket takes one now, then the socket
    // closes. Nobody waits for a peer.
    for (auto& [id, stream] : m_streams) {
        stream->send_close(k_close_going_away, "the server is stopping");
        try {
            stream->connection->write_some(
                std::string_view(stream->out).substr(stream->out_offset));
        } catch (const ConnectionLost&) {
        }
    }
    m_streams.clear();
    std::lock_guard lock(m_mutex);
    m_count = 0;
}

void StreamReactor::take_new_streams() {
    std::vector<std::pair<std::unique_ptr<Connection>, std::shared_ptr<StreamFeed>>> incoming;
    {
        std::lock_guard lock(m_mutex);
        incoming.swap(m_incoming);
    }
    for (auto& [connection, feed] : incoming) {
        const std::uint64_t id = m_next_id++;
        const int fd = connection->fd();
        const int send_buffer = k_stream_send_buffer;
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
        auto stream = std::make_unique<Stream>();
        stream->id = id;
        stream->connection = std::move(connection);
        stream->feed = std::move(feed);
        epoll_event event{};
        event.events = EPOLLIN | EPOLLRDHUP;
        event.data.u64 = id;
        if (::epoll_ctl(m_loop.fd(), EPOLL_CTL_ADD, fd, &event) != 0)
            continue; // no room in the kernel: the stream closes as it goes out of scope
        Stream& added = *stream;
        m_streams.emplace(id, std::move(stream));
        {
            std::lock_guard lock(m_mutex);
            m_count = m_streams.size();
        }
        try {
            const auto next = added.feed->start([this, id] { wake(id); });
            if (next == StreamFeed::Next::going_away)
                added.send_close(k_close_going_away, "the server is stopping");
            else
                added.woken = true;
        } catch (const std::exception& error) {
            log_line(std::string("error: event stream: ") + error.what());
            close_stream(id);
            continue;
        }
        if (!added.connection->input().empty())
            read_peer(added); // frames the peer sent right behind its hello
        if (m_streams.count(id))
            service(id);
    }
}

// Pumps and sends in turns while the peer takes a backlog as fast as it comes, then waits for
// the socket, the feed's wake-up or the next tick. Live events are pumped whatever the output
// holds (a peer that cannot keep up with them passes the budget and is cut off); a backlog only
// while the output has room.
void StreamReactor::service(std::uint64_t id) {
    for (int round = 0; round < k_rounds_per_turn; ++round) {
        const auto it = m_streams.find(id);
        if (it == m_streams.end())
            return;
        Stream& stream = *it->second;
        if (stream.woken || (stream.backlog && stream.has_room()))
            pump(stream);
        if (stream.over_budget) {
            close_stream(id);
            return;
        }
        flush(stream);
        if (!m_streams.count(id))
            return;
        if (!stream.backlog || !stream.has_room())
            return;
    }
    m_ready.insert(id); // a long backlog: more after the other streams had their turn
}

void StreamReactor::pump(Stream& stream) {
    stream.woken = stream.backlog = false;
    if (stream.closing)
        return;
    try {
        const auto next = stream.feed->pump(stream);
        if (next == StreamFeed::Next::going_away)
            stream.send_close(k_close_going_away, "the server is stopping");
        else
            stream.backlog = next == StreamFeed::Next::more;
    } catch (const std::exception& error) {
        log_line(std::string("error: event stream: ") + error.what());
        stream.over_budget = true; // close it: the client resumes from its last seq
    }
}

void StreamReactor::flush(Stream& stream) {
    try {
        while (stream.pending() > 0) {
            const std::size_t sent = stream.connection->write_some(
                std::string_view(stream.out).substr(stream.out_offset));
            if (sent == 0)
                break;
            stream.out_offset += sent;
            stream.last_progress = std::chrono::steady_clock::now();
        }
    } catch (const ConnectionLost&) {
        stream.over_budget = true;
    }
    if (stream.pending() == 0) {
        // Give back what the frames grew: a thousand quiet streams should cost a thousand small
        // structures, not a thousand buffers sized for their busiest moment.
        if (stream.out.capacity() > k_kept_output_capacity)
            std::string().swap(stream.out);
        else
            stream.out.clear();
        stream.out_offset = 0;
        stream.last_progress = std::chrono::steady_clock::now();
    } else if (stream.out_offset > k_stream_low_water) {
        stream.out.erase(0, stream.out_offset);
        stream.out_offset = 0;
    }
    if (stream.over_budget || (stream.closing && stream.pending() == 0))
        close_stream(stream.id);
    else
        watch_writable(stream, stream.pending() > 0);
}

void StreamReactor::watch_writable(Stream& stream, bool writable) {
    if (stream.watching_writable == writable)
        return;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (writable ? EPOLLOUT : 0u);
    event.data.u64 = stream.id;
    ::epoll_ctl(m_loop.fd(), EPOLL_CTL_MOD, stream.connection->fd(), &event);
    stream.watching_writable = writable;
}

// Reads what the peer sent and answers it: a ping gets its pong, a close gets a close and ends
// the stream; text, binary and pongs are ignored.
void StreamReactor::read_peer(Stream& stream) {
    std::string& in = stream.connection->input();
    std::array<char, 16 * 1024> buffer{};
    for (;;) {
        const ssize_t got = ::recv(stream.connection->fd(), buffer.data(), buffer.size(), 0);
        if (got > 0) {
            in.append(buffer.data(), static_cast<std::size_t>(got));
            if (in.size() > 4 * k_max_peer_frame)
                break;
            continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            stream.over_budget = true; // the peer is gone
            stream.closing = true;
            return;
        }
        if (errno != EINTR)
            break;
    }
    for (;;) {
        PeerFrame frame = take_peer_frame(in, k_max_peer_frame);
        switch (frame.status) {
        case PeerFrame::Status::incomplete:
            return;
        case PeerFrame::Status::unmasked:
            stream.send_close(k_close_protocol_error, "client frames must be masked");
            return;
        case PeerFrame::Status::too_large:
            stream.send_close(k_close_too_big, "frame too large");
            return;
        case PeerFrame::Status::whole:
            break;
        }
        const std::string& payload = frame.payload;
        switch (static_cast<WebSocketOpcode>(frame.opcode)) {
        case WebSocketOpcode::close:
            // Echo the peer's status, as RFC 6455 asks, then close once it is sent.
            stream.send_close(payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                                        static_cast<unsigned char>(payload[1])
                                                  : k_close_normal,
                              "");
            return;
        case WebSocketOpcode::ping:
            if (!stream.closing)
                append_frame(stream.out, WebSocketOpcode::pong, payload);
            break;
        case WebSocketOpcode::continuation:
        case WebSocketOpcode::text:
        case WebSocketOpcode::binary:
        case WebSocketOpcode::pong:
            break;
        default:
            stream.send_close(k_close_protocol_error, "unknown opcode");
            return;
        }
    }
}

void StreamReactor::close_stream(std::uint64_t id) {
    const auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    ::epoll_ctl(m_loop.fd(), EPOLL_CTL_DEL, it->second->connection->fd(), nullptr);
    m_streams.erase(it); // the feed unsubscribes; the connection closes and gives back its lease
    m_ready.erase(id);
    std::lock_guard lock(m_mutex);
    m_count = m_streams.size();
}

} // namespace knot::server
