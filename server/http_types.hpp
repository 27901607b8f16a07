// The request and response the routes see, free of Poco so that route code stays plain.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace knot::server {

struct Request {
    std::string method;
    // The request target exactly as received (path and ?query): what a signature covers.
    std::string target;
    // The decoded path, without the query.
    std::string path;
    // Lower-cased header names to values.
    std::map<std::string, std::string> headers;
    // Decoded query parameters; the last one wins when a name repeats.
    std::map<std::string, std::string> query;
    // Values of the {name} segments of the matched route pattern.
    std::map<std::string, std::string> params;
    std::string body;
    // Set by the router for a route added with Router::add_streamed: such a route reads its own
    // body from `body_stream` (at most `body_length` bytes when the client sent a length), and
    // `body` stays empty.
    bool streams_body = false;
    std::istream* body_stream = nullptr;
    std::optional<std::uint64_t> body_length;
    // The lower-case hex SHA-256 of a streamed body, set by its route once read: a signature
    // then covers it in place of `body`.
    std::string body_sha256;

    // Set by the credential checks (auth.hpp) once the request's signature verifies: the
    // signer's key, the nonce and the signed time. The router spends that nonce even when the
    // route then refuses the request, so a refused request cannot be sent again later (say,
    // once the lock it wanted is free) as if it were new.
    struct VerifiedNonce {
        std::vector<std::uint8_t> public_key;
        std::string nonce;
        std::int64_t timestamp = 0;
    };
    mutable std::optional<VerifiedNonce> verified_nonce;

    // The value of header `name` (any case), or "" when absent.
    std::string header(std::string_view name) const;
    // The value of query parameter `name`, when present.
    std::optional<std::string> query_value(const std::string& name) const;
    // The path parameter `name`; throws std::out_of_range when the route has none.
    const std::string& param(const std::string& name) const { return params.at(name); }
    // The body parsed strictly (strict_json.hpp) as a JSON object; throws ApiError 400 bad_json
    // when it is not one.
    nlohmann::json json_body() const;
};

// The server's end of a WebSocket, as a route that took its connection over sees it.
class FrameSocket {
public:
    virtual ~FrameSocket() = default;
    // Sends one text frame. Throws when the peer is gone or does not take the frame within the
    // send timeout.
    virtual void send_text(const std::string& text) = 0;
    // Handles what the peer sent, without waiting for more: answers pings, ignores text and
    // pongs. Returns false when the peer closed the connection or went away.
    virtual bool serve_peer() = 0;
    // Sends a close frame with the WebSocket close code `status`.
    virtual void close(int status, const std::string& reason) = 0;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    // Set by a route whose body is too large to hold (a pack): it is written to the stream
    // with chunked transfer encoding instead of `body`.
    std::function<void(std::ostream&)> write_body;
    // Set by a route that takes the connection over as a WebSocket: the handler answers the
    // upgrade (101) and then runs this with the socket until it returns.
    std::function<void(FrameSocket&)> upgrade;

    // A JSON answer: `value` serialised compactly.
    static Response json(int status, const nlohmann::json& value);
    // The error body {"error": message, "code": code}, plus the members of the JSON object
    // text `details` when it is not empty.
    static Response error(int status, std::string_view code, std::string_view message,
                          std::string_view details = {});
};

} // namespace knot::server
