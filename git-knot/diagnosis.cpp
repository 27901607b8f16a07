// The checks behind `git knot doctor` (see diagnosis.hpp).
#include "git-knot/diagnosis.hpp"

#include "hooks/agent_starter.hpp"
#include "hooks/hook_installer.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sys/stat.h>

namespace knot {
namespace {

Check check_git() {
    const GitResult git = run_git({"--version"}, ".");
    const std::string version = git.status == 0 ? chomp(git.out) : "";
    int major = 0, minor = 0;
    if (!parse_git_version(version, major, minor))
        return {"git", Verdict::fail, "git not found on PATH", "install git (apt install git)"};
    if (major < k_min_git_major || (major == k_min_git_major && minor < k_min_git_minor))
        return {"git", Verdict::fail, version + " is older than 2.30", "upgrade git"};
    return {"git", Verdict::ok, version, ""};
}

Check check_hooks(const Clone& clone) {
    const auto dir = hooks_dir(clone.repo());
    int installed = 0;
    for (const auto hook : k_knot_hooks) {
        const auto path = dir / std::string(hook);
        std::error_code ec;
        if (std::filesystem::exists(path, ec) && is_knot_shim(read_file(path)))
            ++installed;
    }
    if (installed < static_cast<int>(k_knot_hooks.size()))
        return {"hooks", Verdict::warn,
                std::to_string(installed) + " of 5 knot hooks in " + dir.string() +
                    ": commits and pushes are not all checked against locks",
                "git knot init"};
    return {"hooks", Verdict::ok, std::to_string(installed) + " knot hooks in " + dir.string(), ""};
}

} // namespace

bool parse_git_version(const std::string& text, int& major, int& minor) {
    static const std::regex pattern(R"(git version (\d+)\.(\d+))");
    std::smatch match;
    if (!std::regex_search(text, match, pattern))
        return false;
    major = std::stoi(match[1].str());
    minor = std::stoi(match[2].str());
    return true;
}

std::vector<Check> diagnose() {
    std::vector<Check> checks;
    checks.push_back(check_git());
    std::optional<Clone> clone;
    try {
        clone.emplace(Clone::open());
        checks.push_back({"repository", Verdict::ok, clone->repo().workdir().string(), ""});
    } catch (const Error& e) {
        checks.push_back({"repository", Verdict::fail, e.what(), "cd into a clone"});
        return checks;
    }
    std::optional<Identity> identity;
    if (!clone->has_identity()) {
        checks.push_back({"identity", Verdict::fail, "no key at " + clone->key_path().string(),
                          "git knot init"});
    } else {
        try {
            identity.emplace(clone->identity());
            checks.push_back(
                {"identity", Verdict::ok,
                 identity->fingerprint() + ", " + clone->key_path().string() + " mode 0600", ""});
        } catch (const Error& e) {
            checks.push_back(
                {"identity", Verdict::fail, e.what(), "chmod 600 " + clone->key_path().string()});
        }
    }
    std::optional<RoomConfig> room;
    try {
        room = clone->room();
        if (room)
            checks.push_back({"config", Verdict::ok,
                              "knot.server " + room->server + ", knot.room " + room->room +
                                  ", knot.agent " + room->agent_id,
                              ""});
        else
            checks.push_back({"config", Verdict::warn, "this clone has not joined a room",
                              "git knot join <invite-url>, or git knot up to host one"});
    } catch (const Error& e) {
        checks.push_back({"config", Verdict::fail, e.what(), "git knot join <invite-url>"});
    }
    if (auto remote = clone->repo().remote_url("knot"); room && !remote)
        checks.push_back({"remote", Verdict::warn, "no 'knot' remote", "git knot join again"});
    checks.push_back(check_hooks(*clone));
    if (!room)
        return checks;
    if (agent_disabled(*clone))
        checks.push_back({"agent", Verdict::ok,
                          "off (knot.hookAgent=false): each commit's pre-commit hook runs git-knot",
                          ""});
    else
        checks.push_back({"agent", Verdict::ok,
                          agent_running(*clone)
                              ? "knot-agent answers the pre-commit hook"
                              : "knot-agent not running; the next commit starts it",
                          ""});

    RoomClient client(room->server, room->room, room->token, identity ? &*identity : nullptr,
                      room->agent_id);
    try {
        const auto before = unix_now();
        const auto health = client.health().get<wire::Health>();
        const auto after = unix_now();
        checks.push_back({"server", Verdict::ok,
                          room->server + " answers, protocol " +
                              (health.protocol.empty() ? "?" : health.protocol),
                          ""});
        const long long server_time = health.time;
        const long long skew = server_time - (before + after) / 2;
        const long long magnitude = skew < 0 ? -skew : skew;
        if (magnitude >= k_signature_window_seconds)
            checks.push_back({"clock", Verdict::fail,
                              "this clock is " + std::to_string(skew) +
                                  " s off the server's; signed requests will be refused",
                              "synchronise the clock (timedatectl set-ntp true)"});
        else if (magnitude > 30)
            checks.push_back({"clock", Verdict::warn,
                              "skew " + std::to_string(skew) + " s against the server",
                              "synchronise the clock (timedatectl set-ntp true)"});
        else
            checks.push_back({"clock", Verdict::ok,
                              "skew " + std::to_string(skew) + " s against the server", ""});
    } catch (const Error& e) {
        checks.push_back({"server", Verdict::fail, e.what(),
                          "start it (git knot up on the host) or check the network"});
        return checks;
    }
    try {
        const auto agents = wire::FieldReader(client.get("/agents"), "agents answer")
                                .objects<wire::Agent>("agents");
        bool member = false;
        for (const auto& agent : agents)
            member = member || agent.id == room->agent_id;
        if (member && identity)
            client.post("/heartbeat", nlohmann::json::object());
        checks.push_back(member ? Check{"membership", Verdict::ok,
                                        room->agent_id + " is a member; a signed write passed", ""}
                                : Check{"membership", Verdict::fail,
                                        room->agent_id + " is not a member of " + room->room,
                                        "git knot join <invite-url>"});
    } catch (const Error& e) {
        checks.push_back(
            {"membership", Verdict::fail, e.what(), "ask the host for a fresh invite URL"});
    }
    return checks;
}

} // namespace knot
