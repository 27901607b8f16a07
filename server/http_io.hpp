// Reading a request's body and writing a response on a Connection, for the worker threads:
// the body's framing (Content-Length or chunked) is checked as it is read, and every read and
// write has a deadline, so a slow client cannot hold a worker for long.
#pragma once

#include "libknot/protocol/error_codes.hpp"

#include <chrono>
#include <cstdint>
#include <streambuf>
#include <string>
#include <string_view>

namespace knot::server {

class Connection;
struct RequestHead;

// A body must arrive at this average rate, after a first k_body_read_timeout of grace; any one
// read waits at most k_body_read_timeout. A 1 MiB JSON body then has over a minute, a 1 GiB
// pack 18 hours; a client that sends a byte now and then holds its worker for seconds.
constexpr std::uint64_t k_min_body_bytes_per_second = 16 * 1024;
constexpr std::chrono::seconds k_body_read_timeout{10};
// A response the client takes no byte of for this long is abandoned and the connection closed.
constexpr std::chrono::seconds k_send_stall{30};

// The request body as a stream: exactly Content-Length bytes, or the chunks of a chunked body
// (their sizes checked, extensions and trailers read and dropped, within limits). Reading past
// the body gives end of file. When the client breaks the framing, is too slow or goes away,
// the stream ends early and failure() says why. Sends "100 Continue" before its first read when
// the client asked for it.
class BodyReader : public std::streambuf {
public:
    enum class Failure { none, framing, timeout, gone };

    BodyReader(Connection& connection, const RequestHead& head);

    // Whether the whole body (and a chunked body's trailer) was read: only then may the
    // connection carry another request.
    bool finished() const { return m_state == State::done; }
    Failure failure() const { return m_failure; }
    const std::string& failure_message() const { return m_failure_message; }

protected:
    int_type underflow() override;

private:
    enum class State { data, chunk_size, chunk_end, trailer, done };
    // Makes connection.input() hold at least one byte more; false when the body cannot go on
    // (failure() is set).
    bool fill();
    // Takes one CRLF-ended line from the input into `line`; false when it cannot (failure()).
    bool take_line(std::string& line);
    bool fail(Failure failure, std::string message);

    Connection& m_connection;
    const bool m_chunked;
    const bool m_expect_continue;
    bool m_continue_sent = false;
    State m_state;
    std::uint64_t m_remaining = 0; // of the body (Content-Length) or of the current chunk
    std::uint64_t m_received = 0;
    std::size_t m_trailer_bytes = 0;
    const std::chrono::steady_clock::time_point m_start;
    Failure m_failure = Failure::none;
    std::string m_failure_message;
    std::string m_buffer;
};

// Writes a response body in chunks of up to 64 KiB; finish() writes the last chunk. Throws
// ConnectionLost (from its writes) when the client is gone or too slow.
class ChunkedWriter : public std::streambuf {
public:
    explicit ChunkedWriter(Connection& connection);
    void finish();

protected:
    int_type overflow(int_type c) override;
    int sync() override;

private:
    void write_chunk();

    Connection& m_connection;
    std::string m_buffer;
};

// The status line and header fields of a response (the blank line included): `content_length`
// < 0 means a chunked body.
std::string response_head(int status, std::string_view content_type, std::int64_t content_length,
                          bool keep_alive);

// A whole error response, `code`'s status with the JSON body {"error": message, "code": code},
// which closes the connection: what the listener answers when it refuses a request before any
// route.
std::string error_response_bytes(ErrorCode code, std::string_view message);

} // namespace knot::server
