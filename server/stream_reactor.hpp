// The one thread that serves every event stream: upgraded WebSockets on epoll, with
// non-blocking sends and a bounded output per stream, so a stream holds no worker thread and a
// peer that stops reading costs a bounded amount of memory and is then cut off.
#pragma once

#include "wakeable_epoll.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

namespace knot::server {

class Connection;
class StreamFeed;

// A stream's feed adds catch-up frames only while less than this is waiting to be sent.
constexpr std::size_t k_stream_low_water = 64 * 1024;
// A stream whose unsent output passes this while it was already above the low water (live
// events arriving faster than the peer reads) is closed at once; the client resumes from the
// last seq it read. One frame larger than the budget may still be queued on a drained stream.
constexpr std::size_t k_stream_output_budget = 256 * 1024;
// A stream with output waiting that the peer takes none of for this long is closed.
constexpr std::chrono::seconds k_stream_stall{10};
// The kernel's send buffer per stream (the kernel doubles it), instead of its autotuning up to
// megabytes: events are small and a slow peer's backlog belongs to the store, not to buffers.
constexpr int k_stream_send_buffer = 64 * 1024;

class StreamReactor {
public:
    StreamReactor();
    // Stops the thread if it still runs.
    ~StreamReactor();
    StreamReactor(const StreamReactor&) = delete;
    StreamReactor& operator=(const StreamReactor&) = delete;

    // Starts the thread. Throws std::system_error when epoll or the thread cannot be had.
    void start();
    // Serves `feed` on `connection`, whose upgrade was answered (any bytes the peer sent after
    // its hello are in connection->input()). Any thread. After stop(), closes the connection.
    void add(std::unique_ptr<Connection> connection, std::shared_ptr<StreamFeed> feed);
    // Sends every stream a close frame (1001, going away) as far as its socket takes it, closes
    // them all and joins the thread. Safe to call twice.
    void stop();
    // Streams open now (for tests and the log).
    std::size_t stream_count();

private:
    struct Stream;
    void run();
    void wake(std::uint64_t id);
    void take_new_streams();
    void service(std::uint64_t id);
    void pump(Stream& stream);
    void flush(Stream& stream);
    void read_peer(Stream& stream);
    void close_stream(std::uint64_t id);
    void watch_writable(Stream& stream, bool writable);

    WakeableEpoll m_loop;
    std::thread m_thread;
    std::mutex m_mutex; // guards the members up to m_stopped
    std::vector<std::pair<std::unique_ptr<Connection>, std::shared_ptr<StreamFeed>>> m_incoming;
    std::set<std::uint64_t> m_woken;
    bool m_stopped = false;
    std::size_t m_count = 0;
    // Owned by the reactor's thread.
    std::map<std::uint64_t, std::unique_ptr<Stream>> m_streams;
    std::set<std::uint64_t> m_ready; // streams with more to send and room to send it
    std::uint64_t m_next_id = 1;
};

} // namespace knot::server
