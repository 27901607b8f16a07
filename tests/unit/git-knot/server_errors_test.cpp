// Tests of git-knot/server_errors.cpp: the one table of what the server's error codes mean.
#include "git-knot/server_errors.hpp"
#include "libknot/base/error.hpp"

#include <catch2/catch.hpp>

using namespace knot;
using namespace knot::cli;

struct Expected {
    int status;
    const char* code;
    int exit_status;
    const char* printed;
};

TEST_CASE("a refusal exits 1 without 'error:', refused credentials (401, the admin 403) exit 3") {
    const Expected cases[] = {
        {409, "lock_conflict", 1, "git-knot: the words"},
        {403, "not_owner", 1, "git-knot: the words"},
        {403, "not_claimer", 1, "git-knot: the words"},
        {404, "unknown_task", 1, "git-knot: the words"},
        {409, "nothing_to_undo", 1, "git-knot: the words"},
        {404, "no_log", 1, "git-knot: the words"},
        {401, "bad_token", 3, "git-knot: error: the words"},
        {401, "bad_signature", 3, "git-knot: error: the words"},
        {401, "stale_timestamp", 3, "git-knot: error: the words"},
        {401, "replayed_nonce", 3, "git-knot: error: the words"},
        {403, "bad_admin_token", 3, "git-knot: error: the words"},
    };
    for (const Expected& expected : cases) {
        const HttpError error(expected.status, expected.code, "the words");
        INFO(expected.code);
        CHECK(exit_status(error) == expected.exit_status);
        CHECK(error_line(error) == expected.printed);
    }
}

TEST_CASE("any other server error exits 1 as an error, and an unknown code goes by its status") {
    CHECK(exit_status(HttpError(404, "unknown_room", "x")) == 1);
    CHECK(error_line(HttpError(404, "unknown_room", "x")) == "git-knot: error: x");
    CHECK(exit_status(HttpError(400, "bad_request", "x")) == 1);
    CHECK(exit_status(HttpError(413, "too_large", "x")) == 1);
    CHECK(exit_status(HttpError(401, "from_a_newer_server", "x")) == 3);
    CHECK(exit_status(HttpError(403, "from_a_newer_server", "x")) == 3);
    CHECK(exit_status(HttpError(409, "from_a_newer_server", "x")) == 1);
}

TEST_CASE("rethrow_refusal adds the command's words to a refusal and passes the rest on") {
    try {
        rethrow_refusal(HttpError(404, "unknown_lock", "no lock on a.txt"),
                        "; nothing was released");
    } catch (const Refused& e) {
        CHECK(std::string(e.what()) == "no lock on a.txt; nothing was released");
    }
    CHECK_THROWS_AS(rethrow_refusal(HttpError(401, "bad_token", "x"), "; y"), HttpError);
    try {
        rethrow_refusal(HttpError(400, "bad_request", "malformed"), "; y");
    } catch (const Refused&) {
        FAIL("a failure is not a refusal");
    } catch (const HttpError& e) {
        CHECK(e.code() == "bad_request");
        CHECK(std::string(e.what()) == "malformed");
    }
}
