// git knot approve: approve another agent's submitted patch, signed as this agent.
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
    app.add_option("id", id, "The patch id (see git knot patches)")->required();
    if (!parse_args(app, args))
        return 0;
    require_patch_id(id);
    Session session({.outbox = OutboxOnOpen::deliver});
    const auto patch = wire::FieldReader(session.client().post("/patches/" + id + "/approve",
                                                               nlohmann::json::object()),
                                         "approve answer")
                           .object<wire::Patch>("patch");
    std::cout << "approved " << patch.id << " by " << patch.author_name << " (+" << patch.approvals
              << " -" << patch.rejections << ")\n";
    return 0;
}

const Registration registration{
    {"approve", "Approve another agent's submitted patch (signed)", run}};

} // namespace

} // namespace knot::cli
