// Tests of libknot/client/relay_home.cpp: where a relay agent's folder is, which one commands act
// as, and what it keeps.
#include "libknot/base/error.hpp"
#include "libknot/client/relay_home.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <sys/stat.h>

using namespace knot;
namespace fs = std::filesystem;

namespace {

// Sets an environment variable for one test and puts back what was there.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::optional<std::string>& value)
        : m_name(name) {
        if (const char* old = std::getenv(name))
            m_old = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

RoomConfig room_named(const std::string& room) {
    return {"http://127.0.0.1:1", room, std::string(64, 'a'), "ag_0123456789abcdef"};
}

mode_t mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE("the relay folder is under XDG_CONFIG_HOME, else ~/.config, never a relative one") {
    const test::TempDir dir;
    const ScopedEnv home("HOME", dir.path().string());
    {
        const ScopedEnv xdg("XDG_CONFIG_HOME", (dir.path() / "cfg").string());
        CHECK(RelayHome::root() == dir.path() / "cfg" / "knot" / "relay");
    }
    const ScopedEnv relative("XDG_CONFIG_HOME", std::string("cfg"));
    CHECK(RelayHome::root() == dir.path() / ".config" / "knot" / "relay");
}

TEST_CASE("commands act as the only relay agent, as KNOT_ROOM's among several, else say why") {
    const test::TempDir dir;
    const ScopedEnv xdg("XDG_CONFIG_HOME", dir.path().string());
    const ScopedEnv none("KNOT_ROOM", std::nullopt);
    CHECK_FALSE(RelayHome::select().has_value());
    CHECK_THROWS_WITH(RelayHome::select_outside_clone(),
                      Catch::Contains("git knot join <invite-url>' here to join as a relay agent"));

    const Identity identity = Identity::generate();
    RelayHome::of("rm_00000000000000a1")
        .save(identity, room_named("rm_00000000000000a1"), "ana", "claude");
    REQUIRE(RelayHome::select().has_value());
    CHECK(RelayHome::select()->room().room == "rm_00000000000000a1");

    RelayHome::of("rm_00000000000000b2")
        .save(Identity::generate(), room_named("rm_00000000000000b2"), "ana", "claude");
    CHECK_THROWS_WITH(RelayHome::select(),
                      Catch::Contains("several rooms (rm_00000000000000a1, rm_00000000000000b2)") &&
                          Catch::Contains("KNOT_ROOM"));
    {
        const ScopedEnv chosen("KNOT_ROOM", std::string("rm_00000000000000b2"));
        CHECK(RelayHome::select()->room().room == "rm_00000000000000b2");
    }
    {
        const ScopedEnv unknown("KNOT_ROOM", std::string("rm_00000000000000c3"));
        CHECK_THROWS_WITH(RelayHome::select(), Catch::Contains("has no relay identity"));
    }
    const ScopedEnv malformed("KNOT_ROOM", std::string("../x"));
    CHECK_THROWS_AS(RelayHome::select(), UsageError);
}

TEST_CASE("a relay folder keeps the key private and reads back what was saved") {
    const test::TempDir dir;
    const ScopedEnv xdg("XDG_CONFIG_HOME", dir.path().string());
    const Identity identity = Identity::generate();
    RelayHome home = RelayHome::of("rm_00000000000000a1");
    home.save(identity, room_named("rm_00000000000000a1"), "ana", "codex");
    CHECK(mode_of(home.dir()) == 0700);
    CHECK(mode_of(home.key_path()) == 0600);
    CHECK(mode_of(home.dir() / "token") == 0600);
    CHECK(home.identity().public_key() == identity.public_key());
    CHECK(home.agent_name() == "ana");
    CHECK(home.agent_kind() == "codex");
    CHECK(home.room().agent_id == "ag_0123456789abcdef");

    // Like ssh, a key others can read is refused.
    REQUIRE(::chmod(home.key_path().c_str(), 0644) == 0);
    CHECK_THROWS_WITH(home.identity(), Catch::Contains("permissions"));

    // A folder others can write is refused: they could swap in a room (and token) of theirs.
    REQUIRE(::chmod(home.key_path().c_str(), 0600) == 0);
    REQUIRE(::chmod(home.dir().c_str(), 0777) == 0);
    CHECK_THROWS_WITH(home.identity(), Catch::Contains("writable by others"));
    CHECK_THROWS_WITH(home.room(), Catch::Contains("writable by others"));
    REQUIRE(::chmod(home.dir().c_str(), 0700) == 0);

    // A damaged room file names itself and how to repair it.
    std::ofstream(home.dir() / "room.json") << "{\"server\": 1}";
    CHECK_THROWS_WITH(home.room(),
                      Catch::Contains("room.json is damaged") && Catch::Contains("git knot join"));
    home.remove();
    CHECK_FALSE(fs::exists(home.dir()));
}
