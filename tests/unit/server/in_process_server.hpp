// Test support: the server's routes without a socket: a store on a temporary file, the event hub
// and the router, answering Request objects as the request handler would.
#pragma once

#include "../../support/temp_dir.hpp"
#include "api_client.hpp"

#include "server/context.hpp"
#include "server/event_hub.hpp"
#include "server/router.hpp"
#include "server/store.hpp"

#include <string>

namespace knot::test {

class InProcessServer : public ApiTransport {
public:
    InProcessServer();

    // Answers `method` `target` (path and ?query, unencoded) with `body` and `headers` through
    // Router::match and Router::call; an ApiError becomes its error response, as the handler
    // base makes it. A streamed or upgraded answer is not read.
    ApiResponse send(const std::string& method, const std::string& target,
                     const std::string& body = {}, const Headers& headers = {}) override;

    const std::string& admin_token() const { return m_admin_token; }
    server::Store& store() { return m_store; }

private:
    TempDir m_dir;
    std::string m_admin_token = "in-process-admin-token";
    server::Store m_store;
    server::EventHub m_hub;
    server::ServerContext m_context;
    server::Router m_router;
};

} // namespace knot::test
