// Test support for the git transfer tests: a scratch repository that makes commits and packs
// with the real git, and a real knot-server with a room of two members that pushes to it.
#pragma once

#include "../../support/shell.hpp"
#include "../../support/temp_dir.hpp"
#include "server_room.hpp"

#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/room_repository.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace knot::test {

inline const std::string k_zero(40, '0');

// The headers of a signed pack upload of `pack`: token, signature and the declared digest.
inline Headers pack_headers(const TestRoom& room, const TestMember& who, const std::string& target,
                            const std::string& pack) {
    return signed_headers(who.identity, who.id, "POST", target, pack,
                          {{std::string(k_header_token), room.token},
                           {std::string(k_header_content_sha256), sha256_hex(pack)},
                           {"Content-Type", "application/x-git-packfile"}});
}

// The target of a push of `ref` from `old` to `now`.
inline std::string receive_target(const TestRoom& room, const std::string& ref,
                                  const std::string& old, const std::string& now,
                                  bool force = false) {
    return room.path("/git/receive?ref=" + ref + "&old=" + old + "&new=" + now +
                     "&force=" + (force ? "1" : "0"));
}

// A scratch repository that makes commits and packs with the real git.
struct Scratch {
    TempDir dir;
    std::filesystem::path repo = dir.path() / "repo";
    Scratch() { make_repository(repo); }

    std::string run(const std::string& command) { return sh_ok(command, repo); }
    std::string commit(const std::string& file, const std::string& text) {
        std::ofstream(repo / file) << text;
        run("git add -A && git commit -q -m " + file);
        return run("git rev-parse HEAD");
    }
    // A pack of `revs` (rev-list arguments, one a line), or with `plain` of exactly the objects.
    std::string pack(const std::string& revs, bool plain = false) {
        run("printf '" + revs + "\\n' | git pack-objects -q --stdout " + (plain ? "" : "--revs ") +
            "> ../pack.bin");
        return read_file(dir.path() / "pack.bin");
    }
};

struct Fixture : ServerRoom {
    // Local forges allowed by default: the tests' forges are bare repositories on this machine.
    explicit Fixture(std::vector<std::string> server_args = {"--allow-local-forges"})
        : ServerRoom(std::move(server_args)) {}

    TestMember bob = join_room(client, room, "bob");
    Scratch scratch;

    ApiResponse receive(const TestMember& who, const std::string& ref, const std::string& old,
                        const std::string& now, const std::string& pack, bool force = false,
                        const std::string& sent = "\x01") {
        const std::string target = receive_target(room, ref, old, now, force);
        return api().send("POST", target, sent == "\x01" ? pack : sent,
                          pack_headers(room, who, target, pack));
    }
    // Starts the server again (after kill) and talks to it on its new port.
    void restart() {
        server.restart();
        m_restarted = std::make_unique<ApiClient>(server.host(), server.port());
    }
    ApiClient& api() { return m_restarted ? *m_restarted : client; }
    // The room's bare repository on the server.
    std::filesystem::path repo() const {
        return server::RoomRepository(server.data_dir(), room.id).path();
    }
    // The agents' refs: the integration agent moves refs/knot/integration in the background.
    nlohmann::json refs() { return agent_refs(api(), room); }
    // The room's sync.pushed events, oldest first (the integration agent adds its own events).
    std::vector<nlohmann::json> pushes() {
        std::vector<nlohmann::json> out;
        const nlohmann::json page = room_get(api(), room, "/events?since=0").json();
        for (const auto& event : page.at("events"))
            if (event.at("type") == "sync.pushed")
                out.push_back(event);
        return out;
    }

private:
    std::unique_ptr<ApiClient> m_restarted;
};

} // namespace knot::test
