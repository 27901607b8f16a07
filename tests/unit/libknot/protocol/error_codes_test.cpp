// Tests of the table of the server's error codes: one row a code, each with its status and
// meaning (tests/e2e/error_codes_agree.sh checks the server and the docs against it).
#include "libknot/protocol/error_codes.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using namespace knot;

TEST_CASE("every code of the table is listed once") {
    std::set<std::string_view> seen;
    for (const ErrorCodeRow& row : k_error_codes)
        CHECK(seen.insert(row.code).second);
    CHECK(seen.size() == std::size(k_error_codes));
}

TEST_CASE("every code is snake case with an error status and a one-line meaning") {
    int previous_status = 0;
    for (const ErrorCodeRow& row : k_error_codes) {
        INFO(row.code);
        CHECK(!row.code.empty());
        CHECK(row.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") ==
              std::string_view::npos);
        CHECK(row.status >= 400);
        CHECK(row.status <= 599);
        CHECK(!row.meaning.empty());
        CHECK(row.meaning.find('\n') == std::string_view::npos);
        // In status order, as docs/protocol.md lists them.
        CHECK(row.status >= previous_status);
        previous_status = row.status;
    }
}

TEST_CASE("a code carries the status of its row") {
    const ErrorCode conflict = error_code::lock_conflict;
    CHECK(conflict.code() == "lock_conflict");
    CHECK(conflict.status() == 409);
    const ErrorCode unsigned_request = error_code::unsigned_request;
    CHECK(unsigned_request.code() == "unsigned");
    CHECK(unsigned_request.status() == 401);
    const ErrorCode busy = error_code::busy;
    CHECK(busy.status() == 503);
}
