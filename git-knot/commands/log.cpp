// git knot log: replay or follow the room's event log, or verify its hash chain.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/event_chain.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <optional>

namespace knot::cli {
namespace {

EventStream* g_stream = nullptr;

void stop_following(int) {
    if (g_stream)
        g_stream->stop();
}

// While alive, SIGINT and SIGTERM stop `stream` (follow() then returns and the command exits
// 0). Made before the history is replayed, so a signal at any moment of --follow ends it so.
struct StopGuard {
    struct sigaction old_int {};
    struct sigaction old_term {};
    explicit StopGuard(EventStream& stream) {
        g_stream = &stream;
        struct sigaction action {};
        action.sa_handler = stop_following;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGINT, &action, &old_int);
        sigaction(SIGTERM, &action, &old_term);
    }
    ~StopGuard() {
        sigaction(SIGINT, &old_int, nullptr);
        sigaction(SIGTERM, &old_term, nullptr);
        g_stream = nullptr;
    }
    StopGuard(const StopGuard&) = delete;
    StopGuard& operator=(const StopGuard&) = delete;
};

// Every event with seq > `since`, fetched a page at a time, passed to `each` in order.
std::int64_t replay(RoomClient& client, std::int64_t since,
                    const std::function<void(const nlohmann::json&)>& each) {
    while (true) {
        const auto page = client.get("/events?since=" + std::to_string(since) + "&limit=1000");
        const wire::FieldReader fields(page, "events answer");
        if (fields.has("events") && !fields.any("events").is_array())
            fields.wrong("events", "an array");
        const nlohmann::json events = fields.any("events", nlohmann::json::array());
        for (const auto& event : events) {
            each(event); // first, so that --verify judges a malformed event before it is read
            since = event.get<wire::Event>().seq;
        }
        if (events.size() < 1000)
            return since;
    }
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::int64_t since = 0;
    std::int64_t count = -1; // -1: every event
    bool follow = false;
    bool json = false;
    bool verify = false;
    app.add_option("--since", since, "Only events after this sequence number")
        ->check(at_least(0))
        ->option_text("seq");
    app.add_option("-n", count, "Only the last N events (0: none; with --follow, only new ones)")
        ->check(at_least(0))
        ->option_text("count");
    app.add_flag("--follow,-f", follow, "Keep printing new events as they happen");
    app.add_flag("--json", json, "One JSON event per line");
    app.add_flag("--verify", verify, "Check the log's hash chain from the first event");
    if (!parse_args(app, args))
        return 0;
    Session session;
    auto& client = session.client();
    if (verify) {
        ChainVerifier verifier;
        std::string broken;
        try {
            replay(client, 0, [&](const nlohmann::json& event) { verifier.check(event); });
        } catch (const Refused& e) {
            if (!json)
                throw;
            broken = e.what();
        }
        if (json) {
            nlohmann::json report = {{"room", session.room().room},
                                     {"verified", broken.empty()},
                                     {"events", verifier.checked()}};
            if (!broken.empty())
                report["error"] = broken;
            std::cout << report.dump() << '\n';
            return broken.empty() ? 0 : 1;
        }
        std::cout << "the log of " << session.room().room << " verifies: " << verifier.checked()
                  << " events, hash chain intact\n";
        return 0;
    }
    EventStream stream(session.room(), session.identity());
    std::optional<StopGuard> stopping;
    if (follow)
        stopping.emplace(stream);
    AgentNames names = agent_names_of(client.get("/agents"));
    if (count >= 0) {
        const std::int64_t last = client.get("").get<wire::Room>().last_seq;
        since = std::max(since, last - count);
    }
    auto print = [&](const nlohmann::json& frame) {
        const auto event = frame.get<wire::Event>();
        learn_name(names, event);
        if (json)
            std::cout << frame.dump() << '\n'; // as the server sent it
        else
            std::cout << event_line(event, names) << '\n';
        std::cout.flush();
        return static_cast<bool>(std::cout); // a reader that went away ends a follow
    };
    since = replay(client, since, print);
    if (!follow)
        return 0;
    stream.follow(since, print, [&](const std::string& state) {
        if (state != "connected")
            std::cerr << "knot: stream " << state << '\n';
    });
    return 0;
}

const Registration registration{
    {"log", "Replay or follow the room's event log; verify its hash chain", run}};

} // namespace

} // namespace knot::cli
