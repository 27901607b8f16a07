// Tests of libknot/checks/check_plan.cpp: the .knot/checks format, what each kind of build file
// calls for, and which of knot.check, .knot/checks and detection makes the plan.
#include "libknot/checks/check_plan.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace knot;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

std::vector<std::string> command_texts(const std::vector<CheckCommand>& commands) {
    std::vector<std::string> texts;
    for (const auto& command : commands)
        texts.push_back(command.command);
    return texts;
}

std::vector<std::string> detected(const fs::path& tree) {
    return command_texts(detect_checks(tree));
}

} // namespace

TEST_CASE("a checks file skips blank lines and comments and trims each command") {
    const auto commands = parse_checks_file("# checks\n\n  make test  \r\n   # indented comment\n"
                                            "\t./run.sh --fast\n  \t \nnpm test");
    REQUIRE(command_texts(commands) ==
            std::vector<std::string>{"make test", "./run.sh --fast", "npm test"});
    CHECK(commands[0].name == ".knot/checks:3");
    CHECK(commands[1].name == ".knot/checks:5");
    CHECK(commands[2].name == ".knot/checks:7");
}

TEST_CASE("an empty or comment-only checks file has no commands") {
    CHECK(parse_checks_file("").empty());
    CHECK(parse_checks_file("\n\n# nothing\n   \n").empty());
}

TEST_CASE("a CMake tree is configured into the build directory, built and tested with ctest") {
    test::TempDir tree;
    write(tree.path() / "CMakeLists.txt", "project(x)\n");
    write(tree.path() / "Makefile", "check:\n\ttrue\n");
    const auto commands = detect_checks(tree.path());
    REQUIRE(commands.size() == 3);
    CHECK(commands[0].command == R"(cmake -S . -B "$KNOT_BUILD_DIR")");
    CHECK(commands[1].command.starts_with(R"(cmake --build "$KNOT_BUILD_DIR" -j )"));
    CHECK(commands[1].command.find_first_of("123456789") != std::string::npos);
    CHECK(commands[2].command == R"(ctest --test-dir "$KNOT_BUILD_DIR" --output-on-failure)");
    CHECK(commands[2].name == "ctest");
}

TEST_CASE("a Makefile's check target is preferred to its test target") {
    test::TempDir tree;
    write(tree.path() / "Makefile",
          "all:\n\tcc x.c\ntest: all\n\t./t\n\ncheck test2: all\n\t./c\n");
    CHECK(detected(tree.path()) == std::vector<std::string>{"make check"});
}

TEST_CASE("a makefile with only a test target runs make test") {
    test::TempDir tree;
    write(tree.path() / "makefile", ".PHONY: check\nCHECK := check:\ntest::\n\t./t\n");
    CHECK(detected(tree.path()) == std::vector<std::string>{"make test"});
}

TEST_CASE("a GNUmakefile is read before a Makefile, as make does") {
    test::TempDir tree;
    write(tree.path() / "GNUmakefile", "test:\n\t./t\n");
    write(tree.path() / "Makefile", "check:\n\t./c\n");
    CHECK(detected(tree.path()) == std::vector<std::string>{"make test"});
}

TEST_CASE("a Makefile without a check or test target calls for nothing") {
    test::TempDir tree;
    write(tree.path() / "Makefile", "all:\n\tcc x.c\n\ttest: not a rule\nFOO = a:check\n");
    CHECK(detected(tree.path()).empty());
}

TEST_CASE("a package.json with a real test script runs npm test") {
    test::TempDir tree;
    write(tree.path() / "package.json", R"({"name": "x", "scripts": {"test": "jest"}})");
    CHECK(detected(tree.path()) == std::vector<std::string>{"npm test"});
}

TEST_CASE("npm's placeholder test script, a missing script and malformed JSON run nothing") {
    test::TempDir tree;
    SECTION("placeholder") {
        write(tree.path() / "package.json",
              R"({"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}})");
    }
    SECTION("no test script") {
        write(tree.path() / "package.json", R"({"scripts": {"build": "tsc"}})");
    }
    SECTION("scripts is not an object") {
        write(tree.path() / "package.json", R"({"scripts": ["test"]})");
    }
    SECTION("malformed") {
        write(tree.path() / "package.json", R"({"scripts": {"test": "jest")");
    }
    CHECK(detected(tree.path()).empty());
}

TEST_CASE("tsconfig.json, go.mod and Cargo.toml each add their own command, in order") {
    test::TempDir tree;
    write(tree.path() / "tsconfig.json", "{}");
    write(tree.path() / "go.mod", "module x\n");
    write(tree.path() / "Cargo.toml", "[package]\n");
    write(tree.path() / "package.json", R"({"scripts": {"test": "vitest run"}})");
    CHECK(detected(tree.path()) == std::vector<std::string>{"npm test",
                                                            "npx --no-install tsc --noEmit",
                                                            "go test ./...", "cargo test"});
}

TEST_CASE("pytest is found from its configuration or from test files") {
    test::TempDir tree;
    SECTION("pytest.ini") {
        write(tree.path() / "pytest.ini", "[pytest]\n");
    }
    SECTION("conftest.py") {
        write(tree.path() / "conftest.py", "");
    }
    SECTION("tox.ini") {
        write(tree.path() / "tox.ini", "[tox]\n[pytest]\naddopts = -q\n");
    }
    SECTION("setup.cfg") {
        write(tree.path() / "setup.cfg", "[metadata]\n[tool:pytest]\n");
    }
    SECTION("pyproject.toml") {
        write(tree.path() / "pyproject.toml", "[tool.pytest.ini_options]\nminversion = 6\n");
    }
    SECTION("test file at the top") {
        write(tree.path() / "test_parse.py", "");
    }
    SECTION("test file in tests/") {
        write(tree.path() / "tests" / "parse_test.py", "");
    }
    CHECK(detected(tree.path()) == std::vector<std::string>{"python3 -m pytest -q"});
}

TEST_CASE("python files that are not tests, and unrelated sections, do not call for pytest") {
    test::TempDir tree;
    write(tree.path() / "main.py", "");
    write(tree.path() / "testing.py", "");
    write(tree.path() / "tox.ini", "[tox]\nenvlist = py3\n");
    write(tree.path() / "setup.cfg", "[metadata]\nname = x\n");
    write(tree.path() / "pyproject.toml", "[tool.black]\n");
    write(tree.path() / "docs" / "test_docs.py", "");
    CHECK(detected(tree.path()).empty());
}

TEST_CASE("an empty tree calls for no checks") {
    test::TempDir tree;
    CHECK(detect_checks(tree.path()).empty());
    const auto plan = plan_checks({}, tree.path());
    CHECK(plan.source == "none");
    CHECK(plan.commands.empty());
}

TEST_CASE("knot.check values make the plan before .knot/checks and detection") {
    test::TempDir tree;
    write(tree.path() / ".knot" / "checks", "make lint\n");
    write(tree.path() / "go.mod", "module x\n");
    const auto plan = plan_checks({"./check.sh", "  ", "make test"}, tree.path());
    CHECK(plan.source == "knot.check");
    CHECK(command_texts(plan.commands) == std::vector<std::string>{"./check.sh", "make test"});
    CHECK(plan.commands[0].name == "knot.check:1");
    CHECK(plan.commands[1].name == "knot.check:3");
}

TEST_CASE(".knot/checks makes the plan before detection") {
    test::TempDir tree;
    write(tree.path() / ".knot" / "checks", "# ours\nmake lint\n");
    write(tree.path() / "go.mod", "module x\n");
    const auto plan = plan_checks({}, tree.path());
    CHECK(plan.source == ".knot/checks");
    CHECK(command_texts(plan.commands) == std::vector<std::string>{"make lint"});
    CHECK(plan.commands[0].name == ".knot/checks:2");
}

TEST_CASE("an empty .knot/checks turns detection off") {
    test::TempDir tree;
    write(tree.path() / ".knot" / "checks", "# no checks here\n");
    write(tree.path() / "go.mod", "module x\n");
    const auto plan = plan_checks({""}, tree.path());
    CHECK(plan.source == ".knot/checks");
    CHECK(plan.commands.empty());
}

TEST_CASE("without knot.check or .knot/checks the plan is what detection finds") {
    test::TempDir tree;
    write(tree.path() / "Cargo.toml", "[package]\n");
    const auto plan = plan_checks({}, tree.path());
    CHECK(plan.source == "detected");
    CHECK(command_texts(plan.commands) == std::vector<std::string>{"cargo test"});
}

TEST_CASE("a tree listing tells whether detection could find anything at all") {
    CHECK_FALSE(may_have_checks({}));
    CHECK_FALSE(may_have_checks({"README.md", "src", "docs", "notes.txt"}));
    CHECK(may_have_checks({"README.md", ".knot"}));
    CHECK(may_have_checks({"src", "CMakeLists.txt"}));
    CHECK(may_have_checks({"Makefile"}));
    CHECK(may_have_checks({"package.json"}));
    CHECK(may_have_checks({"setup.py"}));
    CHECK(may_have_checks({"tests"}));
    // Every file detection reacts to is in the list: a tree of each one alone is detected.
    for (const char* name :
         {"CMakeLists.txt", "go.mod", "Cargo.toml", "tsconfig.json", "pytest.ini", "conftest.py"}) {
        knot::test::TempDir dir;
        std::ofstream(dir.path() / name) << "\n";
        INFO(name);
        CHECK_FALSE(detect_checks(dir.path()).empty());
        CHECK(may_have_checks({name}));
    }
}
