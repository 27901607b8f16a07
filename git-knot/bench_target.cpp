// What `git knot bench` runs against (see bench_target.hpp).
#include "git-knot/bench_target.hpp"

#include "git-knot/bench_load.hpp"
#include "git-knot/server_launcher.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/base/process.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/room_client.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace knot {
namespace {

std::filesystem::path new_temporary_directory() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec)
        base = "/tmp";
    std::string pattern = (base / "knot-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw Error("cannot create a temporary directory in " + base.string());
    return pattern;
}

} // namespace

ThrowawayServer::ThrowawayServer(const std::filesystem::path& data_dir)
    : m_data_dir(data_dir.empty() ? new_temporary_directory() : std::filesystem::absolute(data_dir))
    , m_remove(data_dir.empty()) {
    try {
        if (auto running = running_server(m_data_dir))
            throw Refused("a knot server already runs on " + m_data_dir.string() + " (pid " +
                          std::to_string(running->pid) + "); give another --server-dir");
        // Every agent holds two connections from 127.0.0.1 (its requests and its stream), more
        // than the server's default per address allows for a few hundred agents.
        const RunningProcess server = start_server_background(
            find_program_beside_self("knot-server"), m_data_dir, 0, "127.0.0.1",
            PushedChecks::sandboxed, {},
            {"--max-connections-per-address", std::to_string(2 * k_max_bench_agents + 64)});
        m_pid = server.pid;
        const std::string admin = read_file(m_data_dir / "admin.token").substr(0, 64);
        const wire::RoomCreated room =
            RoomClient::create_room(server.url, admin, Identity::generate(), "bench",
                                    wire::AgentCard{"bench-owner", "other", {}, ""});
        m_invite = {server.url, room.room, room.token};
    } catch (...) {
        stop();
        throw;
    }
}

ThrowawayServer::~ThrowawayServer() {
    stop();
}

void ThrowawayServer::stop() {
    if (m_pid > 0)
        stop_process(m_pid, std::chrono::seconds(15));
    m_pid = 0;
    std::error_code ec;
    if (m_remove)
        std::filesystem::remove_all(m_data_dir, ec);
    m_remove = false;
}

std::string server_version(const Invite& invite) {
    RoomClient client(invite.base_url, invite.room, invite.token, nullptr, "");
    const auto health = client.health();
    return health.is_object() && health.contains("version") && health["version"].is_string()
               ? health["version"].get<std::string>()
               : "unknown";
}

BenchConditions bench_conditions(const Invite& invite, const ThrowawayServer* local) {
    BenchConditions conditions;
    conditions.server_version = server_version(invite);
    conditions.target = local ? "local" : invite.base_url;
    conditions.server_dir = local ? local->data_dir().string() : "";
    conditions.tls = invite.base_url.rfind("https://", 0) == 0;
    return conditions;
}

std::filesystem::path default_trials_path() {
    try {
        return Clone::open().knot_dir() / "bench" / "trials.jsonl";
    } catch (const Error&) {
        // Not in a repository: the user's data directory.
    }
    const char* data = std::getenv("XDG_DATA_HOME");
    if (data && std::filesystem::path(data).is_absolute())
        return std::filesystem::path(data) / "knot" / "bench" / "trials.jsonl";
    const char* home = std::getenv("HOME");
    if (home && std::filesystem::path(home).is_absolute())
        return std::filesystem::path(home) / ".local" / "share" / "knot" / "bench" / "trials.jsonl";
    throw Error("outside a repository, with neither XDG_DATA_HOME nor HOME set: give --out FILE");
}

} // namespace knot
