// Reading a request's body and writing a response (see http_io.hpp).
#include "http_io.hpp"

#include "api_error.hpp"
#include "connection.hpp"
#include "http_head.hpp"
#include "http_types.hpp"

#include <Poco/Net/HTTPResponse.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace knot::server {
namespace {

constexpr std::size_t k_piece = 64 * 1024;
// A chunk-size line, with its extensions, and the trailer in all.
constexpr std::size_t k_max_chunk_line = 1024;
constexpr std::size_t k_max_trailer_bytes = 8 * 1024;

std::string http_date() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[64];
    const std::size_t size = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(text, size);
}

} // namespace

BodyReader::BodyReader(Connection& connection, const RequestHead& head)
    : m_connection(connection)
    , m_chunked(head.chunked)
    , m_expect_continue(head.expect_continue)
    , m_state(head.chunked ? State::chunk_size : State::data)
    , m_remaining(head.chunked ? 0 : head.content_length.value_or(0))
    , m_start(std::chrono::steady_clock::now()) {
    if (!m_chunked && m_remaining == 0)
        m_state = State::done;
}

bool BodyReader::fail(Failure failure, std::string message) {
    if (m_failure == Failure::none) {
        m_failure = failure;
        m_failure_message = std::move(message);
    }
    return false;
}

bool BodyReader::fill() {
    if (m_failure != Failure::none)
        return false;
    try {
        if (m_expect_continue && !m_continue_sent) {
            m_continue_sent = true;
            m_connection.write_all("HTTP/1.1 100 Continue\r\n\r\n", k_send_stall);
        }
        const auto now = std::chrono::steady_clock::now();
        const auto earned = std::chrono::seconds(m_received / k_min_body_bytes_per_second);
        const auto deadline =
            std::min(now + k_body_read_timeout, m_start + k_body_read_timeout + earned);
        if (!m_connection.read_more(deadline))
            return fail(Failure::gone, "the client closed the connection inside the body");
        return true;
    } catch (const ConnectionTimeout& error) {
        return fail(Failure::timeout, error.what());
    } catch (const ConnectionLost& error) {
        return fail(Failure::gone, error.what());
    }
}

bool BodyReader::take_line(std::string& line) {
    std::string& in = m_connection.input();
    for (;;) {
        const auto end = in.find("\r\n");
        if (end != std::string::npos) {
            if (end > k_max_chunk_line)
                break;
            line.assign(in, 0, end);
            in.erase(0, end + 2);
            return true;
        }
        if (in.size() > k_max_chunk_line)
            break;
        if (!fill())
            return false;
    }
    return fail(Failure::framing,
                "chunked body: a line longer than " + std::to_string(k_max_chunk_line) + " bytes");
}

BodyReader::int_type BodyReader::underflow() {
    std::string& in = m_connection.input();
    std::string line;
    for (;;) {
        switch (m_state) {
        case State::done:
            return traits_type::eof();
        case State::data: {
            if (m_remaining == 0) {
                m_state = m_chunked ? State::chunk_end : State::done;
                continue;
            }
            if (in.empty() && !fill())
                return traits_type::eof();
            const std::size_t take = static_cast<std::size_t>(
                std::min<std::uint64_t>({in.size(), m_remaining, k_piece}));
            m_buffer.assign(in, 0, take);
            in.erase(0, take);
            m_remaining -= take;
            m_received += take;
            if (m_remaining == 0 && !m_chunked)
                m_state = State::done; // finished() as soon as the last byte is taken
            setg(m_buffer.data(), m_buffer.data(), m_buffer.data() + m_buffer.size());
            return traits_type::to_int_type(m_buffer.front());
        }
        case State::chunk_size:
            if (!take_line(line))
                return traits_type::eof();
            try {
                m_remaining = parse_chunk_size(line);
            } catch (const ApiError& error) {
                fail(Failure::framing, error.what());
                return traits_type::eof();
            }
            m_state = m_remaining == 0 ? State::trailer : State::data;
            continue;
        case State::chunk_end:
            if (!take_line(line))
                return traits_type::eof();
            if (!line.empty()) {
                fail(Failure::framing, "chunked body: a chunk is longer than its size");
                return traits_type::eof();
            }
            m_state = State::chunk_size;
            continue;
        case State::trailer:
            if (!take_line(line))
                return traits_type::eof();
            m_trailer_bytes += line.size() + 2;
            if (m_trailer_bytes > k_max_trailer_bytes) {
                fail(Failure::framing, "chunked body: the trailer is too long");
                return traits_type::eof();
            }
            if (line.empty())
                m_state = State::done;
            continue;
        }
    }
}

ChunkedWriter::ChunkedWriter(Connection& connection)
    : m_connection(connection) {
    m_buffer.reserve(k_piece);
}

ChunkedWriter::int_type ChunkedWriter::overflow(int_type c) {
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
        m_buffer.push_back(traits_type::to_char_type(c));
        if (m_buffer.size() >= k_piece)
            write_chunk();
    }
    return traits_type::not_eof(c);
}

int ChunkedWriter::sync() {
    write_chunk();
    return 0;
}

void ChunkedWriter::write_chunk() {
    if (m_buffer.empty())
        return;
    char size[32];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", m_buffer.size());
    m_buffer.insert(0, size, static_cast<std::size_t>(n));
    m_buffer.append("\r\n");
    m_connection.write_all(m_buffer, k_send_stall);
    m_buffer.clear();
}

void ChunkedWriter::finish() {
    write_chunk();
    m_connection.write_all("0\r\n\r\n", k_send_stall);
}

std::string response_head(int status, std::string_view content_type, std::int64_t content_length,
                          bool keep_alive) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                       Poco::Net::HTTPResponse::getReasonForStatus(
                           static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status)) +
                       "\r\nDate: " + http_date() +
                       "\r\nServer: knot-server/" KNOT_VERSION "\r\nContent-Type: ";
    head.append(content_type);
    if (content_length < 0)
        head += "\r\nTransfer-Encoding: chunked";
    else
        head += "\r\nContent-Length: " + std::to_string(content_length);
    head += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    return head;
}

std::string error_response_bytes(ErrorCode code, std::string_view message) {
    const Response response = Response::error(code, message);
    return response_head(response.status, response.content_type,
                         static_cast<std::int64_t>(response.body.size()), false) +
           response.body;
}

} // namespace knot::server
