// End to end: `git knot chat --mode agent` between two agents' clones, each holding a pipe open:
// messages go in as JSON lines and come back to both as event lines, a malformed line is answered
// with an error object while the pipe goes on, a stopped server is reported and the stream
// resumes when it is back, and the end of input ends the chat with status 0.
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <deque>
#include <functional>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// An agent's `git knot chat --mode agent`, whose every output line must be one JSON object with
// exactly one of "event", "sent", "error" and "stream".
class AgentChat {
public:
    AgentChat(const fs::path& clone, const std::string& options = "--history 0")
        : m_chat("exec git knot chat --mode agent " + options, clone) {}

    void send(const std::string& line) { m_chat.write(line + "\n"); }
    void close() { m_chat.close_input(); }
    int wait() { return m_chat.wait(); }

    // The first output line not yet taken for which `match` holds; FAILs when none comes within
    // a minute. Lines passed over are kept for later calls: a message's event and its
    // acknowledgement may come in either order.
    nlohmann::json next(const std::function<bool(const nlohmann::json&)>& match) {
        for (auto it = m_passed.begin(); it != m_passed.end(); ++it)
            if (match(*it)) {
                auto value = std::move(*it);
                m_passed.erase(it);
                return value;
            }
        while (auto line = m_chat.next_line(60000)) {
            INFO(*line);
            auto value = nlohmann::json::parse(*line); // throws on anything but JSON
            REQUIRE(value.is_object());
            int kinds = 0;
            for (const char* kind : {"event", "sent", "error", "stream"})
                kinds += value.contains(kind) ? 1 : 0;
            CHECK(kinds == 1);
            if (match(value))
                return value;
            m_passed.push_back(std::move(value));
        }
        FAIL("the line expected never came");
        return {};
    }
    // The event line of the chat message `text`.
    nlohmann::json message(const std::string& text) {
        return next([&](const auto& line) {
            return line.contains("event") && line["event"]["type"] == "chat.message" &&
                   line["event"]["data"]["text"] == text;
        });
    }
    // The acknowledgement of input line `number`.
    nlohmann::json sent(int number) {
        return next([&](const auto& line) {
            return line.contains("sent") && line["sent"]["line"] == number;
        });
    }
    nlohmann::json connected() {
        return next([](const auto& line) {
            return line.contains("stream") && line["stream"]["state"] == "connected";
        });
    }

private:
    BackgroundCommand m_chat;
    std::deque<nlohmann::json> m_passed;
};

} // namespace

TEST_CASE("two agents chat through their agent-mode pipes, each message acknowledged") {
    HostedRoom room;
    const auto a_clone = room.joined("coder-1");
    const auto b_clone = room.joined("coder-2");
    AgentChat a(a_clone);
    AgentChat b(b_clone);
    a.connected();
    b.connected();

    a.send(R"({"text":"taking the parser, keep off src/parse.c","id":"a-1"})");
    const auto ack = a.sent(1);
    CHECK(ack["sent"]["id"] == "a-1");
    const auto heard = b.message("taking the parser, keep off src/parse.c");
    CHECK(heard["event"]["seq"] == ack["sent"]["seq"]);
    CHECK(heard["agent_name"] == "coder-1");
    CHECK(heard["event"].contains("hash"));

    b.send(R"("ok, I take the lexer")"); // a bare JSON string is a message too
    const auto answer = a.message("ok, I take the lexer");
    CHECK(answer["agent_name"] == "coder-2");
    CHECK(b.sent(1)["sent"]["seq"] == answer["event"]["seq"]);

    a.close();
    b.close();
    CHECK(a.wait() == 0);
    CHECK(b.wait() == 0);
}

TEST_CASE("a malformed line gets an error object and the pipe goes on") {
    HostedRoom room;
    AgentChat chat(room.joined("coder-1"));
    chat.send("hello, not JSON");
    chat.send(R"({"txt":"a typo","id":9})");
    chat.send("");
    chat.send(R"({"text":""})"); // the server's own refusal, with its code
    chat.send(R"({"text":"still here"})");
    const auto not_json = chat.next([](const auto& line) { return line.contains("error"); });
    CHECK(not_json["error"]["code"] == "bad_json");
    CHECK(not_json["error"]["line"] == 1);
    const auto typo = chat.next([](const auto& line) { return line.contains("error"); });
    CHECK(typo["error"]["code"] == "bad_message");
    CHECK(typo["error"]["line"] == 2);
    CHECK(typo["error"]["id"] == 9);
    const auto empty = chat.next([](const auto& line) { return line.contains("error"); });
    CHECK(empty["error"]["line"] == 4); // the blank line 3 is skipped without an answer
    CHECK_FALSE(empty["error"]["code"].get<std::string>().empty());
    CHECK(chat.sent(5)["sent"]["seq"].get<int>() > 0);
    chat.message("still here");
}

TEST_CASE("the end of input ends agent chat with status 0 once its messages are in") {
    HostedRoom room;
    const auto clone = room.joined("coder-1");
    // Written and closed at once: the chat still acknowledges the message and shows its event.
    const auto run = sh("printf '%s\\n' '{\"text\":\"one and done\"}' | "
                        "git knot chat --mode agent --history 0",
                        clone);
    INFO(run.out << run.err);
    CHECK(run.status == 0);
    CHECK(run.out.find(R"("sent":{"line":1)") != std::string::npos);
    CHECK(run.out.find(R"("text":"one and done")") != std::string::npos);
}

TEST_CASE("with the server stopped a message is an unreachable error, and chat resumes after") {
    HostedRoom room;
    AgentChat chat(room.joined("coder-1"));
    chat.connected();
    REQUIRE(sh("git knot down", room.host()).status == 0);
    chat.send(R"({"text":"anyone there?","id":"lost"})");
    const auto error = chat.next([](const auto& line) { return line.contains("error"); });
    CHECK(error["error"]["code"] == "unreachable");
    CHECK(error["error"]["id"] == "lost");
    REQUIRE(sh("git knot up --no-tunnel", room.host()).status == 0);
    chat.connected(); // the stream came back on its own
    chat.send(R"({"text":"back again"})");
    chat.sent(2);
    chat.message("back again");
    chat.close();
    CHECK(chat.wait() == 0);
}

TEST_CASE("agent chat replays --history events first, as event lines") {
    HostedRoom room;
    const auto clone = room.joined("coder-1");
    REQUIRE(sh("git knot say 'said before'", clone).status == 0);
    AgentChat chat(clone, "--history 5");
    const auto earlier = chat.message("said before");
    CHECK(earlier["agent_name"] == "coder-1");
}

TEST_CASE("agent chat that cannot reach the server at the start says so as a JSON line") {
    HostedRoom room;
    const auto clone = room.joined("coder-1");
    REQUIRE(sh("git knot down", room.host()).status == 0);
    const auto run = sh("git knot chat --mode agent </dev/null", clone);
    INFO(run.out << run.err);
    CHECK(run.status == 2);                           // server unreachable, as every command exits
    const auto line = nlohmann::json::parse(run.out); // one line, nothing else
    CHECK(line.at("error").at("code") == "unreachable");
    CHECK_FALSE(line.at("error").contains("line"));
}
