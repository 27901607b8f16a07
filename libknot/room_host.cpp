// Hosting a room from a clone (see room_host.hpp).
#include "room_host.hpp"

#include "error.hpp"
#include "hook_installer.hpp"
#include "invite.hpp"
#include "onboarding.hpp"
#include "room_client.hpp"
#include "server_launcher.hpp"

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

    const auto program = find_program_beside_self("knot-server");
    const RunningProcess server = start_server_background(program, hosted.data_dir, options.port,
                                                          options.bind, options.checks);
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
            client.register_agent({name, kind, {"code", "host"}});
        } else {
            const std::string admin = read_file(hosted.data_dir / "admin.token").substr(0, 64);
            std::string room_name = options.room_name;
            if (room_name.empty())
                room_name = clone.repo().workdir().lexically_normal().filename().string();
            if (room_name.empty())
                room_name = clone.repo().workdir().parent_path().filename().string();
            if (room_name.empty())
                room_name = "knot";
            const nlohmann::json created = RoomClient::create_room(
                hosted.local_url, admin, identity, room_name, {name, kind, {"code", "host"}});
            existing = RoomConfig{hosted.local_url, created.at("room"), created.at("token"),
                                  created.at("agent").at("id")};
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
