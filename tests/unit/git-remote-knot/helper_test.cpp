// Tests of git-remote-knot/helper.cpp: the conversation serve() holds with git, driven on string
// streams, for what needs no server: capabilities, options, the end of the session, and how a
// list fails when the room cannot be reached or was never joined.
#include "git-remote-knot/helper.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/http_client.hpp"
#include "tests/support/hosted_room.hpp"
#include "tests/support/in_directory.hpp"
#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using namespace knot;
using knot::test::InDirectory;
using knot::test::TempRepo;

namespace {

const std::string k_room = "rm_0123456789abcdef";

// What serve() answers to `input` (for a conversation that ends without an error).
std::string answer(const std::string& input,
                   const std::string& url = "http://127.0.0.1:1/" + k_room) {
    std::istringstream in(input);
    std::ostringstream out;
    remote::serve(url, in, out);
    return out.str();
}

// A clone that joined room k_room at `server` (nothing need listen there).
void join(TempRepo& repo, const std::string& server) {
    InDirectory in_repo(repo.path);
    Clone clone = Clone::open();
    clone.create_identity();
    clone.save_room({server, k_room, std::string(64, 'a'), "ag_0123456789abcdef"});
}

} // namespace

TEST_CASE("the helper offers fetch, push and option") {
    CHECK(answer("capabilities\n") == "fetch\npush\noption\n\n");
}

TEST_CASE("the options git sets are taken and any other is unsupported") {
    CHECK(answer("option verbosity 0\noption progress true\noption dry-run true\n"
                 "option depth 1\n") == "ok\nok\nok\nunsupported\n");
}

TEST_CASE("a blank line ends the conversation and what follows is not read") {
    CHECK(answer("capabilities\n\ncapabilities\n") == "fetch\npush\noption\n\n");
    CHECK(answer("").empty());
}

TEST_CASE("a command the helper does not know ends the session with an error") {
    CHECK_THROWS_WITH(answer("connect git-upload-pack\n"),
                      "unknown command from git: connect git-upload-pack");
}

TEST_CASE("listing a room whose server cannot be reached ends the session naming the server") {
    TempRepo repo;
    const std::string server = "http://127.0.0.1:" + std::to_string(knot::test::free_port());
    join(repo, server);
    InDirectory in_repo(repo.path);
    std::istringstream in("capabilities\nlist\n");
    std::ostringstream out;
    CHECK_THROWS_AS(remote::serve(server + "/" + k_room, in, out), UnreachableError);
    std::istringstream again("list\n");
    CHECK_THROWS_WITH(remote::serve(server + "/" + k_room, again, out),
                      Catch::StartsWith("cannot reach the knot server at " + server));
    CHECK(out.str() == "fetch\npush\noption\n\n"); // nothing listed
}

TEST_CASE("listing a room this clone has not joined says how to join") {
    TempRepo repo;
    join(repo, "http://127.0.0.1:1");
    InDirectory in_repo(repo.path);
    CHECK_THROWS_WITH(answer("list\n", "http://127.0.0.1:1/rm_ffffffffffffffff"),
                      "this clone has not joined room rm_ffffffffffffffff; run git knot join "
                      "<invite> first");
}

TEST_CASE("a knot URL without a room is refused") {
    TempRepo repo;
    join(repo, "http://127.0.0.1:1");
    InDirectory in_repo(repo.path);
    CHECK_THROWS_WITH(answer("list\n", "http://127.0.0.1:1/"),
                      Catch::StartsWith("not a knot URL: http://127.0.0.1:1/"));
}
