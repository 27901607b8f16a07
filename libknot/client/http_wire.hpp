// HTTP/1.1 on a Connection, as a client speaks it: the request's head, the response's head
// (bounded in size) and its body framed by Content-Length, chunked encoding or the connection's
// end, read as a stream while it arrives. Shared by HttpClient and the WebSocket handshake.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>

namespace knot {

class Connection;

// The most a response's head (status line and headers) may take.
constexpr std::size_t k_max_response_head = 64 * 1024;

// A request head: the request line, Host, then `headers`, then an empty line. Throws
// knot::Error when the target is empty or holds a blank or line break, or a header name or value
// holds a CR or an LF (a name also a colon or a space): nothing can be smuggled into the head.
std::string request_head(std::string_view method, std::string_view target, std::string_view host,
                         const std::map<std::string, std::string>& headers);

struct ResponseHead {
    int status = 0;
    bool http_1_0 = false;
    // Names in lower case; a header sent twice keeps the last value.
    std::map<std::string, std::string> headers;
    // The value of header `name` (lower case), or nothing.
    std::optional<std::string> header(const std::string& name) const;
};

// Reads one response head, skipping 1xx interim answers (100 Continue); what arrives after it
// stays on the connection. Throws TransportError: broken when the connection ends first, when
// the head is malformed or larger than k_max_response_head.
ResponseHead read_response_head(Connection& connection);

// A response body as a stream: reads from the connection only as far as the body goes, so the
// connection can carry the next request when it is whole. A body cut short (the connection
// broke or timed out) ends the stream early; complete() tells the two apart.
class BodyBuffer : public std::streambuf {
public:
    // `method` decides whether a body follows at all (not after HEAD, 1xx, 204, 304).
    BodyBuffer(Connection& connection, const ResponseHead& head, std::string_view method);

    // True once the whole body was read; then, unless the server asked to close,
    // the connection may be kept.
    bool complete() const { return m_state == State::done; }
    bool keep_alive() const { return m_keep_alive; }

protected:
    int_type underflow() override;

private:
    enum class State {
        sized,
        chunk_size,
        chunk_data,
        chunk_end,
        trailer,
        until_close,
        done,
        broken
    };
    std::string read_line();
    std::size_t fill(std::size_t most);

    Connection& m_connection;
    State m_state = State::done;
    std::uint64_t m_left = 0;        // bytes left in the sized body or the current chunk
    std::size_t m_trailer_bytes = 0; // bounded by k_max_response_head
    bool m_keep_alive = true;
    char m_buffer[16 * 1024];
};

} // namespace knot
