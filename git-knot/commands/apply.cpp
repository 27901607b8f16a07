// git knot apply: check a patch against its author's signature, then apply it to the work tree.
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
    Session session;
    const auto workdir = session.clone().repo().workdir();
    const wire::Patch patch = fetch_patch_record(session, id);
    const auto agents = wire::FieldReader(session.client().get("/agents"), "agents answer")
                            .objects<wire::Agent>("agents");
    // The order matters: nothing is fetched into refs or written to the work tree for a patch
    // whose statement its author did not sign.
    verify_patch(patch, session.room().room, agents);
    fetch_patch_commits(workdir, patch);
    const ApplyOutcome outcome = apply_patch_commits(workdir, patch);
    const std::string from = patch.id + " from " + patch.author_name + " (" +
                             patch.base.substr(0, 12) + ".." + patch.tip.substr(0, 12) + ")";
    switch (outcome) {
    case ApplyOutcome::clean:
        std::cout << "applied " << from << ", signature verified\n";
        return 0;
    case ApplyOutcome::three_way:
        std::cout << "applied " << from << " with a 3-way merge (staged), signature verified\n";
        return 0;
    case ApplyOutcome::conflicts:
        std::cout << "applied " << from
                  << " with conflicts: resolve the marked files, signature verified\n";
        return 1;
    }
    return 0;
}

const Registration registration{
    {"apply", "Verify a patch's signature and apply it to your work tree", run}};

} // namespace

} // namespace knot::cli
