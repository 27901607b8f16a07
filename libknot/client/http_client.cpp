// A small blocking HTTP/1.1 client over Poco (http and https), keeping one connection alive.
#include "libknot/client/http_client.hpp"

#include "libknot/base/error.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <sstream>

namespace knot {

std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const std::string& base_url) {
    Poco::URI uri;
    try {
        uri = Poco::URI(base_url);
    } catch (const Poco::Exception&) {
        throw Error("not a valid server URL: " + base_url);
    }
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty() ||
        (!uri.getPath().empty() && uri.getPath() != "/"))
        throw Error("not a server URL (scheme://host[:port]): " + base_url);
    if (uri.getScheme() == "http")
        return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    // TLS is set up on first use only: plain-http rooms (and hooks) never pay for it.
    static const Poco::Net::Context::Ptr context = [] {
        Poco::Net::initializeSSL();
        return Poco::Net::Context::Ptr(new Poco::Net::Context(
            Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9,
            true /* load the system's default CA certificates */));
    }();
    return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
}

struct HttpClient::Session {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
};

HttpClient::HttpClient(const std::string& base_url, std::chrono::milliseconds timeout)
    : m_base_url(base_url)
    , m_session(std::make_unique<Session>()) {
    m_session->session = open_http_session(base_url);
    m_session->session->setTimeout(Poco::Timespan(timeout.count() * 1000));
    m_session->session->setKeepAlive(true);
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 std::string_view body,
                                 const std::map<std::string, std::string>& headers) {
    HttpResponse result;
    request_streamed(method, target, body, headers, [&](int status, std::istream& in) {
        result.status = status;
        std::ostringstream text;
        Poco::StreamCopier::copyStream(in, text);
        result.body = text.str();
    });
    return result;
}

void HttpClient::request_streamed(
    std::string_view method, std::string_view target, std::string_view body,
    const std::map<std::string, std::string>& headers,
    const std::function<void(int status, std::istream& body)>& on_response) {
    auto& session = *m_session->session;
    // A kept-alive connection the server closed meanwhile fails on first use: retry once on a
    // fresh connection, which is safe because signed writes carry a nonce the server will
    // refuse to apply twice.
    Poco::Net::HTTPResponse res;
    std::istream* in = nullptr;
    for (int attempt = 0; !in; ++attempt) {
        try {
            Poco::Net::HTTPRequest req(std::string(method), std::string(target),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
            req.setKeepAlive(true);
            for (const auto& [name, value] : headers)
                req.set(name, value);
            if (!body.empty() || method == "POST" || method == "PUT") {
                if (headers.find("Content-Type") == headers.end())
                    req.setContentType("application/json");
                req.setContentLength(static_cast<std::streamsize>(body.size()));
            }
            std::ostream& out = session.sendRequest(req);
            out.write(body.data(), static_cast<std::streamsize>(body.size()));
            in = &session.receiveResponse(res);
        } catch (const Poco::Net::ConnectionRefusedException&) {
            throw UnreachableError("cannot reach the knot server at " + m_base_url +
                                   " (connection refused)");
        } catch (const Poco::TimeoutException&) {
            throw UnreachableError("the knot server at " + m_base_url + " did not answer in time");
        } catch (const Poco::Net::HostNotFoundException&) {
            throw UnreachableError("cannot resolve the knot server's host in " + m_base_url);
        } catch (const Poco::Net::SSLException& e) {
            session.reset(); // no retry: the same certificate fails the same way
            throw UnreachableError(
                "cannot reach the knot server at " + m_base_url + " over TLS (" + e.displayText() +
                "); a certificate not from a public authority must be trusted here: add its CA "
                "to the system's store, or set SSL_CERT_FILE to it");
        } catch (const Poco::Exception& e) {
            session.reset();
            if (attempt == 0)
                continue;
            throw UnreachableError("cannot reach the knot server at " + m_base_url + " (" +
                                   e.displayText() + ")");
        }
    }
    try {
        on_response(res.getStatus(), *in);
    } catch (const Poco::Exception& e) {
        session.reset();
        throw UnreachableError("lost the connection to the knot server at " + m_base_url + " (" +
                               e.displayText() + ")");
    } catch (...) {
        session.reset();
        throw;
    }
    // The unread rest of a body would be taken for the next response on this connection.
    if (!in->eof() || in->bad())
        session.reset();
}

} // namespace knot
