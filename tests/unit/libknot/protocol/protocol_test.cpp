// Tests of libknot/protocol/protocol.cpp and libknot/protocol/invite.cpp: the canonical string,
// names, ids and invite URLs.
#include "libknot/base/error.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/invite.hpp"
#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("the canonical string joins version, method, target, time, nonce and body hash") {
    const std::string nonce(32, 'a');
    CHECK(canonical_string("POST", "/v1/rooms/rm_1/agents?x=1", 1700000000, nonce, "") ==
          "knot-v1\nPOST\n/v1/rooms/rm_1/agents?x=1\n1700000000\n" + nonce +
              "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("every field of the canonical string changes it") {
    const std::string n1(32, 'a'), n2(32, 'b');
    const auto base = canonical_string("POST", "/p", 1, n1, "{}");
    CHECK(base != canonical_string("PUT", "/p", 1, n1, "{}"));
    CHECK(base != canonical_string("POST", "/q", 1, n1, "{}"));
    CHECK(base != canonical_string("POST", "/p", 2, n1, "{}"));
    CHECK(base != canonical_string("POST", "/p", 1, n2, "{}"));
    CHECK(base != canonical_string("POST", "/p", 1, n1, "{ }"));
}

TEST_CASE("sign_request produces headers whose signature covers the canonical string") {
    const auto id = Identity::generate();
    const auto headers = sign_request(id, "ag_0123456789abcdef", "POST", "/v1/x", "{}", 42);
    CHECK(headers.at("X-Knot-Timestamp") == "42");
    CHECK(is_nonce(headers.at("X-Knot-Nonce")));
    CHECK(headers.at("X-Knot-Agent") == "ag_0123456789abcdef");
    CHECK(verify_signature(id.public_key(),
                           canonical_string("POST", "/v1/x", 42, headers.at("X-Knot-Nonce"), "{}"),
                           headers.at("X-Knot-Signature")));
    CHECK(sign_request(id, "", "POST", "/v1/x", "{}", 42).count("X-Knot-Agent") == 0);
}

TEST_CASE("agent names are short ref-safe words and the server's names are reserved") {
    CHECK_FALSE(invalid_agent_name("coder-1"));
    CHECK_FALSE(invalid_agent_name("a.b_c"));
    CHECK(invalid_agent_name(""));
    CHECK(invalid_agent_name(std::string(40, 'a')));
    CHECK(invalid_agent_name("Coder"));
    CHECK(invalid_agent_name("-x"));
    CHECK(invalid_agent_name("a..b"));
    CHECK(invalid_agent_name("a/b"));
    CHECK(invalid_agent_name("x."));
    CHECK(invalid_agent_name("integration"));
    CHECK(invalid_agent_name("knot"));
}

TEST_CASE("slug_agent_name makes an agent name of a person's name") {
    CHECK(slug_agent_name("Ada Lovelace") == "ada-lovelace");
    CHECK(slug_agent_name("  __x__ ") == "x");
    CHECK(slug_agent_name("!!!") == "");
    CHECK(slug_agent_name("knot") == "");
}

TEST_CASE("a taken default name is numbered, cut so that it stays a valid name") {
    CHECK(numbered_agent_name("ada", 2) == "ada-2");
    CHECK(numbered_agent_name("knot.user", 12) == "knot.user-12");
    const std::string longest(39, 'a');
    CHECK(numbered_agent_name(longest, 2) == std::string(37, 'a') + "-2");
    CHECK(numbered_agent_name(longest, 100) == std::string(35, 'a') + "-100");
    for (int n = 2; n < 200; ++n) {
        CHECK_FALSE(invalid_agent_name(numbered_agent_name(longest, n)));
        CHECK_FALSE(invalid_agent_name(numbered_agent_name("a.b", n)));
    }
}

TEST_CASE("room, agent and nonce ids have exactly their documented form") {
    CHECK(is_room_id("rm_0123456789abcdef"));
    CHECK_FALSE(is_room_id("rm_0123456789ABCDEF"));
    CHECK_FALSE(is_room_id("rm_0123"));
    CHECK(is_agent_id("ag_0123456789abcdef"));
    CHECK_FALSE(is_agent_id("rm_0123456789abcdef"));
    CHECK(is_nonce(std::string(32, 'f')));
    CHECK_FALSE(is_nonce(std::string(31, 'f')));
}

TEST_CASE("an object id is 40 or 64 lower-case hex digits") {
    CHECK(is_object_id(std::string(40, 'a')));
    CHECK(is_object_id(std::string(64, '0')));
    CHECK_FALSE(is_object_id(std::string(40, 'A')));
    CHECK_FALSE(is_object_id(std::string(41, 'a')));
    CHECK_FALSE(is_object_id(std::string(39, 'a') + "g"));
    CHECK_FALSE(is_object_id(""));
}

TEST_CASE("an invite URL gives the API's base URL, the room and the token") {
    const std::string token(64, 'a');
    const auto invite =
        parse_invite("http://127.0.0.1:8787/join?room=rm_0123456789abcdef&token=" + token);
    CHECK(invite.base_url == "http://127.0.0.1:8787");
    CHECK(invite.room == "rm_0123456789abcdef");
    CHECK(invite.token == token);
    CHECK(invite_url(invite) ==
          "http://127.0.0.1:8787/join?room=rm_0123456789abcdef&token=" + token);
    CHECK(parse_invite("https://x.trycloudflare.com/join?token=" + token +
                       "&room=rm_0123456789abcdef")
              .base_url == "https://x.trycloudflare.com");
    CHECK(parse_invite("http://[::1]:9/join?room=rm_0123456789abcdef&token=" + token).base_url ==
          "http://[::1]:9");
}

TEST_CASE("a malformed or foreign invite URL is refused with the reason") {
    const std::string token(64, 'a');
    const std::string room = "rm_0123456789abcdef";
    CHECK_THROWS_AS(parse_invite("https://github.com/org/repo"), UsageError);
    CHECK_THROWS_WITH(parse_invite("ftp://h/join?room=" + room + "&token=" + token),
                      Catch::Contains("scheme"));
    CHECK_THROWS_WITH(parse_invite("http://h/join?token=" + token), Catch::Contains("no room"));
    CHECK_THROWS_WITH(parse_invite("http://h/join?room=" + room), Catch::Contains("no token"));
    CHECK_THROWS_WITH(parse_invite("http://h/join?room=rm_x&token=" + token),
                      Catch::Contains("room id"));
    CHECK_THROWS_WITH(parse_invite("http://h/join?room=" + room + "&token=short"),
                      Catch::Contains("token is malformed"));
    CHECK_THROWS_WITH(parse_invite("not a url at all"), Catch::Contains("not a knot invite URL"));
}
