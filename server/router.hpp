// The dispatch table: (method, path pattern) to the route function that answers it.
#pragma once

#include "http_types.hpp"

#include <functional>
#include <string>
#include <vector>

namespace knot::server {

struct ServerContext;

using RouteHandler = std::function<Response(const Request&, ServerContext&)>;

class Router {
public:
    explicit Router(ServerContext& context)
        : m_context(context) {}

    // Adds a route. `pattern` is a path whose segments are literal or `{name}`; a {name}
    // segment matches any one non-empty segment and is passed in Request::params.
    void add(std::string method, std::string pattern, RouteHandler handler);
    // Adds a route that reads its own body from Request::body_stream (a pack upload, too large
    // to hold in memory); the handler closes the connection after answering it.
    void add_streamed(std::string method, std::string pattern, RouteHandler handler);

    // The route for `request`'s method and path, its params filled in. Throws ApiError 404
    // not_found when no pattern matches the path and 405 method_not_allowed when one does but
    // not for this method.
    const RouteHandler& match(Request& request) const;

    // Calls `handler` for `request` with the server's context. When the handler refuses a
    // request whose signature had verified (an ApiError after authentication), the request's
    // nonce is recorded in a transaction of its own before the refusal goes on, so the same
    // signed request is never accepted later.
    Response call(const RouteHandler& handler, const Request& request) const;

private:
    enum class BodyMode { read, streamed };
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        RouteHandler handler;
        BodyMode body;
    };

    ServerContext& m_context;
    std::vector<Route> m_routes;
};

// Registers every route of the API (routes/<resource>.cpp).
void add_all_routes(Router& router);

} // namespace knot::server
