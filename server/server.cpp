// The knot server as one object (see server.hpp).
#include "server.hpp"

#include "connection.hpp"
#include "context.hpp"
#include "data_dir.hpp"
#include "event_hub.hpp"
#include "git_store.hpp"
#include "http_listener.hpp"
#include "integration_agent.hpp"
#include "lease_reaper.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/socket_address.hpp"
#include "libknot/protocol/protocol.hpp"
#include "log.hpp"
#include "request_handler.hpp"
#include "router.hpp"
#include "store.hpp"
#include "stream_reactor.hpp"
#include "views.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace knot::server {
namespace {

constexpr int k_listen_backlog = 1024;
// Descriptors kept free of connections for the database, packs, logs and git's pipes.
constexpr rlim_t k_reserved_files = 128;

// Raises the soft limit on open files to the hard limit and returns how many connections fit
// under it.
std::size_t raise_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    const rlim_t files = limit.rlim_cur == RLIM_INFINITY ? 1 << 20 : limit.rlim_cur;
    return static_cast<std::size_t>(std::max<rlim_t>(files, 2 * k_reserved_files) -
                                    k_reserved_files);
}

// A non-blocking listening socket on `address`:`port`; throws knot::Error when it cannot be had.
int listen_on(const std::string& address, std::uint16_t port) {
    const auto where = socket_address(address, port);
    if (!where)
        throw Error("--bind " + address + " is not an IP address");
    const int fd = ::socket(where->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(fd, where->get(), where->size) != 0 || ::listen(fd, k_listen_backlog) != 0) {
        const std::string why = std::strerror(errno);
        if (fd >= 0)
            ::close(fd);
        throw Error("cannot listen on " + address + " port " + std::to_string(port) + ": " + why);
    }
    return fd;
}

// http://ADDR:PORT of the socket `fd` listens on, an IPv6 address in brackets.
std::string url_of(int fd) {
    sockaddr_storage storage{};
    socklen_t size = sizeof storage;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &size);
    char text[INET6_ADDRSTRLEN] = "";
    std::uint16_t port = 0;
    if (storage.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        port = ntohs(v6->sin6_port);
        return "http://[" + std::string(text) + "]:" + std::to_string(port);
    }
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    port = ntohs(v4->sin_port);
    return "http://" + std::string(text) + ":" + std::to_string(port);
}

// A push is recorded before its ref moves (routes/git.cpp, record_and_move), under a lock per
// room, so a kill -9 can leave at most each room's newest recorded push with its ref behind.
// Moves those refs to where the record says; returns how many it moved.
std::size_t settle_pushed_refs(Store& store, const GitStore& git) {
    std::size_t moved = 0;
    for (const std::string& room : git.rooms()) {
        std::vector<RunRecord> newest;
        store.read([&](const Reader& reader) { newest = reader.runs(room, 1); });
        if (!newest.empty() && git.settle_ref(room, newest[0].ref, newest[0].commit_oid))
            ++moved;
    }
    return moved;
}

} // namespace

struct Server::State {
    ServerOptions options;
    DataDir data_dir;
    EventHub hub;
    std::unique_ptr<Store> store;
    ServerContext context;
    Router router;
    std::unique_ptr<LeaseReaper> reaper;
    std::unique_ptr<IntegrationAgent> integration;
    std::unique_ptr<ConnectionLimits> limits;
    StreamReactor streams;
    std::unique_ptr<HttpListener> http;
    std::string url;

    explicit State(const ServerOptions& opts)
        : options(opts)
        , data_dir(opts.data_dir)
        , store(std::make_unique<Store>(data_dir.database_path()))
        , context{*store,
                  data_dir.admin_token(),
                  data_dir.server_identity().public_key(),
                  hub,
                  std::chrono::seconds(opts.heartbeat_seconds),
                  data_dir.path(),
                  ForgePolicy{opts.forge_schemes, opts.allow_private_forges,
                              opts.allow_local_forges, data_dir.path()},
                  {},
                  PackLimits{opts.max_object_bytes, opts.max_pack_expanded_bytes},
                  &options.review,
                  agent_id_of(data_dir.server_identity().public_key())}
        , router(context) {
        add_all_routes(router);
        if (const std::size_t removed = data_dir.remove_crash_leftovers())
            log_line("removed " + std::to_string(removed) +
                     " temporary packs and stale lock files left by a crash");
        if (const std::size_t moved = settle_pushed_refs(*store, GitStore(data_dir.path())))
            log_line("moved " + std::to_string(moved) + " refs to pushes recorded before a crash");
        integration = std::make_unique<IntegrationAgent>(
            *store, data_dir.path(), agent_id_of(context.server_public_key),
            opts.integration_workers,
            opts.unsandboxed_checks ? SandboxPolicy::unsandboxed : SandboxPolicy::sandboxed);
        integration->set_forge_policy(context.forge_policy);
        context.wake_integration = [this] { integration->wake(); };
        // Runs under the store's lock right after each commit: never before, and in seq order.
        store->set_commit_listener(
            [this](const std::vector<EventRecord>& events) { hub.publish(events); });
    }
};

Server::Server(const ServerOptions& options)
    : m_state(std::make_unique<State>(options)) {}

Server::~Server() {
    try {
        stop();
    } catch (...) {
        // A destructor cannot report; stop() already logged what it could.
    }
}

std::string Server::start() {
    State& state = *m_state;
    const std::size_t max_connections = raise_file_limit();
    const int fd = listen_on(state.options.bind_address, state.options.port);
    state.limits = std::make_unique<ConnectionLimits>(
        static_cast<std::size_t>(std::max(state.options.max_connections_per_address, 1)),
        max_connections);
    ListenerOptions listener;
    listener.workers = std::max(state.options.threads, 2);
    listener.head_timeout = std::chrono::seconds(std::max(state.options.head_timeout_seconds, 1));
    state.streams.start();
    state.http = std::make_unique<HttpListener>(
        fd, *state.limits, state.streams, listener,
        [&router = state.router](Connection& connection, const RequestHead& head) {
            return serve_request(connection, head, router);
        });
    state.http->start();
    state.url = url_of(fd);
    if (state.options.review.public_url.empty()) {
        state.options.review.public_url = state.url;
        state.options.review.tunnel_record = state.data_dir.path() / "tunnel.json";
    }
    state.integration->set_review(state.options.review, state.data_dir.server_identity());
    // Review deadlines and lapsed peer claims are swept with the leases, each second.
    state.reaper = std::make_unique<LeaseReaper>(
        *state.store, std::chrono::seconds(1), [&state] { state.integration->wake(); },
        [&state] { return expire_due_reviews(*state.store, state.context.server_agent_id); });
    state.integration->start();

    state.data_dir.write_server_json(state.url, unix_now());
    log_line("knot-server " KNOT_VERSION " listening on " + state.url + ", data in " +
             state.data_dir.path().string());
    return state.url;
}

void Server::stop() {
    State& state = *m_state;
    if (state.http) {
        // First no new work: the listener stops accepting, closes the connections that wait
        // for a request and joins its workers once their requests are answered. Then the
        // streams: the hub closes every subscription and the reactor sends each peer 1001.
        state.http->stop();
        state.hub.shutdown();
        state.streams.stop();
        state.reaper.reset();
        state.integration->stop();
        state.http.reset();
        state.data_dir.remove_server_json();
        log_line("knot-server stopped");
    }
    state.store.reset();
}

} // namespace knot::server
