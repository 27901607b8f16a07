// End to end: a host runs `git knot init` and `git knot up`, teammates `join` its invite, and
// the room refuses replayed, forged, stale and unsigned writes. Real git, real server.
#include "libknot/client/http_client.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sys/stat.h>

using namespace knot;
using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// True while `pid` runs; a zombie waiting for init to reap it has stopped.
bool process_running(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text))
        return false;
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

std::string read_token(const fs::path& repo) {
    auto text = sh("cat .git/knot/token", repo).out;
    return text.substr(0, 64);
}

} // namespace

TEST_CASE("a host and two teammates make a room of three agents") {
    HostedRoom room;
    const auto a = room.joined("coder-1", "claude");
    const auto b = room.joined("coder-2", "codex");

    const auto status = sh("git knot status --json", b);
    INFO(status.err);
    REQUIRE(status.status == 0);
    const auto json = nlohmann::json::parse(status.out);
    CHECK(json.at("server").at("reachable") == true);
    REQUIRE(json.at("agents").size() == 3);
    std::vector<std::string> names;
    for (const auto& agent : json.at("agents"))
        names.push_back(agent.at("name"));
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"coder-1", "coder-2", "host-1"});
    CHECK(json.at("server_agent").at("name") == "knot");
    CHECK(json.at("counts").at("agents") == 3);

    // whoami marks this agent and the server's own one, with fingerprints.
    const auto whoami = sh("git knot whoami", a);
    REQUIRE(whoami.status == 0);
    CHECK(std::regex_search(whoami.out, std::regex("coder-1 +knot:[0-9a-f-]{14} .*← you")));
    CHECK(whoami.out.find("(server agent)") != std::string::npos);
}

TEST_CASE("joining configures the clone, and joining twice changes nothing") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    CHECK(git_config(a, "knot.name") == "coder-1");
    CHECK(git_config(a, "remote.knot.url").rfind("knot::http://127.0.0.1:", 0) == 0);
    CHECK(git_config(a, "remote.knot.fetch") == "+refs/knot/*:refs/knot/*");
    CHECK(git_config(a, "remote.knot.push") == "HEAD");
    CHECK(fs::exists(a / ".knot" / "playbook.md"));
    // The playbook is excluded from git, file by file.
    CHECK(sh("git status --porcelain --untracked-files=all", a).out.find(".knot/playbook.md") ==
          std::string::npos);
    struct stat st {};
    REQUIRE(::stat((a / ".git/knot/keys/agent.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((a / ".git/knot/token").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    const std::string agent = git_config(a, "knot.agent");
    const std::string exclude_before = sh("cat .git/info/exclude", a).out;
    const auto again = sh("git knot join '" + room.invite() + "' --name coder-1 --json", a);
    REQUIRE(again.status == 0);
    CHECK(git_config(a, "knot.agent") == agent);
    CHECK(sh("cat .git/info/exclude", a).out == exclude_before);
    CHECK(sh("git config --get-all remote.knot.fetch", a).out == "+refs/knot/*:refs/knot/*\n");
    const auto status = nlohmann::json::parse(sh("git knot status --json", a).out);
    CHECK(status.at("agents").size() == 2);
}

TEST_CASE("the room refuses replayed, forged, stale and unsigned writes, saying which check") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const Identity key = Identity::load(a / ".git/knot/keys/agent.key");
    const std::string agent = git_config(a, "knot.agent");
    const std::string token = read_token(a);
    const std::string target = "/v1/rooms/" + git_config(a, "knot.room") + "/heartbeat";
    const std::string body = "{}";
    HttpClient http(git_config(a, "knot.server"));
    auto send = [&](std::map<std::string, std::string> headers) {
        headers["X-Knot-Token"] = token;
        return http.request("POST", target, body, headers);
    };
    auto code_of = [](const HttpResponse& r) {
        return nlohmann::json::parse(r.body).value("code", "");
    };

    const auto headers = sign_request(key, agent, "POST", target, body, unix_now());
    CHECK(send(headers).status == 200);

    SECTION("a replayed request") {
        const auto replay = send(headers);
        CHECK(replay.status == 401);
        CHECK(code_of(replay) == "replayed_nonce");
        CHECK(replay.body.find("replayed") != std::string::npos);
    }
    SECTION("a forged request, signed by another key in this agent's name") {
        const auto forged =
            send(sign_request(Identity::generate(), agent, "POST", target, body, unix_now()));
        CHECK(forged.status == 401);
        CHECK(code_of(forged) == "bad_signature");
    }
    SECTION("a stale request, signed six minutes ago") {
        const auto stale = send(sign_request(key, agent, "POST", target, body, unix_now() - 360));
        CHECK(stale.status == 401);
        CHECK(code_of(stale) == "stale_timestamp");
        CHECK(stale.body.find("5 minutes") != std::string::npos);
    }
    SECTION("an unsigned request") {
        const auto unsigned_write = send({});
        CHECK(unsigned_write.status == 401);
        CHECK(code_of(unsigned_write) == "unsigned");
        CHECK(unsigned_write.body.find("must be signed") != std::string::npos);
    }
}

TEST_CASE("bad input gives one clear line, a documented exit code, and no half-set config") {
    HostedRoom room;
    const auto c = room.clone("c");

    SECTION("a foreign invite URL is a usage error") {
        const auto r = sh("git knot join 'https://github.com/org/repo'", c);
        CHECK(r.status == 129);
        CHECK(r.err.find("not a knot invite URL") != std::string::npos);
    }
    SECTION("a wrong token is refused by the server") {
        std::string bad = room.invite();
        bad.replace(bad.size() - 4, 4, "0000");
        const auto r = sh("git knot join '" + bad + "'", c);
        CHECK(r.status == 3);
        CHECK(r.err.find("invite token does not match") != std::string::npos);
    }
    SECTION("an unreachable server") {
        const auto r = sh("git knot join 'http://127.0.0.1:1/join?room=rm_0123456789abcdef&token=" +
                              std::string(64, 'a') + "'",
                          c);
        CHECK(r.status == 2);
        CHECK(r.err.find("cannot reach the knot server") != std::string::npos);
    }
    SECTION("a name another agent holds") {
        const auto r = sh("git knot join '" + room.invite() + "' --name host-1", c);
        CHECK(r.status == 1);
        CHECK(r.err.find("taken") != std::string::npos);
    }
    // Whatever failed, the clone was left exactly as it was.
    CHECK(git_config(c, "knot.room").empty());
    CHECK(git_config(c, "remote.knot.url").empty());
    CHECK_FALSE(fs::exists(c / ".git/knot/token"));
    CHECK_FALSE(fs::exists(c / ".knot/playbook.md"));
}

TEST_CASE("a key file others can read is refused until it is private again") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    ::chmod((a / ".git/knot/keys/agent.key").c_str(), 0644);
    const auto r = sh("git knot whoami", a);
    CHECK(r.status == 128);
    CHECK(r.err.find("too open") != std::string::npos);
    const auto doctor = sh("git knot doctor", a);
    CHECK(doctor.status == 1);
    CHECK(doctor.out.find("FAIL  identity") != std::string::npos);
    ::chmod((a / ".git/knot/keys/agent.key").c_str(), 0600);
    CHECK(sh("git knot whoami --local", a).status == 0);
}

TEST_CASE("a second up while one runs is refused and the first keeps running") {
    HostedRoom room;
    const auto r = sh("git knot up --port 0 --no-tunnel", room.host());
    CHECK(r.status == 1);
    CHECK(r.err.find("already running") != std::string::npos);
    CHECK(sh("git knot status", room.host()).status == 0);
}

TEST_CASE("down stops the room, status then reports it unreachable, and up brings it back") {
    HostedRoom room;
    const auto a = room.joined("coder-1");
    const std::string room_id = git_config(a, "knot.room");
    REQUIRE(sh("git knot down", room.host()).status == 0);
    const auto status = sh("git knot status --json", room.host());
    CHECK(status.status == 2);
    CHECK(nlohmann::json::parse(status.out).at("server").at("reachable") == false);
    const auto up = sh("git knot up --port 0 --no-tunnel --json", room.host());
    INFO(up.err);
    REQUIRE(up.status == 0);
    const auto again = nlohmann::json::parse(up.out);
    CHECK(again.at("room") == room_id);
    CHECK(again.at("created") == false);
    // The members are all still there after the restart.
    const auto after = nlohmann::json::parse(sh("git knot status --json", room.host()).out);
    CHECK(after.at("agents").size() == 2);
}

TEST_CASE("commands outside a repository, and up without commits, name what to do") {
    prepare_e2e_environment();
    TempDir dir;
    const auto outside = sh("git knot whoami", dir.path());
    CHECK(outside.status == 128);
    CHECK(outside.err.find("not a git repository") != std::string::npos);
    REQUIRE(sh("git init -q empty", dir.path()).status == 0);
    const auto empty = sh("git knot up --no-tunnel --port 0", dir.path() / "empty");
    CHECK(empty.status == 128);
    CHECK(empty.err.find("no commits yet") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path() / "empty/.git/knot/server/server.json"));
}

TEST_CASE("with cloudflared on PATH, up invites through the tunnel's public URL") {
    prepare_e2e_environment();
    TempDir dir;
    const auto host = dir.path() / "host";
    make_repository(host);
    // A stand-in for cloudflared: prints its quick-tunnel banner with a public URL, which here is
    // the local server itself (a tunnel that forwards to the same port).
    const auto bin = dir.path() / "bin";
    fs::create_directories(bin);
    {
        std::ofstream fake(bin / "cloudflared");
        fake << "#!/bin/sh\n"
                "url=\"$4\"\n"
                "echo \"INF Requesting new quick Tunnel on trycloudflare.com...\" >&2\n"
                "echo \"INF |  Your quick Tunnel has been created! Visit it at (it may take some "
                "time to be reachable):  |\" >&2\n"
                "echo \"INF |  $url  |\" >&2\n"
                "exec sleep 600\n";
    }
    ::chmod((bin / "cloudflared").c_str(), 0755);
    const auto up = sh("PATH='" + bin.string() + "':$PATH git knot up --port 0 --json", host);
    INFO(up.err);
    REQUIRE(up.status == 0);
    const auto json = nlohmann::json::parse(up.out);
    CHECK(json.at("tunnel_pid").get<int>() > 0);
    CHECK(json.at("invite").get<std::string>().rfind(json.at("public_url").get<std::string>(), 0) ==
          0);
    const auto c = dir.path() / "c";
    REQUIRE(sh("git clone -q '" + host.string() + "' '" + c.string() + "'", dir.path()).status ==
            0);
    CHECK(sh("git knot join '" + json.at("invite").get<std::string>() + "' --name coder-1", c)
              .status == 0);
    const auto down = sh("git knot down", host);
    CHECK(down.status == 0);
    CHECK(down.out.find("tunnel stopped") != std::string::npos);
    CHECK_FALSE(process_running(json.at("tunnel_pid").get<int>()));
}
