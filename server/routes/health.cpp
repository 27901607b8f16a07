// GET /v1/health: whether the server is up, what it speaks, and its clock.
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

Response get_health(const Request&, ServerContext&) {
    return Response::json(200, wire::Health{true, "knot-server", KNOT_VERSION,
                                            std::string(k_protocol_version), unix_now()});
}

} // namespace

void add_health_routes(Router& router) {
    router.add("GET", "/v1/health", get_health);
}

} // namespace knot::server
