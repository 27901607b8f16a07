// Hosting a room from a clone (see room_host.hpp).
#include "git-knot/room_host.hpp"

#include "git-knot/onboarding.hpp"
#include "git-knot/server_launcher.hpp"
#include "hooks/hook_installer.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/invite.hpp"
#include "libknot/protocol/wire.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

namespace knot {
namespace {

std::string local_url_for(const std::string& listen_url, const std::string& bind) {
    // A server bound to every address is reached locally through loopback.
    if (bind == "0.0.0.0")
        return std::string(listen_url).replace(listen_url.find("0.0.0.0"), 7, "127.0.0.1");
    if (bind == "::")
        return std::string(listen_url).replace(listen_url.find("[::]"), 4, "[::1]");
    return listen_url;
}

std::string lan_url_for(const std::string& local_url, const std::string& bind) {
    if (bind != "0.0.0.0" && bind != "::")
        return local_url;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0)
        return local_url;
    const auto port = local_url.substr(local_url.rfind(':'));
    return "http://" + std::string(host) + port;
}

// The room this clone already hosts from `url`, if the server knows it and the token works.
bool room_still_valid(const RoomConfig& room, const std::string& url) {
    try {
        RoomClient client(url, room.room, room.token, nullptr, room.agent_id);
        client.get("");
        return true;
    } catch (const HttpError&) {
        return false;
    }
}

// What the last `up` from a data directory left for the next one: <data>/host.json.
struct HostRecord {
    int port = 0;
    std::string public_url;
};

std::optional<HostRecord> read_host_record(const std::filesystem::path& data_dir) {
    std::error_code ec;
    if (!std::filesystem::exists(data_dir / "host.json", ec))
        return std::nullopt;
    const auto record = nlohmann::json::parse(read_file(data_dir / "host.json"), nullptr, false);
    if (!record.is_object() || !record.contains("port") || !record["port"].is_number_integer() ||
        !record.contains("public_url") || !record["public_url"].is_string())
        return std::nullopt;
    const int port = record["port"].get<int>();
    if (port <= 0 || port > 65535)
        return std::nullopt;
    return HostRecord{port, record["public_url"].get<std::string>()};
}

// The port to start the server on: one asked for (other than 0) as it is; else the room's own
// when it had one and it is free; else any free one (0) or the default. Sets `taken_port` when
// the room's port is held by another program, and throws knot::Error when a port asked for is.
int port_to_listen_on(const HostOptions& options, const std::optional<HostRecord>& previous,
                      int& taken_port) {
    if (options.port.value_or(0) != 0) {
        if (!port_is_free(options.bind, *options.port))
            throw Error("port " + std::to_string(*options.port) + " on " + options.bind +
                        " is taken by another program: free it, or choose another with --port "
                        "(0: the room's own port, else any free one)");
        return *options.port;
    }
    if (previous) {
        if (port_is_free(options.bind, previous->port))
            return previous->port;
        taken_port = previous->port;
        return 0;
    }
    return options.port ? 0 : k_default_port;
}

} // namespace

std::filesystem::path host_data_dir(const Clone& clone) {
    if (auto dir = clone.repo().config_get("knot.serverdata"))
        return *dir;
    return clone.default_server_dir();
}

HostedRoom host_room(Clone& clone, const HostOptions& options) {
    if (!clone.repo().has_commits())
        throw Error("this repository has no commits yet: make one (git commit --allow-empty -m "
                    "start) and run 'git knot up' again");
    HostedRoom hosted;
    hosted.data_dir = options.data_dir.empty() ? host_data_dir(clone) : options.data_dir;
    hosted.data_dir = std::filesystem::absolute(hosted.data_dir);
    if (auto running = running_server(hosted.data_dir))
        throw Refused("a knot server is already running for this repository (pid " +
                      std::to_string(running->pid) + ", " + running->url +
                      "); 'git knot down' stops it");
    const Identity identity = clone.has_identity() ? clone.identity() : clone.create_identity();
    const auto previous = read_host_record(hosted.data_dir);
    const int port = port_to_listen_on(options, previous, hosted.taken_port);

    const auto program = find_program_beside_self("knot-server");
    const RunningProcess server =
        start_server_background(program, hosted.data_dir, port, options.bind, options.checks,
                                {options.review.anthropic_key, options.review.webhook_url,
                                 options.public_url, options.review.webhook_key});
    hosted.server_pid = server.pid;
    try {
        hosted.local_url = local_url_for(server.url, options.bind);
        auto existing = clone.room();
        const std::string name = clone.agent_name();
        const std::string kind = clone.agent_kind();
        if (existing && room_still_valid(*existing, hosted.local_url)) {
            hosted.room = existing->room;
            existing->server = hosted.local_url;
            RoomClient client(hosted.local_url, existing->room, existing->token, &identity, "");
            client.register_agent({name, kind, {"code", "host"}, ""});
        } else {
            const std::string admin = read_file(hosted.data_dir / "admin.token").substr(0, 64);
            std::string room_name = options.room_name;
            if (room_name.empty())
                room_name = clone.repo().workdir().lexically_normal().filename().string();
            if (room_name.empty())
                room_name = clone.repo().workdir().parent_path().filename().string();
            if (room_name.empty())
                room_name = "knot";
            const wire::RoomCreated created = RoomClient::create_room(
                hosted.local_url, admin, identity, room_name, {name, kind, {"code", "host"}, ""});
            existing = RoomConfig{hosted.local_url, created.room, created.token, created.agent.id};
            hosted.room = existing->room;
            hosted.created = true;
        }

        hosted.public_url = options.public_url;
        if (hosted.public_url.empty() && options.tunnel == TunnelMode::automatic) {
            if (auto cloudflared = find_on_path("cloudflared")) {
                const RunningProcess tunnel = start_tunnel(
                    *cloudflared, hosted.data_dir, hosted.local_url, std::chrono::seconds(30));
                hosted.tunnel_pid = tunnel.pid;
                hosted.public_url = tunnel.url;
            }
        }
        if (hosted.public_url.empty())
            hosted.public_url = lan_url_for(hosted.local_url, options.bind);
        while (!hosted.public_url.empty() && hosted.public_url.back() == '/')
            hosted.public_url.pop_back();
        hosted.invite = invite_url({hosted.public_url, existing->room, existing->token});
        // Validates the public URL as a teammate's join will.
        parse_invite(hosted.invite);

        if (!hosted.created && previous && previous->public_url != hosted.public_url)
            hosted.previous_public_url = previous->public_url;
        if (hosted.created || hosted.previous_public_url.empty())
            hosted.taken_port = 0; // a new room, or teammates reach it as before
        configure_clone_for_room(clone, *existing, name, kind, hosted.invite);
        // The host is an agent like the others: its commits and pushes are checked too.
        hosted.hooks = describe(install_hooks(clone.repo()));
        if (!options.data_dir.empty())
            clone.repo().config_set("knot.serverdata", hosted.data_dir.string());
        write_agent_file(clone, "HOST.md",
                         render_template("HOST.md", {{"invite", hosted.invite},
                                                     {"room", hosted.room},
                                                     {"server", hosted.local_url},
                                                     {"data", hosted.data_dir.string()},
                                                     {"name", name}}));
        write_file_atomic(hosted.data_dir / "host.json",
                          nlohmann::json{{"port", port_of_url(hosted.local_url)},
                                         {"public_url", hosted.public_url}}
                                  .dump() +
                              "\n");
    } catch (...) {
        if (hosted.tunnel_pid)
            stop_process(hosted.tunnel_pid, std::chrono::seconds(5));
        stop_process(hosted.server_pid, std::chrono::seconds(10));
        throw;
    }
    return hosted;
}

StoppedRoom stop_hosting(const std::filesystem::path& data_dir) {
    StoppedRoom stopped;
    if (auto tunnel = running_tunnel(data_dir)) {
        stop_process(tunnel->pid, std::chrono::seconds(5));
        stopped.tunnel_pid = tunnel->pid;
    }
    std::filesystem::remove(data_dir / "tunnel.json");
    if (auto server = running_server(data_dir)) {
        stop_process(server->pid, std::chrono::seconds(15));
        stopped.server_pid = server->pid;
    }
    return stopped;
}

} // namespace knot
