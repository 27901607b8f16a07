// Tests of libknot/protocol/patch_statement.cpp and wire_patch.cpp: the text an author signs,
// patch ids and refs, and the patch object read back as written.
#include "libknot/base/error.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/patch_statement.hpp"
#include "libknot/protocol/wire_patch.hpp"

#include <catch2/catch.hpp>

using namespace knot;

namespace {

PatchStatement sample() {
    return {"p0123456789",
            "rm_0123456789abcdef",
            "ag_0123456789abcdef",
            std::string(40, 'a'),
            std::string(40, 'b'),
            std::string(64, 'c'),
            1767000000};
}

} // namespace

TEST_CASE("the statement names every field on its own line, with no trailing newline") {
    CHECK(statement_text(sample()) ==
          "knot-patch-v1\npatch p0123456789\nroom rm_0123456789abcdef\nauthor "
          "ag_0123456789abcdef\nbase " +
              std::string(40, 'a') + "\ntip " + std::string(40, 'b') + "\nmessage-sha256 " +
              std::string(64, 'c') + "\ntime 1767000000");
}

TEST_CASE("a signature over a statement fails once any field changes") {
    const Identity author = Identity::generate();
    const std::string signature = author.sign(statement_text(sample()));
    CHECK(verify_signature(author.public_key(), statement_text(sample()), signature));
    auto other_tip = sample();
    other_tip.tip = std::string(40, 'd');
    CHECK_FALSE(verify_signature(author.public_key(), statement_text(other_tip), signature));
    auto other_room = sample();
    other_room.room = "rm_fedcba9876543210";
    CHECK_FALSE(verify_signature(author.public_key(), statement_text(other_room), signature));
    auto later = sample();
    later.time += 1;
    CHECK_FALSE(verify_signature(author.public_key(), statement_text(later), signature));
}

TEST_CASE("a patch id is p and 10 lower-case hex digits, and fresh ones are") {
    CHECK(is_patch_id("p0123456789"));
    CHECK(is_patch_id(new_patch_id()));
    CHECK(new_patch_id() != new_patch_id());
    CHECK_FALSE(is_patch_id("p012345678"));
    CHECK_FALSE(is_patch_id("p0123456789a"));
    CHECK_FALSE(is_patch_id("P0123456789"));
    CHECK_FALSE(is_patch_id("p012345678G"));
    CHECK_FALSE(is_patch_id("../../etc/x"));
}

TEST_CASE("only refs/knot/<name>/patches/<something> is a patch ref") {
    CHECK(patch_ref("ana", "p0123456789") == "refs/knot/ana/patches/p0123456789");
    CHECK(is_patch_ref("refs/knot/ana/patches/p0123456789"));
    CHECK(is_patch_ref("refs/knot/ana/patches/anything"));
    CHECK_FALSE(is_patch_ref("refs/knot/ana/patches/"));
    CHECK_FALSE(is_patch_ref("refs/knot/ana/main"));
    CHECK_FALSE(is_patch_ref("refs/knot/patches/p0123456789"));
    CHECK_FALSE(is_patch_ref("refs/knot//patches/p0123456789"));
    CHECK_FALSE(is_patch_ref("refs/knot/ana/feature/patches/p1"));
    CHECK_FALSE(is_patch_ref("refs/heads/ana/patches/p0123456789"));
}

TEST_CASE("a patch object reads back as written, its run null until a merge") {
    wire::Patch patch;
    patch.id = "p0123456789";
    patch.author = "ag_0123456789abcdef";
    patch.base = std::string(40, 'a');
    patch.tip = std::string(40, 'b');
    patch.statement = "knot-patch-v1";
    patch.signature = "c2ln";
    patch.verdicts.push_back({"ag_1", "bo", "reject", "needs a test", 5});
    const nlohmann::json written = patch;
    CHECK(written.at("run").is_null());
    const auto read = written.get<wire::Patch>();
    CHECK(read.id == patch.id);
    CHECK_FALSE(read.run);
    REQUIRE(read.verdicts.size() == 1);
    CHECK(read.verdicts[0].reason == "needs a test");
    patch.run = wire::PatchRun{4, "integrated", "pass"};
    const auto merged = nlohmann::json(patch).get<wire::Patch>();
    REQUIRE(merged.run);
    CHECK(merged.run->review == "pass");
    nlohmann::json wrong = patch;
    wrong["approvals"] = "one";
    CHECK_THROWS_AS(wrong.get<wire::Patch>(), Error);
}
