// HTTP/1.1 on a Connection (see http_wire.hpp).
#include "libknot/client/http_wire.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/connection.hpp"

#include <charconv>

namespace knot {
namespace {

using Kind = TransportError::Kind;

[[noreturn]] void malformed(const std::string& why) {
    throw TransportError(Kind::broken, "a malformed answer: " + why);
}

// One head: "HTTP/1.x NNN reason" and its header lines, without the final empty line.
ResponseHead parse_head(std::string_view text) {
    ResponseHead head;
    const std::size_t line_end = text.find("\r\n");
    const std::string_view status_line = text.substr(0, line_end);
    if (status_line.size() < 12 ||
        (status_line.substr(0, 9) != "HTTP/1.1 " && status_line.substr(0, 9) != "HTTP/1.0 "))
        malformed("not an HTTP/1.x status line");
    head.http_1_0 = status_line[7] == '0';
    const auto [end, error] =
        std::from_chars(status_line.data() + 9, status_line.data() + 12, head.status);
    if (error != std::errc() || end != status_line.data() + 12 || head.status < 100 ||
        (status_line.size() > 12 && status_line[12] != ' '))
        malformed("a bad status code");
    text = line_end == std::string_view::npos ? "" : text.substr(line_end + 2);
    while (!text.empty()) {
        const std::size_t next = text.find("\r\n");
        const std::string_view line = text.substr(0, next);
        text = next == std::string_view::npos ? "" : text.substr(next + 2);
        const std::size_t colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos)
            malformed("a header line without a name");
        head.headers[ascii_lower(line.substr(0, colon))] = trim_blanks(line.substr(colon + 1));
    }
    return head;
}

bool has_token(const std::optional<std::string>& value, std::string_view token) {
    return value && ascii_lower(*value).find(token) != std::string::npos;
}

} // namespace

std::string request_head(std::string_view method, std::string_view target, std::string_view host,
                         const std::map<std::string, std::string>& headers) {
    if (target.empty() || target.find_first_of(" \t\r\n") != std::string_view::npos)
        throw Error("cannot send a request for '" + std::string(target) + "'");
    std::string head;
    head.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
    head.append(host).append("\r\n");
    for (const auto& [name, value] : headers) {
        if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos)
            throw Error("cannot send the header '" + name + "': not a valid name or value");
        head.append(name).append(": ").append(value).append("\r\n");
    }
    head.append("\r\n");
    return head;
}

std::optional<std::string> ResponseHead::header(const std::string& name) const {
    const auto found = headers.find(name);
    if (found == headers.end())
        return std::nullopt;
    return found->second;
}

ResponseHead read_response_head(Connection& connection) {
    std::string text;
    char chunk[4096];
    // Interim answers count against the bound too: a server sending 100 Continue for ever
    // must not keep the client reading for ever.
    std::size_t interim = 0;
    for (;;) {
        const std::size_t end = text.find("\r\n\r\n");
        if (end != std::string::npos && interim + end <= k_max_response_head) {
            ResponseHead head = parse_head(std::string_view(text).substr(0, end));
            text.erase(0, end + 4);
            if (head.status >= 200 || head.status == 101) {
                connection.put_back(text);
                return head;
            }
            interim += end + 4;
            continue; // an interim answer: the real one follows
        }
        if (interim + text.size() > k_max_response_head)
            malformed("its head is larger than " + std::to_string(k_max_response_head / 1024) +
                      " KiB");
        const std::size_t got = connection.read_some(chunk, sizeof chunk);
        if (got == 0)
            throw TransportError(Kind::broken, text.empty()
                                                   ? "the server closed the connection"
                                                   : "the server closed the connection mid-answer");
        text.append(chunk, got);
    }
}

BodyBuffer::BodyBuffer(Connection& connection, const ResponseHead& head, std::string_view method)
    : m_connection(connection) {
    m_keep_alive = head.http_1_0 ? has_token(head.header("connection"), "keep-alive")
                                 : !has_token(head.header("connection"), "close");
    setg(m_buffer, m_buffer, m_buffer);
    if (method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304)
        return;
    if (has_token(head.header("transfer-encoding"), "chunked")) {
        m_state = State::chunk_size;
    } else if (const auto length = head.header("content-length")) {
        const auto [end, error] =
            std::from_chars(length->data(), length->data() + length->size(), m_left);
        if (error != std::errc() || end != length->data() + length->size())
            malformed("a bad Content-Length");
        m_state = m_left == 0 ? State::done : State::sized;
    } else {
        m_state = State::until_close;
        m_keep_alive = false;
    }
}

std::string BodyBuffer::read_line() {
    std::string line;
    char c = 0;
    while (line.size() < 4096) {
        if (m_connection.read_some(&c, 1) == 0)
            throw TransportError(Kind::broken, "the body was cut short");
        if (c == '\n') {
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            return line;
        }
        line += c;
    }
    malformed("a chunk line too long");
}

std::size_t BodyBuffer::fill(std::size_t most) {
    const std::size_t got = m_connection.read_some(m_buffer, std::min(most, sizeof m_buffer));
    if (got == 0 && m_state != State::until_close)
        throw TransportError(Kind::broken, "the body was cut short");
    return got;
}

BodyBuffer::int_type BodyBuffer::underflow() {
    if (gptr() < egptr())
        return traits_type::to_int_type(*gptr());
    try {
        for (;;) {
            std::size_t got = 0;
            switch (m_state) {
            case State::done:
            case State::broken:
                return traits_type::eof();
            case State::until_close:
                got = fill(sizeof m_buffer);
                if (got == 0)
                    m_state = State::done;
                break;
            case State::sized:
            case State::chunk_data:
                got = fill(m_left);
                m_left -= got;
                if (m_left == 0)
                    m_state = m_state == State::sized ? State::done : State::chunk_end;
                break;
            case State::chunk_size: {
                const std::string line = read_line();
                const auto [end, error] =
                    std::from_chars(line.data(), line.data() + line.size(), m_left, 16);
                if (error != std::errc() || end == line.data() ||
                    (end != line.data() + line.size() && *end != ';'))
                    malformed("a bad chunk size");
                m_state = m_left == 0 ? State::trailer : State::chunk_data;
                break;
            }
            case State::chunk_end:
                if (!read_line().empty())
                    malformed("a chunk not ended by CRLF");
                m_state = State::chunk_size;
                break;
            case State::trailer: {
                // Trailers are a second head: bounded like the first.
                const std::string line = read_line();
                m_trailer_bytes += line.size() + 2;
                if (m_trailer_bytes > k_max_response_head)
                    malformed("its trailers are larger than " +
                              std::to_string(k_max_response_head / 1024) + " KiB");
                if (line.empty())
                    m_state = State::done;
                break;
            }
            }
            if (got > 0) {
                setg(m_buffer, m_buffer, m_buffer + got);
                return traits_type::to_int_type(*gptr());
            }
        }
    } catch (const TransportError&) {
        m_state = State::broken; // a short stream, as documented; complete() says false
        return traits_type::eof();
    }
}

} // namespace knot
