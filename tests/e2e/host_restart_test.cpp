// End to end: a room stopped with `git knot down` and started again with `git knot up` keeps its
// port, so the invite teammates hold stays valid; when another program took that port, up moves
// the room and prints what teammates run. Real git, real server.
#include "git-knot/server_launcher.hpp"
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

using namespace knot;
using namespace knot::test;

namespace {

// Listens on 127.0.0.1:`port` until destroyed, as another program holding the port would.
class PortHolder {
public:
    explicit PortHolder(int port)
        : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        const int one = 1;
        ::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(m_fd, 1) == 0);
    }
    ~PortHolder() { ::close(m_fd); }
    PortHolder(const PortHolder&) = delete;
    PortHolder& operator=(const PortHolder&) = delete;

private:
    int m_fd;
};

nlohmann::json up_json(const HostedRoom& room, const std::string& options) {
    const auto up = sh("git knot up --no-tunnel --json " + options, room.host());
    INFO(up.err);
    REQUIRE(up.status == 0);
    return nlohmann::json::parse(up.out);
}

} // namespace

TEST_CASE("up after down listens on the room's port again, so teammates' invites stay valid") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const int port = port_of_url(room.server_record().at("url"));
    REQUIRE(port > 0);

    // Plain `up` takes the room's port, not the default 8787.
    REQUIRE(sh("git knot down", room.host()).status == 0);
    const auto plain = up_json(room, "");
    CHECK(port_of_url(plain.at("server")) == port);
    CHECK(plain.at("invite") == room.invite());
    CHECK(plain.at("invite_changed") == false);
    CHECK(plain.at("taken_port").is_null());
    CHECK(sh("git knot status", a).status == 0);

    // `--port 0` too, instead of any free port.
    REQUIRE(sh("git knot down", room.host()).status == 0);
    const auto any = up_json(room, "--port 0");
    CHECK(port_of_url(any.at("server")) == port);
    CHECK(any.at("invite") == room.invite());
    CHECK(sh("git knot status", a).status == 0);
}

TEST_CASE("when another program took the room's port, up moves the room and says what to run") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const int port = port_of_url(room.server_record().at("url"));
    REQUIRE(sh("git knot down", room.host()).status == 0);
    PortHolder holder(port);

    const auto up = sh("git knot up --no-tunnel --port 0", room.host());
    INFO(up.out << up.err);
    REQUIRE(up.status == 0);
    const int moved_to = port_of_url(room.server_record().at("url"));
    CHECK(moved_to != port);
    CHECK(up.out.find("  port     " + std::to_string(port) +
                      ", the room's until now, is taken by another program: the room moved to " +
                      std::to_string(moved_to) + "\n") != std::string::npos);
    CHECK(up.out.find(
              "\nThe invite changed (the room was at http://127.0.0.1:" + std::to_string(port) +
              "): every teammate, those who joined before too, runs in their clone:\n") !=
          std::string::npos);
    const std::string invite =
        "http://127.0.0.1:" + std::to_string(moved_to) + "/join?room=" + git_config(a, "knot.room");
    const auto join_line = up.out.find("  git knot join '" + invite);
    REQUIRE(join_line != std::string::npos);

    // The teammate runs what it says, and is back in the room as itself.
    const auto command = up.out.substr(join_line + 2, up.out.find('\n', join_line) - join_line - 2);
    const auto rejoined = sh(command, a);
    INFO(rejoined.err);
    CHECK(rejoined.status == 0);
    CHECK(git_config(a, "knot.name") == "coder-1");
    CHECK(sh("git knot status", a).status == 0);
}

TEST_CASE("a port asked for that another program holds is refused clearly, nothing started") {
    HostedRoom room;
    REQUIRE(sh("git knot down", room.host()).status == 0);
    const int taken = free_port();
    PortHolder holder(taken);
    const auto up = sh("git knot up --no-tunnel --port " + std::to_string(taken), room.host());
    CHECK(up.status == 128);
    CHECK(up.err == "git-knot: fatal: port " + std::to_string(taken) +
                        " on 127.0.0.1 is taken by another program: free it, or choose another "
                        "with --port (0: the room's own port, else any free one)\n");
    CHECK(sh("git knot status", room.host()).status == 2);
}
