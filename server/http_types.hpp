// The request and response the routes see, free of Poco so that route code stays plain.
#pragma once

#include "libknot/protocol/error_codes.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
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

// Where a stream feed puts its frames: the output of one WebSocket, kept by the stream reactor.
class FrameSink {
public:
    virtual ~FrameSink() = default;
    // Queues one text frame. Never blocks: a peer that lets its queue grow past the output
    // budget is cut off by the reactor after the feed returns.
    virtual void send_text(const std::string& text) = 0;
    // Whether the queue is short enough for more catch-up: a feed sends a backlog page by page
    // while this holds, and the rest when the reactor calls it again as the socket drains.
    virtual bool has_room() const = 0;
};

// What an upgraded connection streams (the room's events). Runs on the stream reactor's
// thread, which serves every stream, so nothing in it may wait for a peer.
class StreamFeed {
public:
    virtual ~StreamFeed() = default;
    enum class Next {
        idle,       // nothing more until woken, or the next tick
        more,       // more to send: pump again once the output has room
        going_away, // the server is stopping: close with 1001
    };
    // Called once, first. `wake` asks the reactor to pump this feed soon; it may be called
    // from any thread and never blocks.
    virtual Next start(std::function<void()> wake) = 0;
    // Sends what is due into `sink`: on start, when woken, when the output drained after
    // `more`, and at least once a second (for heartbeats).
    virtual Next pump(FrameSink& sink) = 0;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    // Set by a route whose body is too large to hold (a pack): it is written to the stream
    // with chunked transfer encoding instead of `body`.
    std::function<void(std::ostream&)> write_body;
    // Set by a route that takes the connection over as a WebSocket: the handler answers the
    // upgrade (101) and hands the connection and this feed to the stream reactor.
    std::shared_ptr<StreamFeed> upgrade;

    // A JSON answer: `value` serialised compactly.
    static Response json(int status, const nlohmann::json& value);
    // `code`'s status with the error body {"error": message, "code": code}, plus the members
    // of the JSON object text `details` when it is not empty.
    static Response error(ErrorCode code, std::string_view message, std::string_view details = {});
};

} // namespace knot::server
