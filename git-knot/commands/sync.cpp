// git knot sync: push HEAD to this agent's ref, fetch every agent's refs, show who changed
// what; --watch does it again whenever a teammate pushes.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "libknot/client/sync_summary.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/wire.hpp"

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace knot::cli {
namespace {

// How often --watch syncs while the event stream is down.
constexpr auto k_poll_interval = std::chrono::seconds(30);

std::atomic<bool> g_stopping{false};
EventStream* g_stream = nullptr;

void stop_watching(int) {
    g_stopping = true;
    if (g_stream)
        g_stream->stop();
}

enum class Direction { both, push_only, pull_only };

struct Syncer {
    Session& session;
    Direction direction;
    bool json;
    std::string agent;
    std::filesystem::path workdir;

    // One sync; `push` says whether to push this time. Prints the summary.
    void run(bool push) {
        SyncSummary summary;
        summary.mode = sync_mode(session.clone().repo(), session.room().server);
        // In forge mode the push reaches the forge with the server down (its notification
        // waits in the outbox) and the forge has every agent's refs: only hosted mode needs
        // the server to sync at all.
        if (push && direction != Direction::pull_only)
            summary.pushed = push_head(workdir, agent);
        if (direction != Direction::push_only) {
            try {
                fetch_refs(workdir);
                summary.fetched_from = "knot";
            } catch (const UnreachableError&) {
                if (summary.mode.name != "forge")
                    throw;
                fetch_refs_from_forge(workdir, summary.mode.remote);
                summary.fetched_from = summary.mode.remote;
                summary.server_reachable = false;
            }
            summary.fetched = true;
        }
        summary.teammates = teammate_refs(workdir, agent);
        if (summary.server_reachable) {
            try {
                summary.integration =
                    integration_state(session.client().get("/integration?limit=1"));
            } catch (const UnreachableError&) {
                summary.server_reachable = false;
            } catch (const Error&) { // the summary leaves out what the server would not say
            }
        }
        summary.queued = session.outbox().size();
        if (json)
            std::cout << summary_json(summary).dump() << '\n';
        else
            std::cout << summary_text(summary);
        std::cout.flush();
    }

    // What a sync in --watch does: pushes only when HEAD moved since our ref was last set, and
    // reports a failure instead of ending the watch.
    void run_in_watch() {
        try {
            bool moved = true;
            try {
                const std::string ref = own_ref(workdir, agent);
                const auto head = run_git({"rev-parse", "-q", "--verify", "HEAD"}, workdir);
                const auto ours = run_git({"rev-parse", "-q", "--verify", ref}, workdir);
                moved = ours.status != 0 || head.out != ours.out;
            } catch (const Error&) {
                moved = false; // detached or unborn: pull, and say nothing about pushing
            }
            run(moved);
        } catch (const Error& e) {
            std::cerr << "git-knot: sync: " << e.what() << '\n';
        }
    }
};

void watch(Syncer& syncer, Session& session, std::int64_t since) {
    EventStream stream(session.room(), session.identity());
    g_stream = &stream;
    std::signal(SIGINT, stop_watching);
    std::signal(SIGTERM, stop_watching);

    std::mutex syncing;
    std::atomic<bool> connected{true};
    // While the stream is down, sync every 30 s; the stream reconnects itself meanwhile.
    std::thread poller([&] {
        auto next = std::chrono::steady_clock::now() + k_poll_interval;
        while (!g_stopping) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            const auto now = std::chrono::steady_clock::now();
            if (connected) {
                next = now + k_poll_interval;
                continue;
            }
            if (now < next)
                continue;
            next = now + k_poll_interval;
            std::lock_guard lock(syncing);
            syncer.run_in_watch();
        }
    });
    const std::string self = session.room().agent_id;
    try {
        stream.follow(
            since,
            [&](const nlohmann::json& frame) {
                const auto event = frame.get<wire::Event>();
                if (event.type != "sync.pushed" || event.agent == self)
                    return true;
                std::lock_guard lock(syncing);
                if (!syncer.json)
                    std::cout << "\n↻ " << json_text(event.data, "ref") << " moved to "
                              << json_text(event.data, "new").substr(0, 8) << '\n';
                syncer.run_in_watch();
                return !g_stopping;
            },
            [&](const std::string& state) {
                connected = state == "connected";
                if (!connected)
                    std::cerr << "knot: stream " << state << "; syncing every 30 s meanwhile\n";
            });
    } catch (...) {
        g_stopping = true;
        poller.join();
        g_stream = nullptr;
        throw;
    }
    g_stopping = true;
    poller.join();
    g_stream = nullptr;
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool push_only = false;
    bool pull_only = false;
    bool json = false;
    bool watching = false;
    auto* push_flag = app.add_flag("--push-only", push_only, "Push without fetching");
    app.add_flag("--pull-only", pull_only, "Fetch without pushing")->excludes(push_flag);
    app.add_flag("--json", json, "The summary as one JSON object (one per line with --watch)");
    app.add_flag("--watch,-w", watching,
                 "Keep syncing whenever a teammate pushes (woken by the room's events)");
    if (!parse_args(app, args))
        return 0;
    if (watching && push_only)
        throw UsageError("--watch syncs when teammates push, which --push-only would ignore");

    Session session({.outbox = OutboxOnOpen::deliver});
    Syncer syncer{session,
                  push_only   ? Direction::push_only
                  : pull_only ? Direction::pull_only
                              : Direction::both,
                  json, session.clone().agent_name(), session.clone().repo().workdir()};
    // Read before the first sync, so a push made during it still wakes the watch.
    const std::int64_t since = watching ? session.client().get("").get<wire::Room>().last_seq : 0;
    syncer.run(true);
    if (watching)
        watch(syncer, session, since);
    return 0;
}

const Registration registration{
    {"sync", "Push your branch, fetch your teammates' and show who changed what", run}};

} // namespace

} // namespace knot::cli
