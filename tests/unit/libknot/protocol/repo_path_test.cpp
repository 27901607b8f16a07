// Tests of repository paths as locks name them: the rules, the normalisation of what users type,
// and how messages show a path.
#include "libknot/base/error.hpp"
#include "libknot/protocol/repo_path.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

using namespace knot;

TEST_CASE("a path in a .git directory, in any case, is not a repository path") {
    for (const char* path : {".git", ".git/config", ".GIT/HEAD", "sub/.gIt/index", "a/.git"})
        CHECK(invalid_repo_path(path) == "a path cannot be in a .git directory");
    for (const char* path : {".github/ci.yml", ".gitignore", "x.git", "git/.gi/t"})
        CHECK_FALSE(invalid_repo_path(path));
}

TEST_CASE("a path that is not UTF-8 is refused, one that is any UTF-8 is kept") {
    for (const std::string& path :
         {std::string("\xff"), std::string("src/caf\xe9.c"), std::string("\xc0\xaf"),
          std::string("\xed\xa0\x80"), std::string("a/\xe2\x82")})
        CHECK(invalid_repo_path(path).value_or("").find("UTF-8") != std::string::npos);
    CHECK_FALSE(invalid_repo_path("src/caf\xc3\xa9.c"));
    CHECK_FALSE(invalid_repo_path("docs/\xe6\x97\xa5\xe6\x9c\xac.md"));
}

TEST_CASE("a path is shown with its odd bytes escaped and a long one cut short") {
    CHECK(printable_path("src/a.c") == "src/a.c");
    CHECK(printable_path("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(printable_path("odd\xff") == "odd\\xff");
    CHECK(printable_path("a\nb\x1b[2J") == "a\\x0ab\\x1b[2J");
    CHECK(printable_path("\xed\xa0\x80") == "\\xed\\xa0\\x80");
    CHECK(printable_path("\xc2\x9b") == "\\xc2\\x9b"); // a C1 control character
    const std::string long_path(5000, 'a');
    CHECK(printable_path(long_path) == std::string(80, 'a') + "... (5000 bytes)");
}

TEST_CASE("what a user types is refused with a message that never echoes it whole") {
    const std::filesystem::path top = "/work/repo";
    CHECK(normalise_repo_path("./src//a.c", top, top) == "src/a.c");
    CHECK_THROWS_WITH(
        normalise_repo_path("\xff", top, top),
        "'\\xff': a path must be UTF-8 text (knot's protocol carries no other bytes)");
    CHECK_THROWS_WITH(normalise_repo_path(".git/config", top, top),
                      "'.git/config': a path cannot be in a .git directory");
    CHECK_THROWS_WITH(normalise_repo_path("../.GIT/x", top / "sub", top),
                      "'../.GIT/x': a path cannot be in a .git directory");
    try {
        normalise_repo_path(std::string(3000, 'b'), top, top);
        FAIL("a 3000-byte path was taken");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()).size() < 200);
    }
}

TEST_CASE("of the names git gives, those a lock cannot name are left out, each said once") {
    std::ostringstream warnings;
    const std::vector<std::string> staged = {"a.c", "odd\xff", "b\nc", "src/d.c"};
    CHECK(lockable_paths(staged, warnings) == std::vector<std::string>{"a.c", "src/d.c"});
    CHECK(warnings.str() ==
          "knot: warning: 'odd\\xff' is left out of the lock check: a path must be UTF-8 text "
          "(knot's protocol carries no other bytes)\n"
          "knot: warning: 'b\\x0ac' is left out of the lock check: a path cannot contain NUL or "
          "control characters\n");

    std::vector<std::string> many;
    for (int i = 0; i < 25; ++i)
        many.push_back("bad\xfe" + std::to_string(i));
    many.push_back("good.c");
    std::ostringstream capped;
    CHECK(lockable_paths(many, capped) == std::vector<std::string>{"good.c"});
    const std::string said = capped.str();
    CHECK(std::count(said.begin(), said.end(), '\n') == 11);
    CHECK(said.find("knot: warning: 15 more paths are left out of the lock check\n") !=
          std::string::npos);
}
