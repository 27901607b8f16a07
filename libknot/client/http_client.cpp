// A small blocking HTTP/1.1 client (see http_client.hpp), keeping one connection alive.
#include "libknot/client/http_client.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/connection.hpp"
#include "libknot/client/http_wire.hpp"

#include <iterator>
#include <optional>

namespace knot {

Url server_url(const std::string& base_url) {
    const auto url = parse_url(base_url);
    if (!url && base_url.find("://") == std::string::npos)
        throw Error("not a valid server URL: " + base_url);
    if (!url || (!url->path.empty() && url->path != "/") || !url->query.empty() ||
        base_url.find('?') != std::string::npos)
        throw Error("not a server URL (scheme://host[:port]): " + base_url);
    return *url;
}

UnreachableError unreachable(const std::string& base_url, const TransportError& error) {
    switch (error.kind()) {
    case TransportError::Kind::refused:
        return UnreachableError("cannot reach the knot server at " + base_url +
                                " (connection refused)");
    case TransportError::Kind::timed_out:
        return UnreachableError("the knot server at " + base_url + " did not answer in time");
    case TransportError::Kind::unresolved:
        return UnreachableError("cannot resolve the knot server's host in " + base_url);
    case TransportError::Kind::tls:
        return UnreachableError(
            "cannot reach the knot server at " + base_url + " over TLS (" + error.what() +
            "); a certificate not from a public authority must be trusted here: add its CA "
            "to the system's store, or set SSL_CERT_FILE to it");
    case TransportError::Kind::tls_module:
        return UnreachableError("cannot reach the knot server at " + base_url +
                                " over TLS: " + error.what());
    case TransportError::Kind::broken:
        break;
    }
    return UnreachableError("cannot reach the knot server at " + base_url + " (" + error.what() +
                            ")");
}

struct HttpClient::Session {
    Url url;
    std::chrono::milliseconds timeout;
    std::optional<Connection> connection;
};

HttpClient::HttpClient(const std::string& base_url, std::chrono::milliseconds timeout)
    : m_base_url(base_url)
    , m_session(std::make_unique<Session>(Session{server_url(base_url), timeout, std::nullopt})) {}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 std::string_view body,
                                 const std::map<std::string, std::string>& headers) {
    HttpResponse result;
    request_streamed(method, target, body, headers, [&](int status, std::istream& in) {
        result.status = status;
        result.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    });
    return result;
}

void HttpClient::request_streamed(
    std::string_view method, std::string_view target, std::string_view body,
    const std::map<std::string, std::string>& headers,
    const std::function<void(int status, std::istream& body)>& on_response) {
    auto& session = *m_session;
    std::map<std::string, std::string> sent = headers;
    if (!body.empty() || method == "POST" || method == "PUT") {
        sent.try_emplace("Content-Type", "application/json");
        sent["Content-Length"] = std::to_string(body.size());
    }
    std::string message = request_head(method, target, session.url.authority(), sent);
    message.append(body);
    // A kept-alive connection the server closed meanwhile fails on first use: retry once on a
    // fresh connection, which is safe because signed writes carry a nonce the server will
    // refuse to apply twice.
    ResponseHead head;
    for (int attempt = 0;; ++attempt) {
        try {
            if (session.connection && session.connection->stale())
                session.connection.reset();
            if (!session.connection)
                session.connection.emplace(session.url.host, session.url.port,
                                           session.url.scheme == "https" ? Security::tls
                                                                         : Security::plain,
                                           session.timeout);
            session.connection->write_all(message);
            head = read_response_head(*session.connection);
            break;
        } catch (const TransportError& e) {
            session.connection.reset();
            if (e.kind() == TransportError::Kind::broken && attempt == 0)
                continue;
            throw unreachable(m_base_url, e);
        }
    }
    BodyBuffer buffer(*session.connection, head, method);
    std::istream in(&buffer);
    try {
        on_response(head.status, in);
    } catch (...) {
        session.connection.reset();
        throw;
    }
    // The unread rest of a body would be taken for the next response on this connection.
    if (!buffer.complete() || !buffer.keep_alive())
        session.connection.reset();
}

} // namespace knot
