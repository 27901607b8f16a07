// Tests of server/http_head.cpp: the strict request-head parser and the chunk-size parser.
#include "server/http_head.hpp"

#include "server/api_error.hpp"

#include <catch2/catch.hpp>

using namespace knot::server;

namespace {

RequestHead parse(const std::string& fields, const std::string& line = "POST /v1/x?a=1 HTTP/1.1") {
    return parse_request_head(line + "\r\n" + fields + "\r\n");
}

} // namespace

TEST_CASE("a well-formed head gives its method, target, fields and framing") {
    const auto head = parse("Host: a\r\nContent-Length: 12\r\nX-Knot-Token:  t \r\n");
    CHECK(head.method == "POST");
    CHECK(head.target == "/v1/x?a=1");
    CHECK(head.content_length == 12u);
    CHECK_FALSE(head.chunked);
    CHECK(head.keep_alive);
    CHECK(head.field("x-knot-token") == "t");
    CHECK(parse("Transfer-Encoding: Chunked\r\n").chunked);
    CHECK_FALSE(parse("Connection: close\r\n").keep_alive);
    CHECK_FALSE(parse("", "GET / HTTP/1.0").keep_alive);
    CHECK(parse("Connection: keep-alive\r\n", "GET / HTTP/1.0").keep_alive);
    CHECK(parse("Content-Length: 9223372036854775807\r\n").content_length ==
          9223372036854775807ull);
    CHECK(parse("Content-Length: 5\r\nContent-Length: 5\r\n").content_length == 5u);
    CHECK(parse("Expect: 100-continue\r\n").expect_continue);
}

TEST_CASE("a Content-Length that is not canonical decimal within 2^63-1 is refused") {
    for (const std::string value : {"1e3", "-1", "+1", "0x10", "01", "", " ", "1 2",
                                    "9223372036854775808", "73786976294838206464", "5, 5"}) {
        INFO(value);
        CHECK_THROWS_AS(parse("Content-Length: " + value + "\r\n"), ApiError);
    }
}

TEST_CASE("ambiguous framing and malformed lines are refused") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "POST / HTTP/1.1"},
        {"Transfer-Encoding: gzip\r\n", "POST / HTTP/1.1"},
        {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "POST / HTTP/1.1"},
        {"Transfer-Encoding: chunked\r\n", "POST / HTTP/1.0"},
        {"Content-Length: 2\r\nContent-Length: 3\r\n", "POST / HTTP/1.1"},
        {"Bad Name: x\r\n", "GET / HTTP/1.1"},
        {"Name : x\r\n", "GET / HTTP/1.1"},
        {"NoColon\r\n", "GET / HTTP/1.1"},
        {"X: a\r\n folded\r\n", "GET / HTTP/1.1"},
        {std::string("X: a\x01") + "\r\n", "GET / HTTP/1.1"},
        {"X: a\rb\r\n", "GET / HTTP/1.1"},
        {"", "GET / HTTP/2.0"},
        {"", "GET  / HTTP/1.1"},
        {"", "GET http://x/ HTTP/1.1"},
        {"", "G@T / HTTP/1.1"},
        {"", "GET /\x7f HTTP/1.1"},
    };
    for (const auto& [fields, line] : cases) {
        INFO(line << " | " << fields);
        CHECK_THROWS_AS(parse(fields, line), ApiError);
    }
}

TEST_CASE("a head is found when whole, and refused as soon as it outgrows the limits") {
    CHECK_FALSE(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n"));
    CHECK(find_head_end("GET / HTTP/1.1\r\n\r\nbody") == 18u);
    CHECK_THROWS_AS(find_head_end("GET / HTTP/1.1\r\nX: " + std::string(k_max_head_line, 'a')),
                    ApiError);
    std::string many = "GET / HTTP/1.1\r\n";
    for (std::size_t i = 0; i <= k_max_header_fields + 1; ++i)
        many += "X: 1\r\n";
    CHECK_THROWS_AS(find_head_end(many), ApiError);
    std::string big = "GET / HTTP/1.1\r\n";
    while (big.size() <= k_max_head_bytes)
        big += "X: " + std::string(1000, 'a') + "\r\n";
    CHECK_THROWS_AS(find_head_end(big), ApiError);
}

TEST_CASE("chunk sizes are 1 to 15 hex digits, extensions ignored") {
    CHECK(parse_chunk_size("0") == 0u);
    CHECK(parse_chunk_size("1A;name=value") == 26u);
    CHECK(parse_chunk_size("fffffffffffffff") == 0xfffffffffffffffull);
    for (const std::string line : {"", "zz", "-1", "0x10", "1000000000000000", ";x"}) {
        INFO(line);
        CHECK_THROWS_AS(parse_chunk_size(line), ApiError);
    }
}
