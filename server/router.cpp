// The dispatch table (see router.hpp).
#include "router.hpp"

#include "api_error.hpp"
#include "context.hpp"
#include "log.hpp"
#include "routes/routes.hpp"
#include "store.hpp"

namespace knot::server {
namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string::npos ? path.size() : slash;
        if (end > start)
            segments.push_back(path.substr(start, end - start));
        else if (slash != std::string::npos && start != 0)
            segments.emplace_back(); // an empty segment ("//" or a trailing "/") never matches
        start = end + 1;
    }
    return segments;
}

bool is_param(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

} // namespace

void Router::add(std::string method, std::string pattern, RouteHandler handler) {
    m_routes.push_back(
        Route{std::move(method), split_path(pattern), std::move(handler), BodyMode::read});
}

void Router::add_streamed(std::string method, std::string pattern, RouteHandler handler) {
    m_routes.push_back(
        Route{std::move(method), split_path(pattern), std::move(handler), BodyMode::streamed});
}

const RouteHandler& Router::match(Request& request) const {
    const std::vector<std::string> segments = split_path(request.path);
    bool path_matched = false;
    for (const Route& route : m_routes) {
        if (route.segments.size() != segments.size())
            continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (std::size_t i = 0; ok && i < segments.size(); ++i) {
            const std::string& want = route.segments[i];
            if (is_param(want) && !segments[i].empty())
                params[want.substr(1, want.size() - 2)] = segments[i];
            else
                ok = want == segments[i];
        }
        if (!ok)
            continue;
        path_matched = true;
        if (route.method != request.method)
            continue;
        request.params = std::move(params);
        request.streams_body = route.body == BodyMode::streamed;
        return route.handler;
    }
    if (path_matched)
        throw ApiError(error_code::method_not_allowed,
                       request.method + " is not allowed on " + request.path);
    throw ApiError(error_code::not_found, "no such endpoint: " + request.path);
}

void add_all_routes(Router& router) {
    add_health_routes(router);
    add_join_routes(router);
    add_room_routes(router);
    add_agent_routes(router);
    add_event_routes(router);
    add_lock_routes(router);
    add_task_routes(router);
    add_message_routes(router);
    add_stream_routes(router);
    add_git_routes(router);
    add_integration_routes(router);
    add_review_routes(router);
    add_patch_routes(router);
}

Response Router::call(const RouteHandler& handler, const Request& request) const {
    try {
        return handler(request, m_context);
    } catch (const ApiError& refusal) {
        // An event-stream hello sent without its upgrade headers is a read refused for its form,
        // which the client completes and sends again (docs/protocol.md): its nonce stays free.
        if (request.verified_nonce && refusal.code() != error_code::replayed_nonce &&
            refusal.code() != error_code::upgrade_required) {
            const Request::VerifiedNonce& spent = *request.verified_nonce;
            try {
                // Already recorded when the refusal came after the route's write committed.
                m_context.store.write([&](Transaction& transaction) {
                    transaction.record_nonce(spent.public_key, spent.nonce, spent.timestamp);
                });
            } catch (const std::exception& error) {
                log_line(std::string("error: cannot record the nonce of a refused request: ") +
                         error.what());
            }
        }
        throw;
    }
}

} // namespace knot::server
