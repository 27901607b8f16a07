// End to end: `git knot mcp --stdio` in a clone of a room hosted by `git knot up`, driven by the
// official MCP TypeScript SDK (tests/mcp/client_test.mjs) and by raw JSON-RPC lines.
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace knot::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The answers `git knot mcp --stdio` in `repo` writes for the lines of `input`, one JSON value
// each; REQUIREs that it exits 0 and writes nothing but JSON lines.
std::vector<json> mcp_answers(const fs::path& repo, const std::string& input) {
    const fs::path in = repo / ".git" / "mcp-input";
    std::ofstream(in, std::ios::binary) << input;
    const auto result = sh("git knot mcp --stdio < '" + in.string() + "'", repo);
    INFO(result.err);
    REQUIRE(result.status == 0);
    std::vector<json> answers;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
        answers.push_back(json::parse(line, nullptr, false));
        REQUIRE_FALSE(answers.back().is_discarded());
    }
    return answers;
}

const std::string k_initialize =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26",)"
    R"("capabilities":{},"clientInfo":{"name":"raw","version":"1"}}})"
    "\n";

// The folder where quickstart.sh installed the SDK and the build copied the scripts.
fs::path sdk_dir() {
    const fs::path sdk = fs::path(KNOT_BUILD_DIR) / "tests" / "mcp";
    if (!fs::exists(sdk / "node_modules" / "@modelcontextprotocol" / "sdk"))
        FAIL("the MCP SDK is not installed in " + sdk.string() +
             ": ./quickstart.sh test installs it (npm ci, from tests/mcp/package-lock.json)");
    return sdk;
}

// Runs `node <script> <args>` in the SDK's folder; CHECKs that it says "all ok" and exits 0.
void run_node(const std::string& script, const std::vector<std::string>& args) {
    std::string command = "node " + script;
    for (const auto& arg : args)
        command += " '" + arg + "'";
    const auto run = sh(command, sdk_dir());
    INFO(run.out);
    INFO(run.err);
    CHECK(run.status == 0);
    CHECK(run.out.find("all ok") != std::string::npos);
}

} // namespace

TEST_CASE("the MCP SDK over stdio: every tool, a conflict as isError, resources, subscriptions") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    REQUIRE(sh("git knot lock src/held.c -m 'held by B'", b).status == 0);
    run_node("client_test.mjs", {a.string(), b.string()});
}

TEST_CASE("the MCP SDK over Streamable HTTP: the same, through git knot mcp --port") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    REQUIRE(sh("git knot lock src/held.c -m 'held by B'", b).status == 0);
    BackgroundCommand server("exec git knot mcp --port 0", a);
    const auto url = server.next_line(10000);
    REQUIRE(url);
    CHECK(url->rfind("http://127.0.0.1:", 0) == 0);
    run_node("client_test.mjs", {a.string(), b.string(), *url});
}

TEST_CASE("over HTTP a session is issued, required and ended, and a foreign Origin is refused") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    BackgroundCommand server("exec git knot mcp --port 0", a);
    const auto url = server.next_line(10000);
    REQUIRE(url);
    run_node("http_rules_test.mjs", {*url});
}

TEST_CASE("malformed JSON, a batch, an unknown method and a 10 MiB line get errors, and the "
          "session goes on") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const std::string huge = R"({"jsonrpc":"2.0","id":9,"method":"ping","params":{"x":")" +
                             std::string(10 << 20, 'x') + "\"}}\n";
    const auto answers = mcp_answers(
        a, k_initialize + "{not json\n" + R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])" + "\n" +
               R"({"jsonrpc":"2.0","id":2,"method":"no/such"})" + "\n" + huge +
               R"({"jsonrpc":"2.0","method":"notifications/initialized"})" + "\n" +
               R"({"jsonrpc":"2.0","id":"1.0","params":{},"method":"x"})" + "\n" +
               R"({"jsonrpc":"1.0","id":3,"method":"ping"})" + "\n" +
               R"({"jsonrpc":"2.0","id":4,"method":"ping"})" + "\n");
    REQUIRE(answers.size() == 8);
    CHECK(answers[0]["result"]["protocolVersion"] == "2025-03-26");
    CHECK(answers[1]["error"]["code"] == -32700);
    CHECK(answers[1]["id"].is_null());
    CHECK(answers[2]["error"]["code"] == -32600);
    CHECK(answers[3]["error"]["code"] == -32601);
    CHECK(answers[3]["id"] == 2);
    CHECK(answers[4]["error"]["code"] == -32600); // the 10 MiB line; the notification: no answer
    CHECK(answers[5]["error"]["code"] == -32601);
    CHECK(answers[5]["id"] == "1.0");
    CHECK(answers[6]["error"]["code"] == -32600);
    CHECK(answers[7] == json{{"jsonrpc", "2.0"}, {"id", 4}, {"result", json::object()}});
}

TEST_CASE("an unknown protocol version gets the newest, and a nesting bomb is refused") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const auto answers = mcp_answers(
        a,
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01"}})"
        "\n" +
            std::string(100000, '[') + "\n");
    REQUIRE(answers.size() == 2);
    CHECK(answers[0]["result"]["protocolVersion"] == "2025-11-25");
    CHECK(answers[1]["error"]["code"] == -32700);
}

TEST_CASE("git knot mcp outside a room says why on standard error only, and configs are printed") {
    HostedRoom room;
    const auto c = room.clone("coder-1");
    const auto outside = sh("git knot mcp --stdio </dev/null", c);
    CHECK(outside.status == 128);
    CHECK(outside.out.empty());
    CHECK(outside.err.find("git knot mcp: ") == 0);
    CHECK(sh("git knot mcp", c).status == 129);

    const auto claude = sh("git knot mcp --print-config claude", c);
    REQUIRE(claude.status == 0);
    CHECK(json::parse(claude.out)["mcpServers"]["knot"] ==
          json{{"command", "git"}, {"args", {"knot", "mcp", "--stdio"}}});
    CHECK(sh("git knot mcp --print-config cursor", c).out == claude.out);
    CHECK(sh("git knot mcp --print-config codex", c).out ==
          "codex mcp add knot -- git knot mcp --stdio\n");
    CHECK(sh("git knot mcp --print-config emacs", c).status == 129);
}

TEST_CASE("joining writes the MCP configs for Claude Code and Cursor, excluded, and keeps a "
          "team's own") {
    HostedRoom room;
    const json knot_server = {{"command", "git"}, {"args", {"knot", "mcp", "--stdio"}}};

    const auto a = room.joined("coder-1");
    for (const char* file : {".mcp.json", ".cursor/mcp.json"}) {
        std::ifstream in(a / file);
        REQUIRE(in);
        CHECK(json::parse(in)["mcpServers"]["knot"] == knot_server);
    }
    CHECK(sh("git status --porcelain", a).out.empty()); // excluded, as the playbook is

    // init writes them too, before any room is joined.
    const auto c = room.clone("coder-3");
    const auto initialised = sh("git knot init", c);
    CHECK(initialised.out.find("  mcp    .mcp.json, .cursor/mcp.json") != std::string::npos);
    CHECK(fs::exists(c / ".mcp.json"));
    CHECK(sh("git status --porcelain", c).out.empty());

    // Someone's untracked .mcp.json gets knot beside its own server; a tracked one is left alone.
    const auto b = room.clone("coder-2");
    std::ofstream(b / ".mcp.json") << R"({"mcpServers": {"other": {"command": "other"}}})";
    const std::string tracked = R"({"mcpServers": {}})";
    std::filesystem::create_directories(b / ".cursor");
    std::ofstream(b / ".cursor/mcp.json") << tracked;
    REQUIRE(sh("git add .cursor/mcp.json && git commit -q -m cursor", b).status == 0);
    REQUIRE(sh("git knot join '" + room.invite() + "' --name coder-2", b).status == 0);
    std::ifstream merged(b / ".mcp.json");
    const json config = json::parse(merged);
    CHECK(config["mcpServers"]["knot"] == knot_server);
    CHECK(config["mcpServers"]["other"] == json{{"command", "other"}});
    std::ifstream kept(b / ".cursor/mcp.json");
    CHECK(std::string(std::istreambuf_iterator<char>(kept), {}) == tracked);
}
