// Small helpers the command files share (see command.hpp).
#include "command.hpp"
#include "libknot/base/error.hpp"
#include "libknot/checks/check_config.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/session.hpp"
#include "libknot/client/sync_summary.hpp"
#include "libknot/git/git_repo.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/repo_path.hpp"
#include "libknot/protocol/wire_integration.hpp"
#include "server_errors.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include <iostream>

namespace knot::cli {

void rethrow_with_conflicts(const HttpError& error) {
    if (error.code() != error_code::lock_conflict)
        rethrow_refusal(error, "; nothing was locked");
    std::string message = "not locked: another agent holds ";
    const auto conflicts = wire::conflicts_in(error.body());
    message += conflicts.size() == 1 ? "this path" : std::to_string(conflicts.size()) + " paths";
    message += "; nothing was locked";
    for (const auto& lock : conflicts)
        message += "\n  " + conflict_line(lock, unix_now());
    message += "\nCoordinate in the room (git knot say ...), or wait for the lease to end.";
    throw Refused(message);
}

std::vector<std::string> repo_paths(const std::vector<std::string>& typed) {
    const auto here = std::filesystem::current_path();
    // Outside a repository (a relay agent) the paths are taken as the repository's own; the
    // server then says what a relay agent may not do with them.
    const std::optional<GitRepo> repo = GitRepo::discover_if_any(here);
    return normalise_repo_paths(typed, here, repo ? repo->workdir() : here);
}

wire::Settings send_check_settings(Session& session, const CheckConfig& config) {
    return send_room_settings(session, &config, forge_of(session.clone().repo()));
}

std::optional<std::string> forge_of(const GitRepo& repo) {
    const SyncMode mode = sync_mode(repo, "");
    if (mode.name != "forge")
        return std::nullopt;
    std::string url = mode.where;
    // A local forge named relative to the clone, as git allows, means nothing to the server.
    if (url.find("://") == std::string::npos && url.find(':') == std::string::npos &&
        !url.empty() && url.front() != '/')
        url = std::filesystem::weakly_canonical(repo.workdir() / url).string();
    return url;
}

wire::Settings send_room_settings(Session& session, const CheckConfig* config,
                                  const std::optional<std::string>& forge) {
    nlohmann::json body = config ? settings_request(*config) : nlohmann::json::object();
    if (forge)
        body["forge_url"] = *forge;
    return session.client().post("/integration/settings", body).get<wire::Settings>();
}

std::string ago(long long unix_time) {
    if (unix_time <= 0)
        return "never";
    const long long seconds = unix_now() - unix_time;
    if (seconds < 60)
        return std::to_string(seconds < 0 ? 0 : seconds) + "s ago";
    if (seconds < 3600)
        return std::to_string(seconds / 60) + "m ago";
    if (seconds < 86400)
        return std::to_string(seconds / 3600) + "h ago";
    return std::to_string(seconds / 86400) + "d ago";
}

} // namespace knot::cli
