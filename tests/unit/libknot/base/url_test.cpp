// Tests of libknot/base/url.cpp: strict http(s) URLs and percent-decoded queries.
#include "libknot/base/url.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("a URL splits into scheme, host, port, path and query") {
    const auto url = parse_url("HTTP://example.org:8787/join?room=a&token=b");
    REQUIRE(url);
    CHECK(url->scheme == "http");
    CHECK(url->host == "example.org");
    CHECK(url->port == 8787);
    CHECK(url->path == "/join");
    CHECK(url->query == "room=a&token=b");
    CHECK(url->origin() == "http://example.org:8787");
}

TEST_CASE("a URL without a port takes its scheme's, and its origin leaves it out") {
    CHECK(parse_url("https://h")->port == 443);
    CHECK(parse_url("http://h/")->port == 80);
    CHECK(parse_url("https://h:443/x")->origin() == "https://h");
    CHECK(parse_url("http://h:443")->origin() == "http://h:443");
}

TEST_CASE("an IPv6 host is written in brackets and kept without them") {
    const auto url = parse_url("http://[::1]:9/join");
    REQUIRE(url);
    CHECK(url->host == "::1");
    CHECK(url->port == 9);
    CHECK(url->authority() == "[::1]:9");
    CHECK_FALSE(parse_url("http://[::1"));
    CHECK_FALSE(parse_url("http://[not-an-address]:9"));
    CHECK_FALSE(parse_url("http://[::1]x"));
}

TEST_CASE("a URL with user information, a fragment, a space or a bad port is refused") {
    CHECK_FALSE(parse_url("http://user@h/"));
    CHECK_FALSE(parse_url("http://h/#top"));
    CHECK_FALSE(parse_url("http://h /"));
    CHECK_FALSE(parse_url("http://h:/"));
    CHECK_FALSE(parse_url("http://h:0/"));
    CHECK_FALSE(parse_url("http://h:65536/"));
    CHECK_FALSE(parse_url("http://h:+80/"));
    CHECK_FALSE(parse_url("http://h:8a/"));
    CHECK_FALSE(parse_url("http://:80/"));
    CHECK_FALSE(parse_url("http://h%41/"));
    CHECK_FALSE(parse_url("ftp://h/"));
    CHECK_FALSE(parse_url("h:80"));
}

TEST_CASE("percent-decoding reads %XX and '+' and refuses a broken escape") {
    CHECK(percent_decode("a%20b+c%2fd%2F") == "a b c/d/");
    CHECK_FALSE(percent_decode("%"));
    CHECK_FALSE(percent_decode("%4"));
    CHECK_FALSE(percent_decode("%zz"));
}

TEST_CASE("query parameters come decoded and in order") {
    const auto params = query_parameters("b=2&a=%31&&flag&a=3");
    REQUIRE(params);
    REQUIRE(params->size() == 4);
    CHECK((*params)[0] == std::pair<std::string, std::string>("b", "2"));
    CHECK((*params)[1] == std::pair<std::string, std::string>("a", "1"));
    CHECK((*params)[2] == std::pair<std::string, std::string>("flag", ""));
    CHECK((*params)[3] == std::pair<std::string, std::string>("a", "3"));
    CHECK_FALSE(query_parameters("a=%g0"));
}
