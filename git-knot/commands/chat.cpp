// git knot chat: an interactive chat: lines typed are sent, the room's stream shown live; with
// --mode agent, the same as JSON lines for a program (chat_agent).
#include "command.hpp"
#include "git-knot/chat_agent.hpp"
#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <mutex>
#include <thread>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::int64_t history = 20;
    std::string mode = "human";
    app.add_option("--history", history, "How many earlier events to show first")
        ->check(at_least(0))
        ->option_text("n");
    app.add_option("--mode", mode,
                   "human (lines of text) or agent (JSON lines in and out, for a program)")
        ->check(CLI::IsMember({"human", "agent"}))
        ->option_text("mode");
    if (!parse_args(app, args))
        return 0;
    Session session({.outbox = OutboxOnOpen::deliver});
    if (mode == "agent")
        return run_agent_chat(session, history, std::cin, std::cout);
    auto& client = session.client();
    AgentNames names = agent_names_of(client.get("/agents"));
    const std::int64_t last = client.get("").get<wire::Room>().last_seq;
    std::mutex out;
    std::cerr << "knot chat in " << session.room().room
              << ": type a line and press Enter to send; Ctrl-D leaves\n";

    EventStream stream(session.room(), session.identity());
    std::thread listener([&] {
        try {
            stream.follow(
                std::max<std::int64_t>(0, last - history),
                [&](const nlohmann::json& frame) {
                    const auto event = frame.get<wire::Event>();
                    std::lock_guard lock(out);
                    learn_name(names, event);
                    std::cout << event_line(event, names) << std::endl;
                    return true;
                },
                [&](const std::string& state) {
                    std::lock_guard lock(out);
                    if (state != "connected")
                        std::cerr << "knot: stream " << terminal_text(state) << std::endl;
                });
        } catch (const Error& e) {
            std::lock_guard lock(out);
            std::cerr << "git-knot: error: " << e.what() << std::endl;
        }
    });
    for (std::string line; std::getline(std::cin, line);) {
        if (trim_whitespace(line).empty())
            continue;
        try {
            client.post("/messages", {{"text", line}}); // the listener has its own socket
        } catch (const Error& e) {
            std::lock_guard lock(out);
            // The server's words may quote what was sent: no control characters reach the terminal.
            std::cerr << "git-knot: not sent: " << terminal_text(e.what()) << std::endl;
        }
    }
    stream.stop();
    listener.join();
    return 0;
}

const Registration registration{
    {"chat", "Talk in the room: lines typed are sent, the stream is shown live", run}};

} // namespace

} // namespace knot::cli
