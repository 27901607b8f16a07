// git knot say: send one message to the room.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> words;
    app.add_option("message", words, "The message")->required();
    if (!parse_args(app, args))
        return 0;
    std::string text;
    for (const auto& w : words)
        text += (text.empty() ? "" : " ") + w;
    Session session({.outbox = OutboxOnOpen::deliver});
    const auto answer = session.client().post("/messages", {{"text", text}});
    const auto event =
        wire::FieldReader(answer, "message answer").require({"event"}).object<wire::Event>("event");
    std::cout << "sent #" << event.seq << '\n';
    return 0;
}

const Registration registration{{"say", "Send one message to the room", run}};

} // namespace

} // namespace knot::cli
