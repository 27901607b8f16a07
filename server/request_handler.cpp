// Serving one parsed request on a worker thread (see request_handler.hpp).
#include "request_handler.hpp"

#include "api_error.hpp"
#include "connection.hpp"
#include "http_head.hpp"
#include "http_io.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/websocket_frame.hpp"
#include "log.hpp"
#include "router.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <istream>

namespace knot::server {
namespace {

// How long a refused body is read and dropped before the connection closes (and how much).
constexpr std::chrono::seconds k_linger_time{1};

bool method_needs_length(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH";
}

// Reads at most k_max_body_bytes of the body; 411 and 413 are thrown before anything is read.
std::string read_body(const RequestHead& head, std::istream& in) {
    if (!head.chunked && !head.content_length) {
        if (method_needs_length(head.method))
            throw ApiError(error_code::length_required,
                           "a request body needs a Content-Length or chunked encoding");
        return {};
    }
    if (head.content_length && *head.content_length > k_max_body_bytes)
        throw ApiError(error_code::too_large, "the request body is larger than 1 MiB");
    const std::size_t want =
        head.content_length ? static_cast<std::size_t>(*head.content_length) : k_max_body_bytes + 1;
    std::string body(want, '\0');
    in.read(body.data(), static_cast<std::streamsize>(want));
    body.resize(static_cast<std::size_t>(in.gcount()));
    if (body.size() > k_max_body_bytes)
        throw ApiError(error_code::too_large, "the request body is larger than 1 MiB");
    if (head.content_length && body.size() != want)
        throw ApiError(error_code::bad_request, "body: shorter than its Content-Length");
    return body;
}

Request request_of(const RequestHead& head) {
    Request request;
    request.method = head.method;
    request.target = head.target;
    for (const auto& [name, value] : head.fields)
        request.headers[name] = value;
    try {
        const Poco::URI uri(request.target);
        request.path = uri.getPath();
        for (const auto& [name, value] : uri.getQueryParameters())
            request.query[name] = value;
    } catch (const Poco::Exception&) {
        throw ApiError(error_code::bad_request, "target: not a valid request target");
    }
    return request;
}

// The answer to a failed body read, which outranks whatever the route made of a cut body.
Response body_failure_response(const BodyReader& body) {
    if (body.failure() == BodyReader::Failure::framing)
        return Response::error(error_code::bad_request, body.failure_message());
    return Response::error(error_code::timeout, "the request body did not arrive in time");
}

// Sends `response`; a write_body route streams its body in chunks.
void send(Connection& connection, const Response& response, bool keep_alive) {
    if (response.write_body) {
        connection.write_all(response_head(response.status, response.content_type, -1, keep_alive),
                             k_send_stall);
        ChunkedWriter chunks(connection);
        std::ostream out(&chunks);
        response.write_body(out);
        out.flush();
        chunks.finish();
        return;
    }
    std::string bytes = response_head(response.status, response.content_type,
                                      static_cast<std::int64_t>(response.body.size()), keep_alive);
    bytes += response.body;
    connection.write_all(bytes, k_send_stall);
}

Response route(const RequestHead& head, Request& request, BodyReader& body, std::istream& in,
               const Router& router) {
    try {
        request = request_of(head);
        const RouteHandler& handler = router.match(request);
        if (request.streams_body) {
            if (!head.chunked && !head.content_length)
                throw ApiError(error_code::length_required,
                               "a request body needs a Content-Length or chunked encoding");
            request.body_length = head.content_length;
            request.body_stream = &in;
        } else {
            request.body = read_body(head, in);
        }
        Response response = router.call(handler, request);
        if (body.failure() != BodyReader::Failure::none)
            return body_failure_response(body);
        return response;
    } catch (const ApiError& error) {
        if (body.failure() != BodyReader::Failure::none)
            return body_failure_response(body);
        return Response::error(error.wire_code(), error.what(), error.details());
    } catch (const std::exception& error) {
        log_line("error: " + request.method + " " + request.target + ": " + error.what());
    } catch (...) {
        log_line("error: " + request.method + " " + request.target + ": unknown exception");
    }
    return Response::error(error_code::internal, "internal server error (logged)");
}

} // namespace

Served serve_request(Connection& connection, const RequestHead& head, const Router& router) {
    BodyReader body(connection, head);
    std::istream in(&body);
    Request request;
    const Response response = route(head, request, body, in, router);
    if (body.failure() == BodyReader::Failure::gone)
        return {};
    try {
        if (response.upgrade) {
            connection.write_all("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                     websocket_accept(request.header("Sec-WebSocket-Key")) +
                                     "\r\n\r\n",
                                 k_send_stall);
            return {Served::Then::upgraded, response.upgrade};
        }
        // What follows an unread body on the connection is that body, not a request.
        const bool keep_alive = head.keep_alive && body.finished();
        send(connection, response, keep_alive);
        if (keep_alive)
            return {Served::Then::keep_alive, nullptr};
        if (!body.finished() && body.failure() == BodyReader::Failure::none)
            connection.close_after({}, k_linger_time);
    } catch (const ConnectionLost&) {
        // The client is gone or stopped reading: nobody is left to answer.
    } catch (const std::exception& error) {
        log_line("error: " + request.method + " " + request.target + ": " + error.what());
    }
    return {};
}

} // namespace knot::server
