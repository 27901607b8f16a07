// git knot merge: send an approved patch through the integration pipeline and report its run.
#include "command.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/patch_exchange.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string id;
    bool no_wait = false;
    bool json = false;
    app.add_option("id", id, "The patch id (see git knot patches)")->required();
    app.add_flag("--no-wait", no_wait, "Queue the run and return without waiting for its end");
    app.add_flag("--json", json, "Print the run's ending event as JSON");
    if (!parse_args(app, args))
        return 0;
    require_patch_id(id);
    Session session({.outbox = OutboxOnOpen::deliver});
    const nlohmann::json answer =
        session.client().post("/patches/" + id + "/merge", nlohmann::json::object());
    const wire::FieldReader fields(answer, "merge answer");
    const std::int64_t run = fields.integer("run");
    if (no_wait) {
        if (json)
            std::cout << answer.dump(2) << '\n';
        else
            std::cout << "queued " << id << " as integration run " << run
                      << " (git knot patches shows how it ends)\n";
        return 0;
    }
    if (!json)
        std::cout << "queued " << id << " as integration run " << run << "; waiting for it\n"
                  << std::flush;
    const wire::Event ended = wait_for_run(session, run, fields.integer("seq"));
    if (json)
        std::cout << nlohmann::json(ended).dump(2) << '\n';
    else
        std::cout << describe_event(ended, {}) << '\n';
    return ended.type == "sync.integrated" ? 0 : 1;
}

const Registration registration{
    {"merge", "Integrate an approved patch (merge, checks, review) and report the run", run}};

} // namespace

} // namespace knot::cli
