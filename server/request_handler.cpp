// The bridge from Poco's HTTP server to the router (see request_handler.hpp).
#include "request_handler.hpp"

#include "api_error.hpp"
#include "libknot/protocol.hpp"
#include "log.hpp"
#include "router.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <istream>
#include <memory>

namespace knot::server {
namespace {

constexpr std::size_t k_linger_bytes = 8 * k_max_body_bytes;
constexpr std::chrono::seconds k_linger_time{1};
// A WebSocket peer that does not take a frame within this time is dropped: it resumes from its
// last seq when it reconnects, and meanwhile holds up nobody but its own connection.
constexpr int k_frame_send_timeout_seconds = 10;
// How long a frame the peer started may take to arrive in full.
constexpr int k_frame_receive_timeout_seconds = 5;
// The largest frame a peer may send (they send only close, ping and {"ping": true}).
constexpr int k_max_peer_frame_bytes = 4096;

// The server's end of an upgraded connection, over Poco's WebSocket.
class PocoFrameSocket : public FrameSocket {
public:
    explicit PocoFrameSocket(Poco::Net::WebSocket& socket)
        : m_socket(socket) {}

    void send_text(const std::string& text) override {
        m_socket.sendFrame(text.data(), static_cast<int>(text.size()),
                           Poco::Net::WebSocket::FRAME_TEXT);
    }

    bool serve_peer() override {
        while (m_socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
            char buffer[k_max_peer_frame_bytes];
            int flags = 0;
            const int n = m_socket.receiveFrame(buffer, sizeof buffer, flags);
            const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
            if ((n == 0 && flags == 0) || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE)
                return false;
            if (opcode == Poco::Net::WebSocket::FRAME_OP_PING)
                m_socket.sendFrame(buffer, n,
                                   static_cast<int>(Poco::Net::WebSocket::FRAME_FLAG_FIN) |
                                       static_cast<int>(Poco::Net::WebSocket::FRAME_OP_PONG));
        }
        return true;
    }

    void close(int status, const std::string& reason) override {
        m_socket.shutdown(static_cast<Poco::UInt16>(status), reason);
    }

private:
    Poco::Net::WebSocket& m_socket;
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool method_needs_length(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH";
}

// Reads at most k_max_body_bytes of the body; 411 and 413 are thrown before anything is read.
std::string read_body(Poco::Net::HTTPServerRequest& in) {
    const bool chunked = in.getChunkedTransferEncoding();
    const bool has_length = in.hasContentLength();
    if (!chunked && !has_length) {
        if (method_needs_length(in.getMethod()))
            throw ApiError(411, "length_required",
                           "a request body needs a Content-Length or chunked encoding");
        return {};
    }
    if (has_length && (in.getContentLength64() < 0 ||
                       static_cast<std::uint64_t>(in.getContentLength64()) > k_max_body_bytes))
        throw ApiError(413, "too_large", "the request body is larger than 1 MiB");
    std::string body;
    const std::size_t want =
        has_length ? static_cast<std::size_t>(in.getContentLength64()) : k_max_body_bytes + 1;
    body.resize(want);
    std::istream& stream = in.stream();
    stream.read(body.data(), static_cast<std::streamsize>(want));
    body.resize(static_cast<std::size_t>(stream.gcount()));
    if (body.size() > k_max_body_bytes)
        throw ApiError(413, "too_large", "the request body is larger than 1 MiB");
    if (has_length && body.size() != want)
        throw ApiError(400, "bad_request", "body: shorter than its Content-Length");
    return body;
}

// Hands the unread body to a streaming route, after the checks read_body makes up front.
void open_streamed_body(Poco::Net::HTTPServerRequest& in, Request& request) {
    if (!in.getChunkedTransferEncoding() && !in.hasContentLength())
        throw ApiError(411, "length_required",
                       "a request body needs a Content-Length or chunked encoding");
    if (in.hasContentLength()) {
        if (in.getContentLength64() < 0)
            throw ApiError(400, "bad_request", "Content-Length: negative");
        request.body_length = static_cast<std::uint64_t>(in.getContentLength64());
    }
    request.body_stream = &in.stream();
}

class ApiRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ApiRequestHandler(const Router& router)
        : m_router(router) {}

    void handleRequest(Poco::Net::HTTPServerRequest& in,
                       Poco::Net::HTTPServerResponse& out) override {
        Response response;
        bool body_read = false;
        Request request;
        try {
            request.method = in.getMethod();
            request.target = in.getURI();
            for (const auto& [name, value] : in)
                request.headers[lower(name)] = value;
            try {
                const Poco::URI uri(request.target);
                request.path = uri.getPath();
                for (const auto& [name, value] : uri.getQueryParameters())
                    request.query[name] = value;
            } catch (const Poco::Exception&) {
                throw ApiError(400, "bad_request", "target: not a valid request target");
            }
            const RouteHandler& handler = m_router.match(request);
            if (request.streams_body) {
                open_streamed_body(in, request);
            } else {
                request.body = read_body(in);
                body_read = true;
            }
            response = m_router.call(handler, request);
        } catch (const ApiError& error) {
            response = Response::error(error.status(), error.code(), error.what(), error.details());
        } catch (const std::exception& error) {
            log_line("error: " + request.method + " " + request.target + ": " + error.what());
            response = Response::error(500, "internal", "internal server error (logged)");
        } catch (...) {
            log_line("error: " + request.method + " " + request.target + ": unknown exception");
            response = Response::error(500, "internal", "internal server error (logged)");
        }
        if (response.upgrade) {
            serve_upgrade(in, out, request, response.upgrade);
            return;
        }
        const bool nothing_unread = !in.getChunkedTransferEncoding() &&
                                    (!in.hasContentLength() || in.getContentLength64() == 0);
        try {
            send(out, response, body_read || nothing_unread);
        } catch (const std::exception&) {
            return; // the client is gone: nobody is left to answer
        }
        if (!body_read && !nothing_unread)
            discard_rest(in);
    }

private:
    // Answers the upgrade (101) and hands the WebSocket to the route until it is done. A peer
    // that goes away or is too slow ends the stream quietly; it resumes from its last seq.
    static void serve_upgrade(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out,
                              const Request& request,
                              const std::function<void(FrameSocket&)>& upgrade) {
        std::unique_ptr<Poco::Net::WebSocket> socket;
        try {
            socket = std::make_unique<Poco::Net::WebSocket>(in, out);
            socket->setSendTimeout(Poco::Timespan(k_frame_send_timeout_seconds, 0));
            socket->setReceiveTimeout(Poco::Timespan(k_frame_receive_timeout_seconds, 0));
            PocoFrameSocket frames(*socket);
            upgrade(frames);
        } catch (const Poco::Exception&) {
            // The handshake failed or the peer went away: nobody is left to answer.
        } catch (const std::exception& error) {
            log_line("error: " + request.method + " " + request.target + ": " + error.what());
        }
    }

    // Reads and drops what is left of a refused body, within limits of size and time, before
    // the connection closes: a client still sending it would otherwise get a reset instead of
    // the answer (what nginx calls a lingering close).
    static void discard_rest(Poco::Net::HTTPServerRequest& in) {
        const auto deadline = std::chrono::steady_clock::now() + k_linger_time;
        std::size_t dropped = 0;
        char buffer[64 * 1024];
        try {
            if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&in))
                impl->socket().setReceiveTimeout(Poco::Timespan(k_linger_time.count(), 0));
            std::istream& stream = in.stream();
            while (dropped < k_linger_bytes && std::chrono::steady_clock::now() < deadline &&
                   stream.read(buffer, sizeof buffer).gcount() > 0)
                dropped += static_cast<std::size_t>(stream.gcount());
        } catch (const std::exception&) {
            // The client went away: nothing left to protect.
        }
    }

    // A response sent before the body was read closes the connection: what follows on it is
    // the unread body, not a request.
    static void send(Poco::Net::HTTPServerResponse& out, const Response& response,
                     bool keep_alive) {
        out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
        out.setContentType(response.content_type);
        if (!keep_alive)
            out.setKeepAlive(false);
        if (response.write_body) {
            out.setChunkedTransferEncoding(true);
            std::ostream& stream = out.send();
            response.write_body(stream);
            stream.flush();
            return;
        }
        out.setContentLength64(static_cast<Poco::Int64>(response.body.size()));
        std::ostream& stream = out.send();
        stream.write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
        stream.flush();
    }

    const Router& m_router;
};

class ApiRequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ApiRequestHandlerFactory(const Router& router)
        : m_router(router) {}
    Poco::Net::HTTPRequestHandler*
    createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new ApiRequestHandler(m_router);
    }

private:
    const Router& m_router;
};

} // namespace

Poco::Net::HTTPRequestHandlerFactory::Ptr make_handler_factory(const Router& router) {
    return new ApiRequestHandlerFactory(router);
}

} // namespace knot::server
