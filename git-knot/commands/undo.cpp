// git knot undo: move refs/knot/integration back one integration, signed and recorded as
// integration.undone (and, in forge mode, on the forge too); stackable, down to the room's base,
// and the undone agent's next push integrates again.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/wire_integration.hpp"
#include "server_errors.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    app.add_flag("--json", json, "Print the server's answer as JSON");
    if (!parse_args(app, args))
        return 0;
    Session session;
    // The integration this agent has seen: a teammate's integration landing in between makes the
    // server refuse (stale_integration) rather than undo something nobody here looked at.
    const std::string current = session.client()
                                    .get("/integration?limit=1")
                                    .get<wire::Integration>()
                                    .integration.value_or("");
    nlohmann::json body = nlohmann::json::object();
    if (!current.empty())
        body["expect"] = current;
    nlohmann::json answer;
    try {
        answer = session.client().post("/integration/undo", body);
    } catch (const HttpError& e) {
        if (e.code() == error_code::nothing_to_undo)
            throw Refused("nothing to undo: " + std::string(e.what()));
        rethrow_refusal(e, e.code() == error_code::stale_integration
                               ? " (it moved meanwhile); look at git knot check --history, then "
                                 "try again"
                               : "");
    }
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    const auto undo = answer.get<wire::Undo>();
    std::cout << "refs/knot/integration: " << undo.from.substr(0, 7) << " -> "
              << undo.to.substr(0, 7) << " (undid run " << undo.run << ": " << undo.agent << "@"
              << undo.commit.substr(0, 7) << ")\n"
              << "Fetch the reverted state, here and in teammates' clones: git knot sync "
                 "--pull-only\n"
              << undo.agent
              << "'s next push is integrated again; git knot undo again steps back further.\n";
    const std::string forge = undo.forge.value_or("");
    if (forge == "pushed")
        std::cout << "The forge's refs/knot/integration moved back too.\n";
    else if (forge == "failed")
        std::cerr << "git-knot: warning: the server could not move the forge's "
                     "refs/knot/integration back (git knot log says why): a fetch from the forge "
                     "still brings the undone integration\n";
    return 0;
}

const Registration registration{
    {"undo", "Move refs/knot/integration back one integration (signed, recorded)", run}};

} // namespace

} // namespace knot::cli
