// A small blocking HTTP/1.1 client of our own (http, and https through the TLS module loaded on
// first use), keeping one connection alive: git-knot and the hooks start without Poco.
#pragma once

#include "libknot/base/url.hpp"

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace knot {

class TransportError;
class UnreachableError;

// The server `base_url` names: scheme://host[:port] with no path but an optional '/'. Throws
// knot::Error when it is not of that form.
Url server_url(const std::string& base_url);

// What a user reads when the server at `base_url` could not be reached because of `error`.
UnreachableError unreachable(const std::string& base_url, const TransportError& error);

struct HttpResponse {
    int status = 0;
    std::string body;
};

class HttpClient {
public:
    // `base_url` is scheme://host[:port] with no path; throws knot::Error when it is not.
    // `timeout` bounds connecting and each wait for the server (not a whole transfer).
    explicit HttpClient(const std::string& base_url,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    // Sends one request; `target` is the path and query, sent exactly as given. A body is sent
    // with Content-Type: application/json. Throws knot::UnreachableError when no answer came
    // (refused, timed out, unresolvable, TLS refused, reset); any HTTP status, error or not, is
    // returned.
    HttpResponse request(std::string_view method, std::string_view target,
                         std::string_view body = {},
                         const std::map<std::string, std::string>& headers = {});

    // Like request, but hands the status and the response body, as a stream read while it
    // arrives, to `on_response` instead of holding the body in memory (for a body as large as a
    // pack). The retry and the UnreachableError are request's, up to the response's head; a
    // body cut short after it reads as a short stream, so `on_response` must check that what it
    // read is whole. What it leaves unread is dropped with the connection. Exceptions from
    // `on_response` propagate.
    void request_streamed(std::string_view method, std::string_view target, std::string_view body,
                          const std::map<std::string, std::string>& headers,
                          const std::function<void(int status, std::istream& body)>& on_response);

    const std::string& base_url() const { return m_base_url; }

private:
    struct Session;
    std::string m_base_url;
    std::unique_ptr<Session> m_session;
};

} // namespace knot
