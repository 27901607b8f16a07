// git knot reject: reject a submitted patch with a reason, signed as this agent.
#include "command.hpp"
#include "libknot/client/patch_exchange.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string id;
    std::string reason;
    app.add_option("id", id, "The patch id (see git knot patches)")->required();
    app.add_option("--reason", reason, "Why, for the author (one line)")
        ->required()
        ->option_text("text");
    if (!parse_args(app, args))
        return 0;
    require_patch_id(id);
    Session session({.outbox = OutboxOnOpen::deliver});
    const auto patch =
        wire::FieldReader(session.client().post("/patches/" + id + "/reject", {{"reason", reason}}),
                          "reject answer")
            .object<wire::Patch>("patch");
    std::cout << "rejected " << patch.id << " by " << patch.author_name << ": " << reason
              << "\n  it cannot merge while your rejection stands (git knot approve " << patch.id
              << " replaces it)\n";
    return 0;
}

const Registration registration{{"reject", "Reject a submitted patch with a reason (signed)", run}};

} // namespace

} // namespace knot::cli
