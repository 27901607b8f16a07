// Tests of git-knot/usage.cpp: the options a command lists for the completions and the manual.
#include "git-knot/command.hpp"

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>
#include <sstream>

using namespace knot::cli;

TEST_CASE("a command's options are listed one spelling a line, with the value each takes") {
    CLI::App app{"Lock repository paths", "lock"};
    std::string intent;
    bool force = false;
    int count = 0;
    std::vector<std::string> paths;
    app.add_option("--intent,-m", intent, "What you are doing")->option_text("text");
    app.add_flag("--force", force, "Break other agents' locks");
    app.add_option("-n", count, "How many");
    app.add_option("paths", paths, "Paths")->required();
    app.add_flag("--secret", force, "Not shown")->group("");
    std::ostringstream out;
    print_options(app, out);
    CHECK(out.str() == "--help\n-h\n--intent=<text>\n-m <text>\n--force\n-n <int>\n");
}

TEST_CASE("the completion helper argument lists the options instead of parsing or running") {
    CLI::App app{"Lock repository paths", "lock"};
    std::vector<std::string> paths;
    app.add_option("paths", paths, "Paths")->required();
    // A required positional is missing: parsing would be a usage error.
    CHECK_FALSE(parse_args(app, {k_list_options}));
    CHECK_THROWS(parse_args(app, {}));
}
