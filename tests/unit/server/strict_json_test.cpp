// Tests of server/strict_json.cpp: one reading of a body, or a 400.
#include "server/api_error.hpp"
#include "server/strict_json.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

using knot::server::ApiError;
using knot::server::parse_strict_json;

namespace {

// The reason a body is refused, or "" when it is accepted.
std::string refusal(const std::string& text) {
    try {
        parse_strict_json(text);
    } catch (const ApiError& error) {
        CHECK(error.status() == 400);
        CHECK(error.code() == "bad_json");
        return error.what();
    }
    return "";
}

} // namespace

TEST_CASE("a well-formed body is read as its value, white space around it allowed") {
    CHECK(parse_strict_json(" {\"a\": [1, {\"b\": null}], \"c\": \"\\u00e9\"}\n") ==
          nlohmann::json{{"a", {1, {{"b", nullptr}}}}, {"c", "\xc3\xa9"}});
    CHECK(parse_strict_json("[]") == nlohmann::json::array());
    // The same key in two different objects is not a duplicate.
    CHECK(refusal(R"({"a": {"k": 1}, "b": {"k": 2}})").empty());
}

TEST_CASE("text that lenient readers accept two ways is refused") {
    CHECK(refusal("\xEF\xBB\xBF{}").find("byte-order mark") != std::string::npos);
    CHECK(refusal(std::string("{}\0", 3)).find("NUL") != std::string::npos);
    CHECK(refusal(std::string("{}\0{\"x\":1}", 10)).find("NUL") != std::string::npos);
    CHECK(refusal(R"({"name": "a", "name": "b"})").find("\"name\" appears twice") !=
          std::string::npos);
    CHECK(refusal(R"({"a": {"k": 1, "k": 2}})").find("appears twice") != std::string::npos);
    CHECK_FALSE(refusal("{} {}").empty());
    CHECK_FALSE(refusal("{}x").empty());
    CHECK_FALSE(refusal("{\"a\": \"\xff\"}").empty()); // not UTF-8
    CHECK_FALSE(refusal("{\"a\": 1,}").empty());
    CHECK_FALSE(refusal("").empty());
}

TEST_CASE("nesting is bounded, and a megabyte of brackets is refused without recursion") {
    std::string ok;
    for (std::size_t i = 0; i < knot::server::k_max_json_depth; ++i)
        ok += "[";
    ok += std::string(knot::server::k_max_json_depth, ']');
    CHECK(refusal(ok).empty());
    CHECK(refusal("[" + ok + "]").find("deeper than") != std::string::npos);
    const std::string deep = std::string(1 << 20, '[') + std::string(1 << 20, ']');
    CHECK(refusal(deep).find("deeper than") != std::string::npos);
}
