// Tests of libknot/protocol/identity.cpp: keys, key files, signatures and fingerprints.
#include "libknot/base/error.hpp"
#include "libknot/protocol/identity.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

using namespace knot;
namespace fs = std::filesystem;

using knot::test::TempDir;

TEST_CASE("a signature verifies with the signer's key and no other") {
    const auto alice = Identity::generate();
    const auto mallory = Identity::generate();
    const auto sig = alice.sign("message");
    CHECK(verify_signature(alice.public_key(), "message", sig));
    CHECK_FALSE(verify_signature(alice.public_key(), "messagE", sig));
    CHECK_FALSE(verify_signature(mallory.public_key(), "message", sig));
    CHECK_FALSE(verify_signature(alice.public_key(), "message", "garbage"));
    CHECK_FALSE(verify_signature(Bytes{1, 2, 3}, "message", sig));
}

TEST_CASE("a saved key file has mode 0600 and loads back the same identity") {
    TempDir dir;
    const auto id = Identity::generate();
    id.save(dir.path() / "agent.key");
    struct stat st {};
    REQUIRE(::stat((dir.path() / "agent.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(fs::exists(dir.path() / "agent.key.pub"));
    const auto loaded = Identity::load(dir.path() / "agent.key");
    CHECK(loaded.public_key() == id.public_key());
    CHECK(verify_signature(id.public_key(), "x", loaded.sign("x")));
}

TEST_CASE("a key file that others can read is refused, like ssh refuses it") {
    TempDir dir;
    Identity::generate().save(dir.path() / "agent.key");
    ::chmod((dir.path() / "agent.key").c_str(), 0644);
    try {
        Identity::load(dir.path() / "agent.key");
        FAIL("a 0644 key was accepted");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("too open") != std::string::npos);
        CHECK(std::string(e.what()).find("chmod 600") != std::string::npos);
    }
}

TEST_CASE("saving never overwrites an existing key") {
    TempDir dir;
    Identity::generate().save(dir.path() / "agent.key");
    CHECK_THROWS_AS(Identity::generate().save(dir.path() / "agent.key"), Error);
}

TEST_CASE("a missing or malformed key file gives a clear error") {
    TempDir dir;
    CHECK_THROWS_WITH(Identity::load(dir.path() / "none.key"), Catch::Contains("git knot init"));
    {
        std::FILE* f = std::fopen((dir.path() / "bad.key").c_str(), "w");
        std::fputs("hello\n", f);
        std::fclose(f);
    }
    ::chmod((dir.path() / "bad.key").c_str(), 0600);
    CHECK_THROWS_WITH(Identity::load(dir.path() / "bad.key"),
                      Catch::Contains("not a knot identity key"));
}

TEST_CASE("a fingerprint is knot:xxxx-xxxx-xxxx and differs between keys") {
    const auto a = Identity::generate();
    const auto b = Identity::generate();
    CHECK(
        std::regex_match(a.fingerprint(), std::regex("knot:[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}")));
    CHECK(a.fingerprint() == fingerprint_of(a.public_key()));
    CHECK(a.fingerprint() != b.fingerprint());
    // The first 12 hex digits of SHA-256 of 32 zero bytes.
    CHECK(fingerprint_of(Bytes(32, 0)) == "knot:6668-7aad-f862");
}
