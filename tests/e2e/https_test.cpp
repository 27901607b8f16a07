// End to end over TLS: a room reached through https, as it is behind a tunnel or a reverse
// proxy. knot_test_tls_proxy terminates TLS on loopback with a certificate made for the test,
// which the clients trust through SSL_CERT_FILE (OpenSSL's default verify paths); joining,
// signed writes, the event stream (wss) and git push / fetch through git-remote-knot all go
// through it.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// A certificate for localhost and 127.0.0.1 with its key, in `dir`; REQUIREs openssl.
void make_certificate(const fs::path& dir) {
    const auto made = sh("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                         "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
                         "-keyout key.pem -out cert.pem 2>&1",
                         dir);
    INFO(made.out);
    REQUIRE(made.status == 0);
}

// The port of the room's server, from the host's server.json URL.
std::string server_port(const HostedRoom& room) {
    const std::string url = room.server_record().at("url");
    return url.substr(url.rfind(':') + 1);
}

} // namespace

TEST_CASE("a room behind TLS: join, write, follow, push and fetch over https") {
    HostedRoom room;
    make_certificate(room.dir());
    BackgroundCommand proxy("exec '" + std::string(KNOT_BUILD_DIR) +
                                "/tests/support/knot_test_tls_proxy' cert.pem key.pem " +
                                server_port(room),
                            room.dir());
    const auto port = proxy.next_line(30000);
    REQUIRE(port);
    // Only the clients trust the test's certificate; every process they start inherits it.
    REQUIRE(::setenv("SSL_CERT_FILE", (room.dir() / "cert.pem").c_str(), 1) == 0);
    std::string invite = room.invite();
    const std::size_t host_start = invite.find("://") + 3;
    invite = "https://localhost:" + *port + invite.substr(invite.find('/', host_start));

    std::vector<fs::path> clones;
    for (const char* name : {"coder-1", "coder-2"}) {
        const auto clone = room.clone(name);
        const auto joined = run("git knot join '" + invite + "' --name " + name, clone);
        REQUIRE(joined.status == 0);
        REQUIRE(run("git config knot.forge none", clone).status == 0);
        CHECK(git_config(clone, "remote.knot.url").rfind("knot::https://localhost:", 0) == 0);
        clones.push_back(clone);
    }
    const fs::path a = clones[0], b = clones[1];
    RoomEvents events(b); // the stream, over wss
    REQUIRE(run("git knot say hello over tls", a).status == 0);
    events.next([](const nlohmann::json& e) {
        return e.at("type") == "chat.message" && e.at("data").at("text") == "hello over tls";
    });

    const std::string commit = commit_file(a, "src/a.txt", "over tls\n");
    const auto ended = events.push(a);
    CHECK(ended.at("type") == "sync.integrated");
    REQUIRE(run("git fetch -q knot", b).status == 0);
    CHECK(rev(b, "refs/knot/coder-1/main") == commit);
    CHECK(sh("git show refs/knot/coder-1/main:src/a.txt", b).out == "over tls\n");

    // A certificate nobody vouches for is refused, with TLS named in the error.
    REQUIRE(::unsetenv("SSL_CERT_FILE") == 0);
    const auto refused = run("git knot status", a);
    CHECK(refused.status != 0);
    INFO(refused.err);
    CHECK(refused.status == 2);
    CHECK(refused.err.find("over TLS") != std::string::npos);
    CHECK(refused.err.find("SSL_CERT_FILE") != std::string::npos);

    // A git-knot without its TLS module (copied away from the build tree, whose lib/knot beside
    // bin/ holds it; the module is only ever looked for relative to the program) finds an https
    // room unreachable and says why.
    REQUIRE(::setenv("SSL_CERT_FILE", (room.dir() / "cert.pem").c_str(), 1) == 0);
    const fs::path moved = room.dir() / "moved" / "bin";
    fs::create_directories(moved);
    fs::copy_file(fs::path(KNOT_BUILD_DIR) / "bin" / "git-knot", moved / "git-knot");
    const auto no_module = run("'" + (moved / "git-knot").string() + "' status", a);
    CHECK(no_module.status == 2);
    CHECK(no_module.err.find("TLS module is missing") != std::string::npos);
    REQUIRE(::unsetenv("SSL_CERT_FILE") == 0);
}

TEST_CASE("the programs git and the hooks start load neither Poco nor OpenSSL") {
    // TLS comes as a module loaded on a room's first https request: every commit starts
    // git-knot, and these libraries cost milliseconds of relocations at each start.
    for (const char* program : {"git-knot", "git-remote-knot"}) {
        const auto linked =
            sh("ldd '" + std::string(KNOT_BUILD_DIR) + "/bin/" + program + "'", KNOT_BUILD_DIR);
        INFO(linked.out);
        REQUIRE(linked.status == 0);
        CHECK(linked.out.find("libPoco") == std::string::npos);
        CHECK(linked.out.find("libssl") == std::string::npos);
        CHECK(linked.out.find("libcrypto") == std::string::npos);
    }
}
