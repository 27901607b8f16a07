// Tests of chat messages and notices (sync.pushing, agent.head) against the real knot-server.
#include "server_room.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::test;

namespace {

const std::string k_sha1(40, 'a');
const std::string k_sha256(64, '0');

struct Fixture : ServerRoom {
    ApiResponse notice(const nlohmann::json& body) {
        return room_post(client, room, alice.identity, "/notices", body);
    }
    nlohmann::json pushing() {
        return {{"type", "sync.pushing"},
                {"remote", "origin"},
                {"refs", nlohmann::json::array({nlohmann::json{
                             {"ref", "refs/heads/main"}, {"old", k_sha1}, {"new", k_sha256}}})},
                {"paths", {"src/a.c"}}};
    }
};

} // namespace

TEST_CASE("a chat message is logged and answered with its event") {
    Fixture f;
    const auto posted =
        room_post(f.client, f.room, f.alice.identity, "/messages", {{"text", "hello\nteam"}});
    REQUIRE(posted.status == 201);
    const auto event = posted.json()["event"];
    CHECK(event["type"] == "chat.message");
    CHECK(event["agent"] == f.alice.id);
    CHECK(event["data"] == nlohmann::json{{"text", "hello\nteam"}});
    CHECK(room_get(f.client, f.room, "/events").json()["events"].back() == event);

    for (const auto& bad :
         {nlohmann::json::object(), nlohmann::json{{"text", ""}}, nlohmann::json{{"text", 5}},
          nlohmann::json{{"text", std::string(4001, 'x')}},
          nlohmann::json{{"text", std::string("bell\a")}}}) {
        const auto response = room_post(f.client, f.room, f.alice.identity, "/messages", bad);
        CHECK(response.status == 400);
        CHECK(response.code() == "bad_request");
    }
    CHECK(room_post(f.client, f.room, f.alice.identity, "/messages",
                    {{"text", std::string(4000, 'x')}})
              .status == 201);
}

TEST_CASE("a sync.pushing notice is logged with its remote, refs and paths") {
    Fixture f;
    const auto posted = f.notice(f.pushing());
    INFO(posted.body);
    REQUIRE(posted.status == 201);
    const auto event = posted.json()["event"];
    CHECK(event["type"] == "sync.pushing");
    CHECK(event["data"]["remote"] == "origin");
    CHECK(event["data"]["refs"][0]["new"] == k_sha256);
    CHECK(event["data"]["paths"] == nlohmann::json{"src/a.c"});
}

TEST_CASE("notices with a bad type, ref, object id or path are refused") {
    Fixture f;
    CHECK(f.notice({{"type", "sync.nothing"}}).code() == "bad_request");
    CHECK(f.notice(nlohmann::json::object()).code() == "bad_request");

    auto with = [&](const std::function<void(nlohmann::json&)>& change) {
        nlohmann::json body = f.pushing();
        change(body);
        return f.notice(body);
    };
    CHECK(with([](auto& b) { b.erase("remote"); }).code() == "bad_request");
    CHECK(with([](auto& b) { b["refs"] = "main"; }).code() == "bad_request");
    for (const std::string ref : {"refs/heads/a..b", "refs/heads/a b", "refs/heads/x.lock",
                                  "refs//heads", "refs/heads/", "refs/heads/@{1}", "a~1", ""})
        CHECK(with([&](auto& b) { b["refs"][0]["ref"] = ref; }).code() == "bad_request");
    for (const std::string& id : {std::string(39, 'a'), std::string(41, 'a'), std::string(40, 'A'),
                                  std::string(40, 'g'), std::string()})
        CHECK(with([&](auto& b) { b["refs"][0]["old"] = id; }).code() == "bad_request");
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 101; ++i)
        many.push_back(
            {{"ref", "refs/heads/b" + std::to_string(i)}, {"old", k_sha1}, {"new", k_sha1}});
    CHECK(with([&](auto& b) { b["refs"] = many; }).code() == "bad_request");
    many.erase(many.begin());
    CHECK(with([&](auto& b) { b["refs"] = many; }).status == 201);
    CHECK(with([](auto& b) { b["paths"] = {"/abs"}; }).code() == "bad_path");
    CHECK(with([](auto& b) { b["paths"] = {"a/../b"}; }).code() == "bad_path");

    const auto head =
        f.notice({{"type", "agent.head"}, {"branch", "refs/heads/x"}, {"commit", k_sha1}});
    REQUIRE(head.status == 201);
    CHECK(head.json()["event"]["data"] ==
          nlohmann::json{{"branch", "refs/heads/x"}, {"commit", k_sha1}});
    CHECK(
        f.notice({{"type", "agent.head"}, {"branch", "refs/heads/x"}, {"commit", "abc"}}).code() ==
        "bad_request");
    CHECK(f.notice({{"type", "agent.head"}, {"branch", "bad..ref"}, {"commit", k_sha1}}).code() ==
          "bad_request");
    CHECK(f.notice({{"type", "agent.head"}, {"commit", k_sha1}}).code() == "bad_request");
}
