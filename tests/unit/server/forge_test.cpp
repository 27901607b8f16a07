// Tests of server/forge_policy.cpp and the forge-mode routes against the real knot-server: the
// forge is the owner's setting within the host's rules, a member's notification cannot point
// the server anywhere, and forge errors say nothing about the server's files or network.
#include "../../support/temp_repo.hpp"
#include "server_room.hpp"

#include "server/api_error.hpp"
#include "server/forge_policy.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::test;
using knot::server::check_forge;
using knot::server::forge_display;
using knot::server::ForgePolicy;
using knot::server::is_forge_url;

namespace {

const std::string k_zero(40, '0');

nlohmann::json notice(const std::string& ref, const std::string& now,
                      const std::string& forge_url = {}) {
    nlohmann::json body = {
        {"ref", ref}, {"old", k_zero}, {"new", now}, {"paths", nlohmann::json::array()}};
    if (!forge_url.empty())
        body["forge_url"] = forge_url;
    return body;
}

struct Fixture : ServerRoom {
    explicit Fixture(std::vector<std::string> flags = {"--allow-local-forges"})
        : ServerRoom(std::move(flags)) {}
    TempRepo forge;

    ApiResponse set_forge(const std::string& url) {
        return room_post(client, room, room.owner, "/integration/settings", {{"forge_url", url}});
    }
    nlohmann::json refs() { return agent_refs(client, room); }
};

std::string code_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const knot::server::ApiError& error) {
        return std::string(error.code());
    }
    return "accepted";
}

} // namespace

TEST_CASE("the host's rules refuse schemes, passwords and hosts on loopback or private networks") {
    ForgePolicy policy;
    policy.data_dir = "/nonexistent/knot-data";
    for (const char* url :
         {"https://127.0.0.1/x.git", "https://localhost/x.git", "https://[::1]/x.git",
          "https://10.1.2.3/x.git", "https://192.168.0.1/x.git", "https://172.16.5.5/x.git",
          "https://169.254.169.254/latest", "https://[fe80::1]/x.git", "https://[fd00::1]/x",
          "https://[::ffff:127.0.0.1]/x", "https://0.0.0.0/x", "https://100.64.0.1/x"}) {
        INFO(url);
        CHECK(code_of([&] { check_forge(policy, url); }) == "forge_refused");
    }
    for (const char* url :
         {"http://203.0.113.9/x.git", "ssh://git@203.0.113.9/x.git", "git@203.0.113.9:x.git",
          "git://203.0.113.9/x.git", "https://user:secret@203.0.113.9/x.git", "/srv/forge.git",
          "file:///srv/forge.git"}) {
        INFO(url);
        CHECK(code_of([&] { check_forge(policy, url); }) == "forge_refused");
    }
    for (const char* url :
         {"ext::sh -c touch% /tmp/pwned", "-uploadpack=touch", "relative/forge.git", "https://",
          "https://host:99999/x", "file://otherhost/x.git", "ftp://203.0.113.9/x"}) {
        INFO(url);
        CHECK(code_of([&] { check_forge(policy, url); }) == "bad_request");
    }
    // A public address passes, pinned for git so that a later lookup cannot move it.
    const auto target = check_forge(policy, "https://203.0.113.9:8443/team/x.git");
    CHECK(target.url == "https://203.0.113.9:8443/team/x.git");
    CHECK(std::find(target.git_options.begin(), target.git_options.end(),
                    "http.curloptResolve=203.0.113.9:8443:203.0.113.9") !=
          target.git_options.end());
    CHECK(std::find(target.git_options.begin(), target.git_options.end(), "protocol.allow=never") !=
          target.git_options.end());
    // The host may allow more.
    policy.schemes = {"https", "ssh"};
    policy.allow_private_hosts = true;
    CHECK(code_of([&] { check_forge(policy, "git@127.0.0.1:x.git"); }) == "accepted");
    CHECK(code_of([&] { check_forge(policy, "https://localhost/x.git"); }) == "accepted");
}

TEST_CASE("a forge URL is a path, a network URL or scp-like, never an option or a helper") {
    for (const char* url : {"/srv/forge.git", "file:///srv/x.git", "https://h/x.git", "ssh://h/x",
                            "git://h/x", "git@host:team/x.git", "https://[::1]/x.git"})
        CHECK(is_forge_url(url));
    for (const char* url : {"", "-uploadpack=touch", "ext::sh -c x", "relative/x.git", "https://",
                            "ftp://h/x", "a/b:c", ":x", "host:", "https://h/x\n"})
        CHECK_FALSE(is_forge_url(url));
    CHECK_FALSE(is_forge_url(std::string(1025, 'a')));
}

TEST_CASE("a local forge is never the data directory, even where local forges are allowed") {
    TempRepo data;
    ForgePolicy policy;
    policy.allow_local_paths = true;
    policy.data_dir = data.path;
    for (const std::string& url :
         {data.path.string(), (data.path / "repos" / "rm_0123456789abcdef.git").string(),
          "file://" + (data.path / "repos").string(),
          (data.path / "repos" / ".." / "repos" / "x.git").string()}) {
        INFO(url);
        CHECK(code_of([&] { check_forge(policy, url); }) == "forge_refused");
    }
    TempRepo elsewhere;
    CHECK(check_forge(policy, elsewhere.path.string()).url ==
          std::filesystem::canonical(elsewhere.path).string());
}

TEST_CASE("events show a forge without its password and a local forge without its path") {
    CHECK(forge_display("https://me:tok@forge.example/x.git") == "https://forge.example/x.git");
    CHECK(forge_display("https://forge.example/x.git") == "https://forge.example/x.git");
    CHECK(forge_display("git@forge.example:team/x.git") == "git@forge.example:team/x.git");
    CHECK(forge_display("/home/host/forge.git") == "a repository on the server's machine");
}

TEST_CASE("only the owner sets the forge, within the host's rules") {
    Fixture f;
    CHECK(room_post(f.client, f.room, f.alice.identity, "/integration/settings",
                    {{"forge_url", f.forge.path.string()}})
              .code() == "not_owner");
    const auto inside = f.set_forge((f.server.data_dir() / "repos").string());
    CHECK(inside.status == 403);
    CHECK(inside.code() == "forge_refused");
    const auto set = f.set_forge(f.forge.path.string());
    INFO(set.body);
    REQUIRE(set.status == 200);
    // Members see that a local forge is set, not where it is.
    const auto settings = room_get(f.client, f.room, "/integration").json().at("settings");
    CHECK(settings.at("forge") == "a repository on the server's machine");
}

TEST_CASE(
    "a forge notification fetches from the owner's forge, never from a URL the member names") {
    Fixture f;
    const std::string ref = "refs/knot/alice/main";
    const std::string tip = f.forge.commit("a.txt", "one\n");
    f.forge.git({"update-ref", ref, tip});

    // Another room whose repository holds a commit: a member once read its objects and
    // had the server push into it by naming its path as the forge.
    TestRoom other = create_room(f.client, f.server.admin_token(), "other");
    TestMember mallory = join_room(f.client, other, "mallory");
    const std::string other_repo = (f.server.data_dir() / "repos" / (other.id + ".git")).string();

    // No forge set: the notification is refused, whatever URL it names.
    auto refused =
        room_post(f.client, f.room, f.alice.identity, "/git/notify", notice(ref, tip, other_repo));
    CHECK(refused.status == 409);
    CHECK(refused.code() == "no_forge");
    CHECK(refused.body.find(f.server.data_dir().string()) == std::string::npos);

    REQUIRE(f.set_forge(f.forge.path.string()).status == 200);
    // The member's URL is ignored: the owner's forge is what the server reads.
    const auto accepted =
        room_post(f.client, f.room, f.alice.identity, "/git/notify", notice(ref, tip, other_repo));
    INFO(accepted.body);
    REQUIRE(accepted.status == 200);
    CHECK(f.refs() == nlohmann::json{{ref, tip}});
    // Nothing reached the other room.
    CHECK(room_get(f.client, other, "/git/refs").json().at("refs").empty());

    // Another agent's ref, the integration ref and a commit the forge does not have are refused.
    CHECK(room_post(f.client, f.room, f.alice.identity, "/git/notify",
                    notice("refs/knot/bob/main", tip))
              .code() == "not_your_ref");
    CHECK(room_post(f.client, f.room, f.alice.identity, "/git/notify",
                    notice("refs/knot/integration", tip))
              .status == 403);
    const std::string later = f.forge.commit("b.txt", "two\n");
    CHECK(room_post(f.client, f.room, f.alice.identity, "/git/notify",
                    notice("refs/knot/alice/next", later))
              .code() == "forge_unreachable");
    (void)mallory;
}

TEST_CASE("forge failures are told in the same fixed words: no paths, no port or file oracle") {
    Fixture f({"--allow-local-forges", "--allow-private-forges", "--forge-schemes", "https,http"});
    const std::string ref = "refs/knot/alice/main";
    const std::string tip = f.forge.commit("a.txt", "one\n");
    std::vector<std::string> messages;
    // A missing directory, a file that is not a repository, a closed port, an open port that
    // does not speak git (the server's own).
    const std::string closed = "http://127.0.0.1:9/x.git";
    const std::string own = "http://127.0.0.1:" + std::to_string(f.server.port()) + "/x.git";
    for (const std::string& url : {(f.forge.path / "missing.git").string(),
                                   (f.forge.path / "a.txt").string(), closed, own}) {
        INFO(url);
        REQUIRE(f.set_forge(url).status == 200);
        const auto r =
            room_post(f.client, f.room, f.alice.identity, "/git/notify", notice(ref, tip));
        CHECK(r.status == 502);
        CHECK(r.code() == "forge_unreachable");
        const std::string message = r.json().at("error");
        CHECK(message.find(f.forge.path.string()) == std::string::npos);
        CHECK(message.find("127.0.0.1") == std::string::npos);
        messages.push_back(message);
    }
    for (const std::string& message : messages)
        CHECK(message == messages.front());
    CHECK(f.refs().empty());
}

TEST_CASE("a server not told to allow local forges refuses an owner's local path") {
    Fixture f(std::vector<std::string>{});
    for (const std::string& url :
         {f.forge.path.string(), "file://" + f.forge.path.string(), std::string("/etc")}) {
        INFO(url);
        const auto r = f.set_forge(url);
        CHECK(r.status == 403);
        CHECK(r.code() == "forge_refused");
    }
}
