// The routes without a socket (see in_process_server.hpp).
#include "in_process_server.hpp"

#include "libknot/protocol/identity.hpp"
#include "server/api_error.hpp"

#include <algorithm>
#include <cctype>

namespace knot::test {

InProcessServer::InProcessServer()
    : m_store(m_dir.path() / "knot.db")
    , m_context{m_store,
                m_admin_token,
                Identity::generate().public_key(),
                m_hub,
                std::chrono::seconds(15),
                m_dir.path() / "data",
                server::ForgePolicy{{"https"}, false, false, m_dir.path() / "data"},
                {},
                server::PackLimits{},
                nullptr,
                ""}
    , m_router(m_context) {
    server::add_all_routes(m_router);
}

ApiResponse InProcessServer::send(const std::string& method, const std::string& target,
                                  const std::string& body, const Headers& headers) {
    server::Request request;
    request.method = method;
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    if (const auto mark = target.find('?'); mark != std::string::npos) {
        std::size_t start = mark + 1;
        while (start <= target.size()) {
            const std::size_t end = std::min(target.find('&', start), target.size());
            const std::string pair = target.substr(start, end - start);
            const std::size_t equals = pair.find('=');
            request.query[pair.substr(0, equals)] =
                equals == std::string::npos ? "" : pair.substr(equals + 1);
            start = end + 1;
        }
    }
    for (const auto& [name, value] : headers) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        request.headers[lower] = value;
    }
    request.body = body;
    server::Response response;
    try {
        response = m_router.call(m_router.match(request), request);
    } catch (const server::ApiError& error) {
        response = server::Response::error(error.wire_code(), error.what(), error.details());
    }
    return {response.status, response.content_type, response.body};
}

} // namespace knot::test
