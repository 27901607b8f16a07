// Tests of the streaming pack scanner: real packs made by git pass in any chunking, and packs
// that would expand past a limit are refused from the bytes that say so.
#include "../../support/shell.hpp"
#include "../../support/temp_dir.hpp"
#include "pack_builder.hpp"

#include "server/pack_scan.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace knot;
using namespace knot::test;
using knot::server::PackLimits;
using knot::server::PackRefused;
using knot::server::PackScanner;
using knot::server::scan_pack;
namespace fs = std::filesystem;

namespace {

// The code a refused scan throws, or "" when the pack passes.
std::string refusal(std::string_view pack, const PackLimits& limits = {}) {
    try {
        scan_pack(pack, limits);
        return "";
    } catch (const PackRefused& refused) {
        return std::string(refused.code());
    }
}

// A pack made by git of a repository with similar files, so that it holds deltas.
std::string git_pack(const fs::path& dir) {
    prepare_e2e_environment();
    make_repository(dir / "repo");
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += "line " + std::to_string(i) + " of a file that changes a little each commit\n";
    for (int round = 0; round < 5; ++round) {
        std::ofstream(dir / "repo" / "file.txt") << text << "round " << round << "\n";
        std::ofstream(dir / "repo" / ("new" + std::to_string(round) + ".txt")) << round;
        REQUIRE(
            sh("git add -A && git commit -q -m r" + std::to_string(round), dir / "repo").status ==
            0);
    }
    REQUIRE(sh("git repack -adq && git rev-parse HEAD | git pack-objects -q --revs --stdout "
               "--delta-base-offset > ../pack.bin",
               dir / "repo")
                .status == 0);
    std::ifstream in(dir / "pack.bin", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("a pack made by git passes whole and fed one byte at a time") {
    TempDir dir;
    const std::string pack = git_pack(dir.path());
    CHECK(refusal(pack).empty());

    PackScanner scanner({});
    for (const char c : pack)
        scanner.feed(&c, 1);
    scanner.finish();
    // 5 commits, 5 trees, 5 versions of file.txt (most as deltas), 5 new files, the initial
    // commit's objects.
    CHECK(scanner.object_count() >= 20);
    CHECK(scanner.expanded_bytes() > 5 * 400 * 40);
}

TEST_CASE("a delta that makes 1 GiB is refused from its first bytes, before inflating it") {
    const std::string bomb = delta_bomb(std::uint64_t{1} << 30);
    CHECK(bomb.size() < 1024);
    CHECK(refusal(bomb) == "object_too_large");
    // Below the object limit, the same shape passes.
    CHECK(refusal(delta_bomb(std::uint64_t{1} << 20)).empty());
}

TEST_CASE("objects that together expand past the pack's limit are refused") {
    PackBuilder builder;
    for (int i = 0; i < 4; ++i)
        builder.add(PackType::blob, std::string(1 << 20, static_cast<char>('a' + i)));
    const std::string pack = builder.finish();
    PackLimits limits;
    limits.max_expanded_bytes = 3 << 20;
    CHECK(refusal(pack, limits) == "pack_too_large");
    limits.max_expanded_bytes = 4 << 20;
    CHECK(refusal(pack, limits).empty());
    limits.max_object_bytes = (1 << 20) - 1;
    CHECK(refusal(pack, limits) == "object_too_large");
}

TEST_CASE("an object that inflates to more or less than it declares is refused") {
    PackBuilder longer;
    longer.add_raw(PackType::blob, 5, "ten bytes!");
    CHECK(refusal(longer.finish()) == "bad_pack");
    PackBuilder shorter;
    shorter.add_raw(PackType::blob, 50, "ten bytes!");
    CHECK(refusal(shorter.finish()) == "bad_pack");
}

TEST_CASE("a truncated pack, bytes after its end, and what is not a pack are refused") {
    PackBuilder builder;
    builder.add(PackType::blob, "hello\n");
    const std::string pack = builder.finish();
    CHECK(refusal(pack).empty());
    CHECK(refusal(pack.substr(0, pack.size() - 1)) == "bad_pack");
    CHECK(refusal(pack.substr(0, 14)) == "bad_pack");
    CHECK(refusal(pack + "x") == "bad_pack");
    CHECK(refusal("not a pack at all") == "bad_pack");
    CHECK(refusal("") == "bad_pack");
    std::string bad_type = pack;
    bad_type[12] = static_cast<char>((5 << 4) | (bad_type[12] & 15)); // type 5 is reserved
    CHECK(refusal(bad_type) == "bad_pack");
}

TEST_CASE("an offset delta whose base lies outside the pack is refused") {
    PackBuilder builder;
    builder.add(PackType::blob, "hello\n");
    std::string pack = builder.finish();
    pack.resize(pack.size() - 20);
    // OFS_DELTA of 7 bytes whose base lies 1,000 bytes back, before the pack's start.
    std::string entry(1, static_cast<char>((6 << 4) | 7));
    entry += static_cast<char>(0x86); // (6 + 1) << 7 | 0x68 = 1000
    entry += static_cast<char>(0x68);
    pack[11] = 2;
    CHECK(refusal(pack + entry + std::string(20, '\0')) == "bad_pack");
}
