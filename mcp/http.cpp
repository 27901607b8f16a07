// MCP over Streamable HTTP (see http.hpp).
#include "mcp/http.hpp"

#include "libknot/base/error.hpp"
#include "mcp/http_sessions.hpp"
#include "mcp/json_rpc.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <vector>

namespace knot::mcp {
namespace {

using nlohmann::json;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// How long a request may take to arrive, and an idle kept-alive connection stay open.
constexpr long k_read_seconds = 5;
// The most of an oversized body read (and dropped) before refusing it.
constexpr std::size_t k_max_drained_bytes = 4 * k_max_message_bytes;
// How often an open event stream says it is alive (an SSE comment), which also finds a client
// that went away.
constexpr auto k_stream_heartbeat = std::chrono::seconds(15);

std::atomic<bool> g_stopping{false};

void send_json(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const json& body) {
    const std::string text = body.dump();
    response.setStatusAndReason(status);
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
}

// An HTTP-level refusal, its body a JSON-RPC error (as the SDKs read it).
void refuse(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
            const std::string& message, int code = invalid_request) {
    // The request's body may be unread: the connection cannot carry another request.
    response.setKeepAlive(false);
    send_json(response, status, error_message(nullptr, code, message));
}

// The host part of a Host header or of an Origin's authority: "[::1]" or "127.0.0.1" or a name.
std::string host_of(const std::string& authority) {
    if (!authority.empty() && authority[0] == '[') {
        const auto end = authority.find(']');
        return end == std::string::npos ? authority : authority.substr(0, end + 1);
    }
    return authority.substr(0, authority.find(':'));
}

bool is_loopback_name(const std::string& host) {
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

class McpHandler : public Poco::Net::HTTPRequestHandler {
public:
    McpHandler(Sessions& sessions, std::string bind)
        : m_sessions(sessions)
        , m_bind(std::move(bind)) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        try {
            serve(request, response);
        } catch (const Poco::Exception&) {
            // The client went away mid-answer: nothing left to tell it.
        } catch (const std::exception& e) {
            if (!response.sent())
                refuse(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, e.what(),
                       internal_error);
        }
    }

private:
    void serve(HTTPServerRequest& request, HTTPServerResponse& response) {
        // DNS rebinding: a page of another site that resolves its own name to this machine
        // still sends its own Host and Origin.
        int hosts = 0;
        for (const auto& [name, value] : request)
            hosts += Poco::icompare(name, "Host") == 0 ? 1 : 0;
        if (hosts != 1)
            return refuse(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "a request names exactly one Host");
        if (request.has("Transfer-Encoding") && request.has("Content-Length"))
            return refuse(response, HTTPResponse::HTTP_BAD_REQUEST,
                          "Content-Length and Transfer-Encoding together are refused");
        const std::string host = host_of(request.getHost());
        if (!is_loopback_name(host) && host != m_bind)
            return refuse(response, HTTPResponse::HTTP_FORBIDDEN,
                          "Host must name this machine's loopback address");
        if (request.has("Origin")) {
            const std::string origin = request.get("Origin");
            const auto scheme = origin.find("://");
            if (scheme == std::string::npos ||
                !is_loopback_name(host_of(origin.substr(scheme + 3))))
                return refuse(response, HTTPResponse::HTTP_FORBIDDEN,
                              "requests from the web page at " + origin + " are refused");
        }
        if (request.getURI() != "/mcp")
            return refuse(response, HTTPResponse::HTTP_NOT_FOUND, "the MCP endpoint is /mcp");
        if (request.has("MCP-Protocol-Version")) {
            bool known = false;
            for (const auto version : k_protocol_versions)
                known = known || request.get("MCP-Protocol-Version") == version;
            if (!known)
                return refuse(response, HTTPResponse::HTTP_BAD_REQUEST,
                              "unsupported MCP-Protocol-Version " +
                                  request.get("MCP-Protocol-Version"));
        }
        const std::string& method = request.getMethod();
        if (method == "POST")
            return post(request, response);
        if (method == "GET" || method == "DELETE") {
            const auto session = session_of(request, response);
            if (!session)
                return;
            if (method == "DELETE") {
                m_sessions.close(request.get("MCP-Session-Id"));
                response.setStatusAndReason(HTTPResponse::HTTP_OK);
                response.setContentLength(0);
                response.send();
                return;
            }
            return stream(*session, response);
        }
        response.set("Allow", "GET, POST, DELETE");
        refuse(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "use POST, GET or DELETE");
    }

    // The session the request names; nothing (the refusal sent) without one or for an unknown
    // one.
    std::shared_ptr<McpSession> session_of(HTTPServerRequest& request,
                                           HTTPServerResponse& response) {
        if (!request.has("MCP-Session-Id")) {
            refuse(response, HTTPResponse::HTTP_BAD_REQUEST,
                   "MCP-Session-Id is missing: send initialize first");
            return nullptr;
        }
        auto session = m_sessions.find(request.get("MCP-Session-Id"));
        if (!session)
            refuse(response, HTTPResponse::HTTP_NOT_FOUND,
                   "no such session (ended, or this server restarted): initialize again");
        return session;
    }

    void post(HTTPServerRequest& request, HTTPServerResponse& response) {
        const auto length = request.getContentLength64();
        char buffer[65536];
        auto& in = request.stream();
        if (length > static_cast<Poco::Int64>(k_max_message_bytes)) {
            // Read past, up to a bound, so that the client hears the refusal rather than a
            // reset connection while it still sends.
            if (length <= static_cast<Poco::Int64>(k_max_drained_bytes))
                while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
                }
            return refuse(response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                          "the message is larger than " + std::to_string(k_max_message_bytes) +
                              " bytes");
        }
        std::string body;
        while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
            body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (body.size() > k_max_message_bytes)
                return refuse(response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                              "the message is larger than " + std::to_string(k_max_message_bytes) +
                                  " bytes");
        }
        Message message;
        try {
            message = parse_message(body);
        } catch (const RpcError& e) {
            return send_json(response, HTTPResponse::HTTP_BAD_REQUEST,
                             error_message(e.id(), e.code(), e.what()));
        }
        std::shared_ptr<McpSession> session;
        if (message.kind == Message::Kind::request && message.method == "initialize") {
            auto opened = m_sessions.open();
            if (!opened)
                return refuse(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                              "too many MCP sessions are open; end one (DELETE) first");
            response.set("MCP-Session-Id", opened->first);
            session = opened->second;
        } else {
            session = session_of(request, response);
            if (!session)
                return;
        }
        const auto answer = session->handle(body);
        if (!answer) {
            response.setStatusAndReason(HTTPResponse::HTTP_ACCEPTED);
            response.setContentLength(0);
            response.send();
            return;
        }
        send_json(response, HTTPResponse::HTTP_OK, *answer);
    }

    // The session's server-to-client stream, until the session ends, the server stops or the
    // client goes away.
    void stream(McpSession& session, HTTPServerResponse& response) {
        const McpSession::Streaming streaming(session);
        response.setStatusAndReason(HTTPResponse::HTTP_OK);
        response.setContentType("text/event-stream");
        response.set("Cache-Control", "no-cache");
        response.setChunkedTransferEncoding(true);
        std::ostream& out = response.send();
        out << ": knot\n\n" << std::flush;
        auto last = std::chrono::steady_clock::now();
        while (!g_stopping && !session.closed() && out.good()) {
            if (auto note = session.pop(std::chrono::seconds(1))) {
                out << "event: message\ndata: " << note->dump() << "\n\n" << std::flush;
                last = std::chrono::steady_clock::now();
            } else if (std::chrono::steady_clock::now() - last > k_stream_heartbeat) {
                out << ": alive\n\n" << std::flush;
                last = std::chrono::steady_clock::now();
            }
        }
    }

    Sessions& m_sessions;
    std::string m_bind;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(Sessions& sessions, std::string bind)
        : m_sessions(sessions)
        , m_bind(std::move(bind)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new McpHandler(m_sessions, m_bind);
    }

private:
    Sessions& m_sessions;
    std::string m_bind;
};

} // namespace

int serve_http(const HttpOptions& options) {
    // The signals are taken by sigwait below, in this thread; Poco's threads inherit the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    Poco::Net::ServerSocket socket;
    try {
        socket.bind(Poco::Net::SocketAddress(options.bind, static_cast<Poco::UInt16>(options.port)),
                    true);
        socket.listen(64);
    } catch (const Poco::Exception& e) {
        throw Error("cannot listen on " + options.bind + ":" + std::to_string(options.port) + ": " +
                    e.displayText());
    }
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(k_max_http_sessions) + 16);
    params->setMaxQueued(128);
    params->setKeepAlive(true);
    // A client that sends its request slowly, or holds an idle connection open, gives its
    // thread back within seconds: a slow drip of headers cannot hold every thread.
    params->setTimeout(Poco::Timespan(k_read_seconds, 0));
    params->setKeepAliveTimeout(Poco::Timespan(k_read_seconds, 0));
    Sessions sessions;
    Poco::Net::HTTPServer server(new Factory(sessions, options.bind), socket, params);
    server.start();
    const auto port = socket.address().port();
    const std::string host =
        options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
    std::cout << "http://" << host << ":" << port << "/mcp" << std::endl;
    std::cerr << "git knot mcp: serving MCP at http://" << host << ":" << port
              << "/mcp; Ctrl-C stops it\n";
    int signal = 0;
    sigwait(&stop_signals, &signal);
    g_stopping = true;
    sessions.close_all();
    server.stopAll(true);
    return 0;
}

} // namespace knot::mcp
