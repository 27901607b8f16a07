// The knot server as one object (see server.hpp).
#include "server.hpp"

#include "context.hpp"
#include "data_dir.hpp"
#include "event_hub.hpp"
#include "integration_agent.hpp"
#include "lease_reaper.hpp"
#include "libknot/error.hpp"
#include "libknot/protocol.hpp"
#include "log.hpp"
#include "request_handler.hpp"
#include "router.hpp"
#include "store.hpp"
#include "views.hpp"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <algorithm>

namespace knot::server {
namespace {

// Connections beyond the threads wait in the queue (bounded, so an overload is refused rather
// than piling up); streams hold their thread for hours, so the thread count is what bounds
// listeners plus concurrent requests (ServerOptions::threads).
constexpr int k_listen_backlog = 256;
constexpr int k_max_queued = 256;
constexpr int k_keep_alive_seconds = 15;

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
    std::unique_ptr<Poco::ThreadPool> pool;
    std::unique_ptr<Poco::Net::HTTPServer> http;
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
                  opts.allow_local_forges,
                  {}}
        , router(context) {
        add_all_routes(router);
        integration = std::make_unique<IntegrationAgent>(
            *store, data_dir.path(), agent_id_of(context.server_public_key),
            opts.integration_workers,
            opts.unsandboxed_checks ? SandboxPolicy::unsandboxed : SandboxPolicy::sandboxed);
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
    Poco::Net::IPAddress address;
    if (!Poco::Net::IPAddress::tryParse(state.options.bind_address, address))
        throw Error("--bind " + state.options.bind_address + " is not an IP address");
    Poco::Net::ServerSocket socket;
    try {
        socket.bind(Poco::Net::SocketAddress(address, state.options.port), true);
        socket.listen(k_listen_backlog);
    } catch (const Poco::Exception& error) {
        throw Error("cannot listen on " + state.options.bind_address + " port " +
                    std::to_string(state.options.port) + ": " + error.displayText());
    }
    const int threads = std::max(state.options.threads, 2);
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(k_max_queued);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(k_keep_alive_seconds, 0));
    params->setServerName("knot-server");
    params->setSoftwareVersion("knot-server/" KNOT_VERSION);
    state.pool = std::make_unique<Poco::ThreadPool>("knot-http", 2, threads + 2);
    state.http = std::make_unique<Poco::Net::HTTPServer>(make_handler_factory(state.router),
                                                         *state.pool, socket, params);
    state.http->start();
    state.reaper = std::make_unique<LeaseReaper>(*state.store);
    state.integration->start();

    const Poco::Net::SocketAddress bound = socket.address();
    const std::string host = bound.family() == Poco::Net::SocketAddress::IPv6
                                 ? "[" + bound.host().toString() + "]"
                                 : bound.host().toString();
    state.url = "http://" + host + ":" + std::to_string(bound.port());
    state.data_dir.write_server_json(state.url, unix_now());
    log_line("knot-server " KNOT_VERSION " listening on " + state.url + ", data in " +
             state.data_dir.path().string());
    return state.url;
}

void Server::stop() {
    State& state = *m_state;
    if (state.http) {
        // First the streams: they wait on the hub, not on their socket, so closing the hub ends
        // them. It must come before stopAll, which waits for every handler that is running
        // (Poco holds each connection's mutex across its handler) and a stream never returns
        // by itself.
        state.hub.shutdown();
        state.http->stopAll(false);
        state.pool->joinAll();
        state.reaper.reset();
        state.integration->stop();
        state.http.reset();
        state.pool.reset();
        state.data_dir.remove_server_json();
        log_line("knot-server stopped");
    }
    state.store.reset();
}

} // namespace knot::server
