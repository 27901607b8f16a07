// Tests of the credential checks, in the order of docs/protocol.md, against the real server.
#include "../../support/server_process.hpp"
#include "api_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::test;

namespace {

const std::string k_token(k_header_token);

struct Fixture {
    ServerProcess server;
    ApiClient client{server.host(), server.port()};
    TestRoom room = create_room(client, server.admin_token());
    std::string target = room.path("/heartbeat");
    std::string body = "{}";

    // A heartbeat by the owner, signed at `timestamp` (now when 0), with headers adjusted.
    ApiResponse heartbeat(const std::function<void(Headers&)>& change = {},
                          std::int64_t timestamp = 0) {
        Headers headers = signed_headers(room.owner, room.owner_id, "POST", target, body,
                                         {{k_token, room.token}}, timestamp);
        if (change)
            change(headers);
        return client.send("POST", target, body, headers);
    }

    std::int64_t last_seq() {
        return client.get(room.path(), {{k_token, room.token}}).json()["last_seq"];
    }
};

void check_refused(const ApiResponse& response, const std::string& code) {
    CHECK(response.status == 401);
    CHECK(response.code() == code);
}

} // namespace

TEST_CASE("a signed request by a member is accepted") {
    Fixture f;
    CHECK(f.heartbeat().status == 200);
}

TEST_CASE("a request without the invite token is 401 missing_token") {
    Fixture f;
    check_refused(f.heartbeat([](Headers& h) { h.erase(k_token); }), "missing_token");
    check_refused(f.client.get(f.room.path()), "missing_token");
}

TEST_CASE("a request with another token is 401 bad_token") {
    Fixture f;
    check_refused(f.heartbeat([](Headers& h) { h[k_token] = std::string(64, 'f'); }), "bad_token");
    check_refused(f.client.get(f.room.path("/events"), {{k_token, "x"}}), "bad_token");
}

TEST_CASE("a state-changing request without signature headers is 401 unsigned") {
    Fixture f;
    check_refused(f.client.send("POST", f.target, f.body, {{k_token, f.room.token}}), "unsigned");
}

TEST_CASE("a request with partial or malformed signature headers is 401 malformed_signature") {
    Fixture f;
    check_refused(f.heartbeat([](Headers& h) { h.erase(std::string(k_header_nonce)); }),
                  "malformed_signature");
    check_refused(f.heartbeat([](Headers& h) { h[std::string(k_header_nonce)] = "xyz"; }),
                  "malformed_signature");
    check_refused(f.heartbeat([](Headers& h) { h[std::string(k_header_timestamp)] = "12a"; }),
                  "malformed_signature");
}

TEST_CASE("a timestamp six minutes off either way is 401 stale_timestamp") {
    Fixture f;
    check_refused(f.heartbeat({}, unix_now() - 360), "stale_timestamp");
    check_refused(f.heartbeat({}, unix_now() + 360), "stale_timestamp");
}

TEST_CASE("a signer that is not a member of the room is 401 unknown_agent") {
    Fixture f;
    const Identity stranger = Identity::generate();
    check_refused(f.heartbeat([&](Headers& h) {
        h = signed_headers(stranger, agent_id_of(stranger), "POST", f.target, f.body,
                           {{k_token, f.room.token}});
    }),
                  "unknown_agent");
    check_refused(f.heartbeat([](Headers& h) { h.erase(std::string(k_header_agent)); }),
                  "unknown_agent");
}

TEST_CASE("a signature by another key or over other bytes is 401 bad_signature") {
    Fixture f;
    const Identity forger = Identity::generate();
    check_refused(f.heartbeat([&](Headers& h) {
        h = signed_headers(forger, f.room.owner_id, "POST", f.target, f.body,
                           {{k_token, f.room.token}});
    }),
                  "bad_signature");
    // Signed for another body than the one sent.
    Headers headers = signed_headers(f.room.owner, f.room.owner_id, "POST", f.target,
                                     R"({"status":"x"})", {{k_token, f.room.token}});
    check_refused(f.client.send("POST", f.target, f.body, headers), "bad_signature");
    // A registration whose card key did not sign it.
    const Identity coder = Identity::generate();
    const std::string target = f.room.path("/agents");
    const std::string card = card_of(coder, "coder-1").dump();
    check_refused(
        f.client.send("POST", target, card,
                      signed_headers(forger, "", "POST", target, card, {{k_token, f.room.token}})),
        "bad_signature");
}

TEST_CASE("the same request sent twice is refused the second time and writes nothing") {
    Fixture f;
    const Identity coder = Identity::generate();
    const std::string target = f.room.path("/agents");
    const std::string card = card_of(coder, "coder-1").dump();
    const std::string bytes =
        raw_request("POST", target, card,
                    signed_headers(coder, "", "POST", target, card, {{k_token, f.room.token}}));
    const auto first = send_raw(f.server.host(), f.server.port(), bytes);
    CHECK(first.status == 201);
    const std::int64_t seq = f.last_seq();
    const auto second = send_raw(f.server.host(), f.server.port(), bytes);
    CHECK(second.status == 401);
    CHECK(nlohmann::json::parse(second.body)["code"] == "replayed_nonce");
    CHECK(f.last_seq() == seq);
}

TEST_CASE("a signed request updates its agent's last_seen") {
    Fixture f;
    const auto before = f.client.get(f.room.path("/agents"), {{k_token, f.room.token}}).json();
    REQUIRE(f.heartbeat().status == 200);
    const auto after = f.client.get(f.room.path("/agents"), {{k_token, f.room.token}}).json();
    for (const auto& agent : after["agents"])
        if (agent["id"] == f.room.owner_id)
            CHECK(agent["last_seen"].get<std::int64_t>() >= unix_now() - 5);
    CHECK(before["agents"].size() == after["agents"].size());
}

TEST_CASE(
    "a request refused after its signature verified cannot be sent again once it would pass") {
    Fixture f;
    const Identity coder = Identity::generate();
    REQUIRE(register_agent(f.client, f.room, coder, "coder-1").status == 201);
    const std::string owner_lock = R"({"paths":["a.c"]})";
    const std::string target = f.room.path("/locks");
    REQUIRE(f.client
                .send("POST", target, owner_lock,
                      signed_headers(f.room.owner, f.room.owner_id, "POST", target, owner_lock,
                                     {{k_token, f.room.token}}))
                .status == 200);
    // The coder's lock is refused while the owner holds the path...
    const std::string bytes = raw_request("POST", target, owner_lock,
                                          signed_headers(coder, agent_id_of(coder), "POST", target,
                                                         owner_lock, {{k_token, f.room.token}}));
    const auto refused = send_raw(f.server.host(), f.server.port(), bytes);
    REQUIRE(refused.status == 409);
    // ...and once the owner lets go, the same signed bytes are a replay, not a fresh request.
    const std::string release_target = f.room.path("/locks/release");
    REQUIRE(f.client
                .send("POST", release_target, owner_lock,
                      signed_headers(f.room.owner, f.room.owner_id, "POST", release_target,
                                     owner_lock, {{k_token, f.room.token}}))
                .status == 200);
    const std::int64_t seq = f.last_seq();
    const auto again = send_raw(f.server.host(), f.server.port(), bytes);
    CHECK(again.status == 401);
    CHECK(nlohmann::json::parse(again.body)["code"] == "replayed_nonce");
    CHECK(f.last_seq() == seq);
}

TEST_CASE("a body read two ways by lenient parsers is 400 bad_json before anything is written") {
    Fixture f;
    const std::int64_t seq = f.last_seq();
    for (const std::string& body :
         {std::string("\xEF\xBB\xBF{}"), std::string("{}\0", 3),
          std::string(R"({"status":"a","status":"b"})"), std::string("{} {}")}) {
        const auto r = f.client.send("POST", f.target, body,
                                     signed_headers(f.room.owner, f.room.owner_id, "POST", f.target,
                                                    body, {{k_token, f.room.token}}));
        CHECK(r.status == 400);
        CHECK(r.code() == "bad_json");
    }
    CHECK(f.last_seq() == seq);
}
