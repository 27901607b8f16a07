// git knot log: replay or follow the room's event log, or verify its hash chain.
#include "command.hpp"
#include "libknot/error.hpp"
#include "libknot/event_chain.hpp"
#include "libknot/event_format.hpp"
#include "libknot/event_stream.hpp"
#include "libknot/session.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

namespace knot::cli {
namespace {

EventStream* g_stream = nullptr;

void stop_following(int) {
    if (g_stream)
        g_stream->stop();
}

// Every event with seq > `since`, fetched a page at a time, passed to `each` in order.
std::int64_t replay(RoomClient& client, std::int64_t since,
                    const std::function<void(const nlohmann::json&)>& each) {
    while (true) {
        const auto page = client.get("/events?since=" + std::to_string(since) + "&limit=1000");
        const auto& events = page.at("events");
        for (const auto& event : events) {
            each(event); // first, so that --verify judges a malformed event before it is read
            since = event.at("seq").get<std::int64_t>();
        }
        if (events.size() < 1000)
            return since;
    }
}

// Recomputes the chain from the first event; returns the number of events checked or throws
// knot::Refused at the first event whose link or hash does not match.
std::int64_t verify_chain(RoomClient& client) {
    ChainVerifier verifier;
    replay(client, 0, [&](const nlohmann::json& event) { verifier.check(event); });
    return verifier.checked();
}

} // namespace

int cmd_log(const std::vector<std::string>& args) {
    CLI::App app{"Replay or follow the room's event log; verify its hash chain", "log"};
    std::int64_t since = 0;
    std::int64_t count = 0;
    bool follow = false;
    bool json = false;
    bool verify = false;
    app.add_option("--since", since, "Only events after this sequence number");
    app.add_option("-n", count, "Only the last N events");
    app.add_flag("--follow,-f", follow, "Keep printing new events as they happen");
    app.add_flag("--json", json, "One JSON event per line");
    app.add_flag("--verify", verify, "Check the log's hash chain from the first event");
    if (!parse_args(app, args))
        return 0;
    Session session;
    auto& client = session.client();
    if (verify) {
        const auto checked = verify_chain(client);
        std::cout << "the log of " << session.room().room << " verifies: " << checked
                  << " events, hash chain intact\n";
        return 0;
    }
    AgentNames names = agent_names(client.get("/agents").at("agents"));
    if (count > 0) {
        const std::int64_t last = client.get("").value("last_seq", 0LL);
        since = std::max(since, last - count);
    }
    auto print = [&](const nlohmann::json& event) {
        if (json_text(event, "type") == "agent.joined")
            names[json_text(event, "agent")] = json_text(event.at("data"), "name");
        if (json)
            std::cout << event.dump() << '\n';
        else
            std::cout << event_line(event, names) << '\n';
        std::cout.flush();
        return static_cast<bool>(std::cout); // a reader that went away ends a follow
    };
    since = replay(client, since, print);
    if (!follow)
        return 0;
    EventStream stream(session.room(), session.identity());
    g_stream = &stream;
    std::signal(SIGINT, stop_following);
    std::signal(SIGTERM, stop_following);
    stream.follow(since, print, [&](const std::string& state) {
        if (state != "connected")
            std::cerr << "knot: stream " << state << '\n';
    });
    return 0;
}

} // namespace knot::cli
