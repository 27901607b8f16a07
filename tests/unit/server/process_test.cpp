// Tests of the knot-server process: durability across kill -9, the data directory lock, and a
// clean stop.
#include "../../support/server_process.hpp"
#include "api_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sys/stat.h>

using namespace knot;
using namespace knot::test;

namespace {

const std::string k_token(k_header_token);

} // namespace

TEST_CASE("acknowledged writes survive kill -9") {
    ServerProcess server;
    TestRoom room;
    {
        ApiClient client(server.host(), server.port());
        room = create_room(client, server.admin_token());
        for (int i = 0; i < 10; ++i)
            REQUIRE(register_agent(client, room, Identity::generate(), "coder-" + std::to_string(i))
                        .status == 201);
    }
    server.kill();
    server.restart();
    ApiClient client(server.host(), server.port());
    const auto body = client.get(room.path(), {{k_token, room.token}}).json();
    CHECK(body["last_seq"] == 12);
    CHECK(body["counts"]["agents"] == 12);
}

TEST_CASE("a replayed request is refused after the server restarts") {
    ServerProcess server;
    TestRoom room;
    std::string bytes;
    {
        ApiClient client(server.host(), server.port());
        room = create_room(client, server.admin_token());
        const std::string target = room.path("/heartbeat");
        bytes = raw_request("POST", target, "{}",
                            signed_headers(room.owner, room.owner_id, "POST", target, "{}",
                                           {{k_token, room.token}}));
        REQUIRE(send_raw(server.host(), server.port(), bytes).status == 200);
    }
    server.kill();
    server.restart();
    const auto replay = send_raw(server.host(), server.port(), bytes);
    CHECK(replay.status == 401);
    CHECK(nlohmann::json::parse(replay.body)["code"] == "replayed_nonce");
}

TEST_CASE("a second server on the same data directory exits non-zero naming the first") {
    ServerProcess server;
    const auto result = run_server_to_exit({"--port", "0", "--data", server.data_dir().string()});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains("another knot-server is using"));
    CHECK_THAT(result.output, Catch::Contains("(pid " + std::to_string(server.pid()) + ")"));
}

TEST_CASE("SIGTERM stops the server with exit code 0 and removes server.json") {
    ServerProcess server;
    const auto info_path = server.data_dir() / "server.json";
    REQUIRE(std::filesystem::exists(info_path));
    std::ifstream in(info_path);
    const auto info = nlohmann::json::parse(in);
    CHECK(info["pid"] == server.pid());
    CHECK(info["url"] == server.url());
    CHECK(server.terminate() == 0);
    CHECK_FALSE(std::filesystem::exists(info_path));
    CHECK_THAT(server.output(), Catch::Contains("knot-server listening on " + server.url()));
}

TEST_CASE("the data directory holds a private admin token and server key") {
    ServerProcess server;
    struct stat st {};
    REQUIRE(::stat(server.data_dir().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(::stat((server.data_dir() / "admin.token").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(server.admin_token().size() == 64);
    const std::string token = server.admin_token();
    server.restart();
    CHECK(server.admin_token() == token);
    CHECK_NOTHROW(Identity::load(server.data_dir() / "server.key"));
}

TEST_CASE("bad options are refused with a usage exit code") {
    const auto unknown = run_server_to_exit({"--frobnicate"});
    CHECK(unknown.exit_code == 64);
    CHECK_THAT(unknown.output, Catch::StartsWith("knot-server: error:"));
    const auto port = run_server_to_exit({"--port", "99999"});
    CHECK(port.exit_code == 64);
}

TEST_CASE("a server key with loose permissions is refused") {
    TempDir dir;
    const auto data = dir.path() / "data";
    { ServerProcess server(data); }
    ::chmod((data / "server.key").c_str(), 0644);
    const auto result = run_server_to_exit({"--port", "0", "--data", data.string()});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains("too open"));
}
