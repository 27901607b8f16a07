// End to end: relay agents, members with no clone (git knot join outside a repository), and
// git knot upgrade carrying one into a clone, against a room hosted by `git knot up`.
#include "tests/support/hosted_room.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// A place outside any repository with its own config folder, where commands act as its relay.
class RelayPlace {
public:
    RelayPlace() {
        prepare_e2e_environment();
        fs::create_directories(dir());
    }
    fs::path dir() const { return m_temp.path() / "outside"; }
    fs::path config() const { return m_temp.path() / "config"; }
    // `command` run outside any repository as the relay agent.
    ShellResult run(const std::string& command) const { return in(dir(), command); }
    // `command` run in `where` with this place's config folder.
    ShellResult in(const fs::path& where, const std::string& command) const {
        return sh("export XDG_CONFIG_HOME='" + config().string() + "'; " + command, where);
    }
    fs::path relay_dir(const std::string& room) const { return config() / "knot" / "relay" / room; }

private:
    TempDir m_temp;
};

std::string room_of(const std::string& invite) {
    const auto at = invite.find("room=");
    return invite.substr(at + 5, 19);
}

nlohmann::json json_of(const ShellResult& result) {
    INFO(result.err);
    REQUIRE(result.status == 0);
    return nlohmann::json::parse(result.out);
}

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE(
    "a relay agent joins outside a repository, then chats, plans and claims, but may not lock") {
    HostedRoom room;
    const RelayPlace relay;
    const auto joined =
        relay.run("git knot join --name scout --kind claude '" + room.invite() + "'");
    INFO(joined.err);
    REQUIRE(joined.status == 0);
    CHECK(joined.out.find("as a relay agent") != std::string::npos);
    const fs::path folder = relay.relay_dir(room_of(room.invite()));
    CHECK(mode_of(folder) == 0700);
    CHECK(mode_of(folder / "agent.key") == 0600);
    CHECK(mode_of(folder / "token") == 0600);

    const auto me = json_of(relay.run("git knot whoami --json"));
    CHECK(me.at("relay") == true);
    CHECK(me.at("name") == "scout");
    bool listed = false;
    for (const auto& member : me.at("members"))
        if (member.at("name") == "scout")
            listed = member.at("capabilities").front() == "relay";
    CHECK(listed);
    CHECK(relay.run("git knot whoami").out.find("← you (relay: no clone)") != std::string::npos);
    CHECK(relay.run("git knot status").out.find("online, relay") != std::string::npos);

    REQUIRE(relay.run("git knot say 'from the relay'").status == 0);
    // An agent's chat pipe works with no clone: its line goes out and is acknowledged.
    const auto piped = relay.run("echo '{\"text\": \"piped from the relay\"}' | "
                                 "git knot chat --mode agent --history 0");
    INFO(piped.err);
    REQUIRE(piped.status == 0);
    CHECK(piped.out.find("{\"sent\":{\"line\":1") != std::string::npos);
    // Its planner is the user's own (global config); with no clone it sees the board only.
    std::ofstream(relay.dir() / "planner.sh")
        << "cat > /dev/null\nprintf '[{\"title\": \"write the guide\", \"files\": "
           "[\"docs/guide.md\"]}]'\n";
    const auto planned = relay.run("GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=knot.planner "
                                   "GIT_CONFIG_VALUE_0='sh " +
                                   (relay.dir() / "planner.sh").string() +
                                   "' git knot plan --yes 'a guide for users'");
    INFO(planned.err);
    REQUIRE(planned.status == 0);
    CHECK(planned.out.find("write the guide") != std::string::npos);
    REQUIRE(relay.run("git knot plan -t 'write the docs'").status == 0);
    const auto claimed = relay.run("git knot claim t2");
    INFO(claimed.err);
    REQUIRE(claimed.status == 0);
    CHECK(claimed.out.find("no worktree") != std::string::npos);

    // A teammate in a clone sees the relay's message and claim.
    const auto bo = room.joined("bo");
    const auto log = sh("git knot log", bo);
    CHECK(log.out.find("scout: from the relay") != std::string::npos);
    CHECK(log.out.find("scout: piped from the relay") != std::string::npos);
    CHECK(log.out.find("relay: no clone") != std::string::npos);
    const auto tasks = json_of(sh("git knot tasks --json", bo));
    CHECK(tasks.at("tasks").at(0).at("files") == nlohmann::json::array({"docs/guide.md"}));
    CHECK(tasks.at("tasks").at(1).at("claimed_by_name") == "scout");

    // The server refuses the lock, whatever the client: git-knot sends it signed as usual.
    const auto lock = relay.run("git knot lock README.md");
    CHECK(lock.status == 1);
    CHECK(lock.err.find("'scout' is a relay agent (no clone) and may not lock paths") !=
          std::string::npos);
    CHECK(lock.err.find("git knot upgrade") != std::string::npos);
    const auto doing = relay.run("git knot doing 'docs' --files README.md");
    CHECK(doing.status == 1);
    CHECK(json_of(sh("git knot locks --json", bo)).at("locks").empty());

    // What needs a clone says so before asking the server.
    const auto sync = relay.run("git knot sync");
    CHECK(sync.status == 1);
    CHECK(sync.err.find("this needs a clone of the room's repository, and 'scout' is the relay "
                        "agent of room") != std::string::npos);
}

TEST_CASE("upgrade carries a relay agent into a fresh clone, keeping its key, name and tasks") {
    HostedRoom room;
    const RelayPlace relay;
    REQUIRE(relay.run("git knot join --name scout '" + room.invite() + "'").status == 0);
    const auto before = json_of(relay.run("git knot whoami --json --local"));
    REQUIRE(relay.run("git knot plan -t 'port the parser'").status == 0);
    REQUIRE(relay.run("git knot claim t1").status == 0);

    const auto clone = room.clone("fresh");
    const auto upgraded = relay.in(clone, "git knot upgrade");
    INFO(upgraded.err);
    REQUIRE(upgraded.status == 0);
    CHECK(upgraded.out.find("upgraded scout in room") != std::string::npos);
    CHECK_FALSE(fs::exists(relay.relay_dir(room_of(room.invite()))));

    const auto after = json_of(sh("git knot whoami --json", clone));
    CHECK(after.at("public_key") == before.at("public_key"));
    CHECK(after.at("name") == "scout");
    CHECK(after.at("relay") == false);
    const auto tasks = json_of(sh("git knot tasks --json", clone));
    CHECK(tasks.at("tasks").at(0).at("claimed_by") == after.at("agent"));

    // It gained lock and push.
    REQUIRE(sh("git knot lock notes.txt", clone).status == 0);
    const auto pushed =
        sh("echo more > notes.txt && git add notes.txt && git commit -qm more && git push -q knot",
           clone);
    INFO(pushed.err);
    REQUIRE(pushed.status == 0);
    CHECK(sh("git rev-parse -q --verify refs/knot/scout/main", clone).status == 0);
    CHECK(sh("git knot log", clone).out.find("scout moved from relay into a clone") !=
          std::string::npos);
    // Outside the clone there is no relay agent any more.
    const auto gone = relay.run("git knot status");
    CHECK(gone.status == 128);
    CHECK(gone.err.find("no relay agent here") != std::string::npos);
}

TEST_CASE("upgrade is refused in a clone that is already another agent of the room") {
    HostedRoom room;
    const RelayPlace relay;
    REQUIRE(relay.run("git knot join --name scout '" + room.invite() + "'").status == 0);
    const auto bo = room.joined("bo");
    const auto refused = relay.in(bo, "git knot upgrade");
    CHECK(refused.status == 1);
    CHECK(refused.err.find("this clone is already agent 'bo' of room") != std::string::npos);
    CHECK(refused.err.find("fresh clone") != std::string::npos);
    CHECK(fs::exists(relay.relay_dir(room_of(room.invite())) / "agent.key"));
    CHECK(git_config(bo, "knot.name") == "bo");
    // Still a relay: the server still refuses it a lock.
    CHECK(relay.run("git knot lock README.md").status == 1);
}

TEST_CASE("outside a repository with no relay agent, commands say how to join as one") {
    const RelayPlace relay;
    const auto tasks = relay.run("git knot tasks");
    CHECK(tasks.status == 128);
    CHECK(tasks.err.find("'git knot join <invite-url>' here to join as a relay agent") !=
          std::string::npos);
    const auto upgrade = relay.run("git knot upgrade");
    CHECK(upgrade.status == 128);
}
