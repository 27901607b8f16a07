// Pushing refs/knot/integration back to the room's forge (see integration_forge.hpp).
#include "integration_forge.hpp"

#include "api_error.hpp"
#include "forge_policy.hpp"
#include "integration_git.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/protocol.hpp"
#include "log.hpp"
#include "room_repository.hpp"
#include "store.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>

namespace knot::server {
namespace {

// One mutex per room for the whole process: two pushes of a room never overlap, so the later one
// always sends the later position.
std::mutex& forge_push_mutex(const std::string& room_id) {
    static std::mutex guard;
    static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
    const std::lock_guard lock(guard);
    auto& slot = mutexes[room_id];
    if (!slot)
        slot = std::make_unique<std::mutex>();
    return *slot;
}

} // namespace

ForgePushOutcome push_integration_to_forge(const ForgePushEnvironment& environment,
                                           const std::string& room_id, nlohmann::json data) {
    std::string forge;
    environment.store.read(
        [&](const Reader& reader) { forge = reader.check_settings(room_id).forge_url; });
    if (forge.empty())
        return ForgePushOutcome::no_forge;
    const std::lock_guard serial(forge_push_mutex(room_id));
    const RoomRepository repo(environment.data_dir, room_id);
    const std::string integration = IntegrationRepo(repo.path()).integration();
    if (integration.empty())
        return ForgePushOutcome::no_forge;
    data["integration"] = integration;
    data["forge"] = forge_display(forge);
    std::string type = "integration.forge_pushed";
    try {
        const ForgeTarget target = check_forge(environment.policy, forge);
        std::vector<std::string> args = {repo.git_dir_option()};
        args.insert(args.end(), target.git_options.begin(), target.git_options.end());
        args.insert(args.end(), {"push", "--quiet", "--force", "--", target.url,
                                 integration + ":" + std::string(k_integration_ref)});
        const GitResult pushed = run_git(args, environment.data_dir);
        if (pushed.status != 0) {
            type = "integration.forge_push_failed";
            data["error"] = "the forge refused the push or could not be reached";
            log_line("integration: cannot push refs/knot/integration to " + forge + ": " +
                     pushed.err.substr(0, pushed.err.find('\n')));
        }
    } catch (const ApiError& refusal) {
        type = "integration.forge_push_failed";
        data["error"] = refusal.what();
    }
    environment.store.write([&](Transaction& transaction) {
        transaction.append_event(room_id, type, environment.server_agent_id, unix_now(),
                                 data.dump());
    });
    return type == "integration.forge_pushed" ? ForgePushOutcome::pushed : ForgePushOutcome::failed;
}

} // namespace knot::server
