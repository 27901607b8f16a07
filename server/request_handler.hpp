// Serving one parsed request on a worker thread: the bridge from a connection to the router,
// and the server's one catch site.
#pragma once

#include <memory>

namespace knot::server {

class Connection;
class Router;
class StreamFeed;
struct RequestHead;

// What became of the connection once a request was answered.
struct Served {
    enum class Then {
        keep_alive, // the answer is sent and the body read: the next request may follow
        close,      // close it (the client asked, the body was not read, or it broke)
        upgraded,   // a WebSocket: hand the connection and `feed` to the stream reactor
    };
    Then then = Then::close;
    std::shared_ptr<StreamFeed> feed;
};

// Reads the body of the request `head` from `connection` (refusing bodies over
// k_max_body_bytes with 413 before reading them, and a broken framing with 400), dispatches it
// through `router`, and sends the answer: an ApiError becomes its status and {"error", "code"}
// body, anything else 500 internal plus a log line. For an upgrade, answers 101. Never throws.
Served serve_request(Connection& connection, const RequestHead& head, const Router& router);

} // namespace knot::server
