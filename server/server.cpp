// The knot server as one object (see server.hpp).
#include "server.hpp"

#include "context.hpp"
#include "data_dir.hpp"
#include "event_hub.hpp"
#include "git_store.hpp"
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
                  ForgePolicy{opts.forge_schemes, opts.allow_private_forges,
                              opts.allow_local_forges, data_dir.path()},
                  {},
                  PackLimits{opts.max_object_bytes, opts.max_pack_expanded_bytes}}
        , router(context) {
        add_all_routes(router);
        if (const std::size_t removed = data_dir.remove_crash_leftovers())
            log_line("removed " + std::to_string(removed) +
                     " temporary packs and stale lock files left by a crash");
        if (const std::size_t moved =
                settle_pushed_refs(*store, GitStore(data_dir.path() / "repos")))
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
