// Tests of git-knot/onboarding.cpp's data directory: found beside the program, so an installed
// git-knot needs (and carries) no path of the machine it was built on.
#include "git-knot/onboarding.hpp"

#include "tests/support/shell.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <vector>

using namespace knot;
namespace fs = std::filesystem;

TEST_CASE("the data directory is <prefix>/share/knot for <prefix>/bin/git-knot") {
    CHECK(share_dir_beside("/opt/knot/bin/git-knot") == fs::path("/opt/knot/share/knot"));
    CHECK(share_dir_beside("/home/ana/.local/bin/git-knot") ==
          fs::path("/home/ana/.local/share/knot"));
}

TEST_CASE("a build directory has its templates where an installed git-knot would") {
    const auto templates = share_dir_beside(fs::path(KNOT_BUILD_DIR) / "bin" / "git-knot") /
                           "templates" / "playbook.md";
    CHECK(fs::exists(templates));
}

// Only for the builds that are installed: a sanitized build is never shipped, and UBSan keeps the
// source file of every check it compiles in, named as the compiler was given it (CI's ASan tree
// held /check/work/main/libknot/base/error.hpp and forty more).
#if !KNOT_SANITIZED
TEST_CASE("git-knot holds no path of the machine it was built on") {
    // Only the program's read-only data: debug information names its sources anyway. A failure
    // lists the strings that leak.
    const auto result = knot::test::sh(
        "readelf -p .rodata '" + std::string(KNOT_BUILD_DIR) + "/bin/git-knot'", KNOT_BUILD_DIR);
    REQUIRE(result.status == 0);
    REQUIRE(result.out.find("String dump of section '.rodata'") != std::string::npos);
    std::vector<std::string> leaks;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);)
        if (line.find(KNOT_SOURCE_DIR) != std::string::npos ||
            line.find(KNOT_BUILD_DIR) != std::string::npos)
            leaks.push_back(line);
    CHECK(leaks == std::vector<std::string>{});
}
#endif
