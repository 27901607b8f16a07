// Tests of libknot/git/git_config_file.cpp: the native reader agrees with what git writes.
#include "libknot/base/error.hpp"
#include "libknot/git/git_config_file.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("sections, subsections and keys are found case-insensitively where git is") {
    const auto file = GitConfigFile::parse("[core]\n\tbare = false\n"
                                           "[Knot]\n\tServer = http://127.0.0.1:8787\n"
                                           "[remote \"Knot\"]\n\turl = knot::http://h/rm_1\n");
    CHECK(file.get("core.bare") == "false");
    CHECK(file.get("knot.server") == "http://127.0.0.1:8787");
    CHECK(file.get("KNOT.SERVER") == "http://127.0.0.1:8787");
    CHECK(file.get("remote.Knot.url") == "knot::http://h/rm_1");
    CHECK_FALSE(file.get("remote.knot.url"));
    CHECK_FALSE(file.get("knot.room"));
}

TEST_CASE("values follow git's quoting, escaping, comment and continuation rules") {
    const auto file = GitConfigFile::parse("[a]\n"
                                           "  plain = one two   # a comment\n"
                                           "  quoted = \" padded ; not a comment \"\n"
                                           "  escaped = tab\\there \\\"q\\\" back\\\\slash\n"
                                           "  continued = first \\\n   second\n"
                                           "  flag\n"
                                           "  empty =\n"
                                           "; a comment line\n"
                                           "  last = 1\n  last = 2\n");
    CHECK(file.get("a.plain") == "one two");
    CHECK(file.get("a.quoted") == " padded ; not a comment ");
    CHECK(file.get("a.escaped") == "tab\there \"q\" back\\slash");
    CHECK(file.get("a.continued") == "first    second"); // as git reads it
    CHECK(file.get("a.flag") == "true");
    CHECK(file.get("a.empty") == "");
    CHECK(file.get("a.last") == "2");
}

TEST_CASE("a config that includes others says so, so its values are not trusted alone") {
    CHECK(GitConfigFile::parse("[include]\n\tpath = other\n").has_includes());
    CHECK(GitConfigFile::parse("[includeIf \"gitdir:~/x/\"]\n\tpath = o\n").has_includes());
    CHECK_FALSE(GitConfigFile::parse("[knot]\n\tname = a\n").has_includes());
}

TEST_CASE("a malformed config is an error, a missing one is empty") {
    CHECK_THROWS_AS(GitConfigFile::parse("[unterminated\nx = 1\n"), Error);
    CHECK_THROWS_AS(GitConfigFile::parse("key-before-section = 1\n"), Error);
    CHECK_FALSE(GitConfigFile::read("/nonexistent/config").get("a.b"));
}

TEST_CASE("normalise_config_key lower-cases section and key but not the subsection") {
    CHECK(normalise_config_key("Remote.Knot.URL") == "remote.Knot.url");
    CHECK(normalise_config_key("KNOT.Name") == "knot.name");
}
