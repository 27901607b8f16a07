// git knot locks: the room's live locks, who holds them and until when.
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    bool mine = false;
    int lease = 0;
    app.add_flag("--json", json, "Print JSON");
    app.add_flag("--mine", mine, "Only the locks this agent holds");
    app.add_option("--lease", lease, "Set the room's lease in seconds (room owner only)")
        ->check(CLI::Range(1, 86400))
        ->option_text("seconds");
    if (!parse_args(app, args))
        return 0;
    Session session;
    if (lease > 0) {
        session.client().post("/settings", {{"lease_seconds", lease}});
        std::cout << "locks now last " << lease << " s unless renewed\n";
        return 0;
    }
    nlohmann::json answer = session.client().get("/locks");
    std::vector<wire::Lock> locks;
    for (auto& lock : wire::FieldReader(answer, "locks answer").objects<wire::Lock>("locks"))
        if (!mine || lock.agent == session.room().agent_id)
            locks.push_back(std::move(lock));
    if (json) {
        answer["locks"] = locks;
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    if (locks.empty()) {
        std::cout << "no locks\n";
        return 0;
    }
    const auto now = unix_now();
    for (const auto& lock : locks) {
        std::string path = lock.path;
        std::string holder = lock.agent_name;
        path.resize(std::max<std::size_t>(path.size(), 28), ' ');
        holder.resize(std::max<std::size_t>(holder.size(), 14), ' ');
        std::cout << path << ' ' << holder << " #" << lock.fencing << "  "
                  << relative_time(lock.expires_at, now);
        if (lock.agent == session.room().agent_id)
            std::cout << "  ← you";
        if (!lock.intent.empty())
            std::cout << "  (" << lock.intent << ")";
        std::cout << '\n';
    }
    return 0;
}

const Registration registration{{"locks", "List the room's live locks", run}};

} // namespace

} // namespace knot::cli
