// Tests of libknot/client/http_client.cpp (and http_wire.cpp, connection.cpp) against a tiny
// loopback server that answers with exactly the bytes each case needs.
#include "libknot/base/error.hpp"
#include "libknot/client/http_client.hpp"
#include "tests/unit/libknot/client/loopback_server.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <sys/socket.h>

using namespace knot;
using namespace knot::test;

namespace {

const std::string k_ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Blocks until the client closes its end of `fd` (a read returns 0).
void wait_for_close(int fd) {
    char c = 0;
    while (::recv(fd, &c, 1, 0) > 0) {
    }
}

} // namespace

TEST_CASE("a kept-alive connection carries the next request") {
    std::string first;
    LoopbackServer server([&](int fd, int) {
        first = read_request(fd);
        write_all(fd, "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello");
        read_request(fd);
        write_all(fd, k_ok);
        wait_for_close(fd);
    });
    {
        HttpClient http(server.url());
        const auto created = http.request("POST", "/v1/x?a=b", "{}", {{"X-Knot-Token", "t"}});
        CHECK(created.status == 201);
        CHECK(created.body == "hello");
        CHECK(http.request("GET", "/v1/y").body == "ok");
    }
    server.stop();
    CHECK(server.connections() == 1);
    const std::string host = server.url().substr(7);
    CHECK(first.rfind("POST /v1/x?a=b HTTP/1.1\r\nHost: " + host + "\r\n", 0) == 0);
    CHECK(first.find("Content-Type: application/json\r\n") != std::string::npos);
    CHECK(first.find("Content-Length: 2\r\n") != std::string::npos);
    CHECK(first.find("X-Knot-Token: t\r\n") != std::string::npos);
    CHECK(first.substr(first.size() - 6) == "\r\n\r\n{}");
}

TEST_CASE("a chunked response is read whole, extensions, trailers and interim answers aside") {
    LoopbackServer server([](int fd, int) {
        read_request(fd);
        write_all(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
                      "\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        read_request(fd);
        write_all(fd, k_ok);
        wait_for_close(fd);
    });
    HttpClient http(server.url());
    CHECK(http.request("GET", "/").body == "hello world");
    CHECK(http.request("GET", "/").body == "ok");
    CHECK(server.connections() == 1);
}

TEST_CASE("a response without a length ends with the connection, which is not reused") {
    LoopbackServer server([](int fd, int n) {
        read_request(fd);
        write_all(fd, n == 0 ? "HTTP/1.1 200 OK\r\n\r\nuntil the end" : k_ok);
    });
    HttpClient http(server.url());
    CHECK(http.request("GET", "/").body == "until the end");
    CHECK(http.request("GET", "/").body == "ok");
    CHECK(server.connections() == 2);
}

TEST_CASE("a kept-alive connection the server dropped is replaced once, unseen") {
    LoopbackServer server([](int fd, int n) {
        read_request(fd);
        if (n == 0) {
            write_all(fd, k_ok);
            read_request(fd); // and close without an answer, as a server timing out idles does
            return;
        }
        write_all(fd, k_ok);
        wait_for_close(fd);
    });
    HttpClient http(server.url());
    CHECK(http.request("GET", "/").status == 200);
    CHECK(http.request("POST", "/", "{}").status == 200);
    CHECK(server.connections() == 2);
}

TEST_CASE("a server that closes every connection unanswered is retried once, then reported") {
    LoopbackServer server([](int fd, int) { read_request(fd); });
    HttpClient http(server.url());
    CHECK_THROWS_AS(http.request("GET", "/"), UnreachableError);
    CHECK(server.connections() == 2);
}

TEST_CASE("a response head larger than the bound is refused") {
    LoopbackServer server([](int fd, int) {
        read_request(fd);
        write_all(fd, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n");
        wait_for_close(fd);
    });
    HttpClient http(server.url());
    CHECK_THROWS_WITH(http.request("GET", "/"), Catch::Contains("larger than 64 KiB"));
}

TEST_CASE("interim answers and trailers count against the head's bound") {
    std::string interim;
    while (interim.size() <= 70 * 1024)
        interim += "HTTP/1.1 100 Continue\r\n\r\n";
    LoopbackServer server([&](int fd, int) {
        read_request(fd);
        write_all(fd, interim + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        wait_for_close(fd);
    });
    HttpClient http(server.url());
    CHECK_THROWS_WITH(http.request("GET", "/"), Catch::Contains("larger than 64 KiB"));

    // A chunked body's trailers are a second head: endless ones cut the body short (its text
    // is whole, the connection is not kept), rather than keep the client reading.
    std::string trailers;
    while (trailers.size() <= 70 * 1024)
        trailers += "X-Trailer: " + std::string(100, 't') + "\r\n";
    LoopbackServer endless([&](int fd, int) {
        while (!read_request(fd).empty())
            write_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n" +
                              trailers + "\r\n");
    });
    HttpClient other(endless.url());
    CHECK(other.request("GET", "/").body == "ok");
    CHECK(other.request("GET", "/").body == "ok");
    CHECK(endless.connections() == 2); // the first, cut short, was not used again
}

TEST_CASE("a server that does not answer in time is reported unreachable") {
    LoopbackServer server([](int fd, int) {
        read_request(fd);
        wait_for_close(fd);
    });
    HttpClient http(server.url(), std::chrono::milliseconds(100));
    try {
        http.request("GET", "/");
        FAIL("no error");
    } catch (const UnreachableError& e) {
        CHECK(std::string(e.what()) ==
              "the knot server at " + server.url() + " did not answer in time");
    }
}

TEST_CASE("a refused connection and an unknown host are reported unreachable, with why") {
    std::string closed_url;
    {
        LoopbackServer gone([](int, int) {});
        closed_url = gone.url();
    }
    CHECK_THROWS_WITH(HttpClient(closed_url).request("GET", "/"),
                      "cannot reach the knot server at " + closed_url + " (connection refused)");
    CHECK_THROWS_AS(HttpClient("http://no-such-host.invalid").request("GET", "/"),
                    UnreachableError);
}

TEST_CASE("a streamed body is handed over as it arrives, and a cut one reads short") {
    std::promise<void> half_read;
    LoopbackServer server([&](int fd, int n) {
        read_request(fd);
        if (n == 0) {
            write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
            half_read.get_future().wait(); // the rest only once the first half was read
            write_all(fd, "world");
            read_request(fd);
            write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"); // then close
            return;
        }
        write_all(fd, k_ok);
        wait_for_close(fd);
    });
    HttpClient http(server.url());
    http.request_streamed("GET", "/pack", {}, {}, [&](int status, std::istream& body) {
        CHECK(status == 200);
        char first[5];
        REQUIRE(body.read(first, 5));
        CHECK(std::string(first, 5) == "hello");
        half_read.set_value();
        std::string rest(std::istreambuf_iterator<char>(body), {});
        CHECK(rest == "world");
    });
    std::string cut;
    http.request_streamed("GET", "/pack", {}, {}, [&](int, std::istream& body) {
        cut.assign(std::istreambuf_iterator<char>(body), {});
    });
    CHECK(cut == "hello");
    CHECK(http.request("GET", "/").body == "ok"); // on a new connection
    CHECK(server.connections() == 2);
}

TEST_CASE("a header or target holding a line break is refused before anything is sent") {
    LoopbackServer server([](int fd, int) { wait_for_close(fd); });
    HttpClient http(server.url());
    CHECK_THROWS_AS(http.request("GET", "/", {}, {{"X-Bad", "a\r\nX-Injected: b"}}), Error);
    CHECK_THROWS_AS(http.request("GET", "/", {}, {{"X-Bad: a", "b"}}), Error);
    CHECK_THROWS_AS(http.request("GET", "/ HTTP/1.1\r\nX-Injected: b\r\n\r\nGET /"), Error);
    CHECK(server.connections() == 0);
}

TEST_CASE("a base URL with a path or of another scheme is refused") {
    CHECK_THROWS_AS(HttpClient("http://h:1/room"), Error);
    CHECK_THROWS_AS(HttpClient("ftp://h:1"), Error);
    CHECK_THROWS_AS(HttpClient("not a url"), Error);
    CHECK_NOTHROW(HttpClient("http://[::1]:1/"));
}
