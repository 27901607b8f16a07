// The front of the server: one epoll thread accepts connections, counts them per address, and
// reads each request head within a deadline; only a complete, well-formed head is handed to
// a worker thread. An idle or slow connection therefore holds no worker, and the workers only
// ever wait on clients that already sent a whole head (their bodies have deadlines too).
#pragma once

#include "request_handler.hpp"
#include "wakeable_epoll.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace knot::server {

class Connection;
class ConnectionLimits;
class StreamReactor;
struct RequestHead;

struct ListenerOptions {
    // Threads that serve requests at once.
    int workers = 64;
    // Requests with a complete head that may wait for a worker; past it the listener answers
    // 503 busy.
    std::size_t max_waiting = 1024;
    // The whole request head must arrive within this, counted from the connection's accept
    // or, on a kept-alive connection, from the head's first byte. Past it the connection is
    // closed (with 408 when part of a head had come).
    std::chrono::milliseconds head_timeout{10000};
    // A kept-alive connection with no request for this long is closed.
    std::chrono::milliseconds idle_timeout{15000};
};

class HttpListener {
public:
    // Serves the listening socket `listen_fd` (taken over and closed by stop()): each request
    // through `serve`, each upgraded connection then on `streams`. `limits` and `streams` must
    // outlive the listener.
    using Serve = std::function<Served(Connection&, const RequestHead&)>;
    HttpListener(int listen_fd, ConnectionLimits& limits, StreamReactor& streams,
                 ListenerOptions options, Serve serve);
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    // Starts the listener's thread and the workers. Throws std::system_error when it cannot.
    void start();
    // Stops accepting and closes the connections waiting for a request, lets each worker finish
    // the request it serves, and joins every thread. Safe to call twice.
    void stop();

private:
    struct Waiting;
    struct Job;
    void run();
    void accept_all();
    void on_readable(int fd);
    void parse_input(int fd);
    void refuse(int fd, std::string_view response);
    void close_waiting(int fd);
    void expire(std::chrono::steady_clock::time_point now);
    void take_resumed();
    // Tracks `connection` until its next head comes; `registered` when its worker already
    // added it to the epoll set (resume).
    void watch(std::unique_ptr<Connection> connection, bool kept_alive, bool registered = false);
    void work();
    // Takes the client's next request on a kept-alive connection when it is already there.
    bool next_request(Job& job);
    // Hands a kept-alive connection back from a worker, to wait for its next request.
    void resume(std::unique_ptr<Connection> connection);

    int m_listen_fd;
    ConnectionLimits& m_limits;
    StreamReactor& m_streams;
    const ListenerOptions m_options;
    const Serve m_serve;
    WakeableEpoll m_loop;
    std::thread m_thread;
    std::vector<std::thread> m_workers;

    std::mutex m_mutex; // guards what follows, up to m_stopped
    std::condition_variable m_work_ready;
    std::deque<std::unique_ptr<Job>> m_jobs;
    struct Resumed {
        std::unique_ptr<Connection> connection;
        bool registered = false;
    };
    std::vector<Resumed> m_resumed;
    bool m_stopped = false;

    // Owned by the listener's thread: connections waiting for (the rest of) a request head, and
    // refused ones lingering until their answer is read.
    std::map<int, std::unique_ptr<Waiting>> m_waiting;
    std::chrono::steady_clock::time_point m_accept_paused_until;
};

} // namespace knot::server
