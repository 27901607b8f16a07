// Tests of server/routes/patches.cpp against the real server: what a hostile member sends is
// refused before anything is stored (the end-to-end test covers the patches that are stored).
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/patch_statement.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server_room.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::test;

namespace {

const std::string k_base(40, 'a');
const std::string k_tip(40, 'b');

// A patch body as `author` would send it, signed by `signer` (the author unless said).
nlohmann::json patch_body(const TestRoom& room, const TestMember& author, const Identity& signer,
                          const std::string& message = "a change", std::int64_t time = unix_now()) {
    const std::string id = "p0123456789";
    return {{"id", id},
            {"kind", "submitted"},
            {"base", k_base},
            {"tip", k_tip},
            {"message", message},
            {"time", time},
            {"signature", signer.sign(statement_text({id, room.id, author.id, k_base, k_tip,
                                                      sha256_hex(message), time}))}};
}

} // namespace

TEST_CASE("a patch signed by another key than its sender's is refused as bad_statement") {
    ServerRoom f;
    const TestMember bob = join_room(f.client, f.room, "bob");
    const std::int64_t before = f.last_seq();
    CHECK(f.post(bob.identity, "/patches", patch_body(f.room, bob, f.alice.identity)).code() ==
          "bad_statement");
    // Signed for another room, the same key and fields do not verify either.
    TestRoom elsewhere = f.room;
    elsewhere.id = "rm_0000000000000000";
    CHECK(f.post(bob.identity, "/patches", patch_body(elsewhere, bob, bob.identity)).code() ==
          "bad_statement");
    CHECK(f.last_seq() == before);
}

TEST_CASE("a well-signed patch whose tip was never pushed is refused as patch_not_pushed") {
    ServerRoom f;
    const auto refused =
        f.post(f.alice.identity, "/patches", patch_body(f.room, f.alice, f.alice.identity));
    CHECK(refused.code() == "patch_not_pushed");
    CHECK(refused.json()["error"].get<std::string>().find("refs/knot/alice/patches/p0123456789") !=
          std::string::npos);
    CHECK(room_get(f.client, f.room, "/patches").json()["patches"].empty());
}

TEST_CASE("a patch's fields are checked before its signature") {
    ServerRoom f;
    auto with = [&](const char* field, const nlohmann::json& value) {
        nlohmann::json body = patch_body(f.room, f.alice, f.alice.identity);
        body[field] = value;
        return f.post(f.alice.identity, "/patches", body).code();
    };
    CHECK(with("id", "p01234") == "bad_request");
    CHECK(with("id", "../../x") == "bad_request");
    CHECK(with("kind", "merged") == "bad_request");
    CHECK(with("base", "HEAD") == "bad_request");
    CHECK(with("tip", k_base) == "bad_request");
    CHECK(with("message", "") == "bad_request");
    CHECK(with("message", std::string(4097, 'm')) == "bad_request");
    CHECK(with("time", unix_now() - 3600) == "bad_request");
    CHECK(with("time", "now") == "bad_request");
    CHECK(with("signature", 5) == "bad_request");
}

TEST_CASE("an unknown or malformed patch id is unknown_patch on every route") {
    ServerRoom f;
    CHECK(room_get(f.client, f.room, "/patches/p0123456789").code() == "unknown_patch");
    CHECK(room_get(f.client, f.room, "/patches/nonsense").code() == "unknown_patch");
    CHECK(f.post(f.alice.identity, "/patches/p0123456789/approve").code() == "unknown_patch");
    CHECK(f.post(f.alice.identity, "/patches/p0123456789/reject", {{"reason", "no"}}).code() ==
          "unknown_patch");
    CHECK(f.post(f.alice.identity, "/patches/p0123456789/merge").code() == "unknown_patch");
    CHECK(f.post(f.alice.identity, "/patches/p0123456789/reject").code() == "bad_request");
}
