// Tests of `git knot chat --mode agent`'s lines: what an agent may write, what is malformed, and
// the JSON objects written back, one a line.
#include "git-knot/chat_agent.hpp"

#include "libknot/base/error.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::cli;

TEST_CASE("an object with text is a message, with its id when it has one") {
    auto line = parse_agent_line(R"({"text":"taking the parser"})");
    REQUIRE(line.kind == AgentLine::Kind::message);
    CHECK(line.text == "taking the parser");
    CHECK(line.id.is_null());
    line = parse_agent_line(R"({"id":"m-7","text":"hi"})");
    CHECK(line.id == "m-7");
    line = parse_agent_line(R"({"id":12,"text":"hi"})");
    CHECK(line.id == 12);
}

TEST_CASE("a bare JSON string is a message") {
    const auto line = parse_agent_line(R"(  "hello \u00e9"  )");
    REQUIRE(line.kind == AgentLine::Kind::message);
    CHECK(line.text == "hello \xc3\xa9");
}

TEST_CASE("a blank line is skipped") {
    CHECK(parse_agent_line("").kind == AgentLine::Kind::blank);
    CHECK(parse_agent_line(" \t\r").kind == AgentLine::Kind::blank);
}

TEST_CASE("a line that is not JSON is bad_json") {
    for (const char* text : {"hello", "{\"text\":", "\"a\" \"b\"", "\"\xff\""}) {
        INFO(text);
        const auto line = parse_agent_line(text);
        CHECK(line.kind == AgentLine::Kind::malformed);
        CHECK(line.code == "bad_json");
    }
}

TEST_CASE("JSON that is not a message is bad_message, keeping the id it had") {
    for (const char* text : {"42", "[\"hi\"]", "null", "{}", R"({"text":5})", R"({"txt":"hi"})",
                             R"({"text":"hi","to":"coder-2"})", R"({"text":"hi","id":[1]})"}) {
        INFO(text);
        const auto line = parse_agent_line(text);
        CHECK(line.kind == AgentLine::Kind::malformed);
        CHECK(line.code == "bad_message");
        CHECK_FALSE(line.message.empty());
    }
    CHECK(parse_agent_line(R"({"id":"x","txt":"hi"})").id == "x");
}

TEST_CASE("each output line is one JSON object naming what it is") {
    const nlohmann::json event = {
        {"seq", 4}, {"type", "chat.message"}, {"agent", "ag_1"}, {"data", {{"text", "a\x1b[2Jb"}}}};
    const auto line = agent_event_line(event, "coder-1");
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\x1b') == std::string::npos); // escaped as \u001b
    const auto read = nlohmann::json::parse(line);
    CHECK(read.at("event") == event);
    CHECK(read.at("agent_name") == "coder-1");
    CHECK_FALSE(nlohmann::json::parse(agent_event_line(event, "")).contains("agent_name"));

    CHECK(nlohmann::json::parse(agent_sent_line(3, 41, "m-1")) ==
          nlohmann::json{{"sent", {{"line", 3}, {"seq", 41}, {"id", "m-1"}}}});
    CHECK(nlohmann::json::parse(agent_sent_line(3, 41, nullptr)) ==
          nlohmann::json{{"sent", {{"line", 3}, {"seq", 41}}}});
    CHECK(nlohmann::json::parse(agent_error_line("bad_json", "the line is not JSON", 2)) ==
          nlohmann::json{
              {"error", {{"code", "bad_json"}, {"message", "the line is not JSON"}, {"line", 2}}}});
    CHECK(nlohmann::json::parse(agent_error_line("unreachable", "down")) ==
          nlohmann::json{{"error", {{"code", "unreachable"}, {"message", "down"}}}});
    CHECK(nlohmann::json::parse(agent_stream_line("connected")) ==
          nlohmann::json{{"stream", {{"state", "connected"}}}});
    CHECK(
        nlohmann::json::parse(agent_stream_line("reconnecting: connection refused")) ==
        nlohmann::json{{"stream", {{"state", "reconnecting"}, {"message", "connection refused"}}}});
}

TEST_CASE("an error line carries the server's code, or unreachable, or error") {
    CHECK(error_code_of(HttpError(400, "bad_request", "text is empty")) == "bad_request");
    CHECK(error_code_of(UnreachableError("connection refused")) == "unreachable");
    CHECK(error_code_of(Error("something")) == "error");
}
