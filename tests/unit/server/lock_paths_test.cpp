// Tests of the paths a lock may name, against the real knot-server: normal repository paths
// only, never the .git directory, UTF-8 only, and never echoed back whole.
#include "lock_room.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace knot;
using namespace knot::test;

TEST_CASE("paths that are not normal repository paths are 400 bad_path") {
    LockRoom f;
    const std::vector<std::string> bad{"/etc/passwd",
                                       "../outside",
                                       "a/../b",
                                       "a//b",
                                       "a/./b",
                                       "dir/",
                                       "",
                                       std::string("a\0b", 3),
                                       "tab\there",
                                       std::string(1025, 'x'),
                                       "d/" + std::string(256, 'y')};
    for (const auto& path : bad) {
        const auto response = f.lock(f.alice, nlohmann::json::array({"ok", path}));
        CHECK(response.status == 400);
        CHECK(response.code() == "bad_path");
    }
    // A NUL written as \u0000 in the JSON text itself.
    const std::string body = R"({"paths":["a\u0000b"]})";
    const auto nul = signed_post(f.client, f.room, f.alice.identity, f.room.path("/locks"), body);
    CHECK(nul.status == 400);
    CHECK(nul.code() == "bad_path");
    CHECK(f.table().empty());

    CHECK(f.lock(f.alice, nlohmann::json::array()).code() == "bad_request");
    CHECK(f.lock(f.alice, "a").code() == "bad_request");
    CHECK(f.lock(f.alice, {1}).code() == "bad_request");
    nlohmann::json many = nlohmann::json::array();
    for (int i = 0; i < 1001; ++i)
        many.push_back("f" + std::to_string(i));
    CHECK(f.lock(f.alice, many).code() == "bad_request");
    nlohmann::json duplicates = nlohmann::json::array();
    for (int i = 0; i < 1500; ++i)
        duplicates.push_back("f" + std::to_string(i % 1000));
    const auto thousand = f.lock(f.alice, duplicates);
    REQUIRE(thousand.status == 200);
    CHECK(thousand.json()["locks"].size() == 1000);
    CHECK(f.lock(f.alice, {"ok"}, {{"intent", std::string(201, 'i')}}).code() == "bad_request");
}

TEST_CASE("the repository's .git directory and names that are not UTF-8 are no lock paths") {
    LockRoom f;
    for (const char* path : {".git", ".git/config", ".GIT/hooks/pre-commit", "sub/.Git/x"}) {
        const auto response = f.lock(f.alice, {path});
        CHECK(response.status == 400);
        CHECK(response.code() == "bad_path");
        CHECK(response.json()["error"].get<std::string>().find(".git directory") !=
              std::string::npos);
    }
    // Names that only look like it are ordinary paths.
    REQUIRE(f.lock(f.alice, {".github/ci.yml", ".gitignore", "repo.git/x"}).status == 200);
    // Bytes that are not UTF-8 cannot even be JSON text: the body is refused as a whole.
    const std::string body = "{\"paths\":[\"odd\xff\"]}";
    CHECK(signed_post(f.client, f.room, f.alice.identity, f.room.path("/locks"), body).status ==
          400);
    CHECK(f.table().size() == 3);
}

TEST_CASE("a refused path is not echoed back whole") {
    LockRoom f;
    const auto response = f.lock(f.alice, {std::string(5000, 'x')});
    CHECK(response.code() == "bad_path");
    const auto error = response.json()["error"].get<std::string>();
    CHECK(error.size() < 200);
    CHECK(error.find("(5000 bytes)") != std::string::npos);
}
