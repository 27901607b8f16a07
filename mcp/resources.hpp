// The room's live state as MCP resources: knot://room, knot://locks, knot://tasks,
// knot://integration and knot://events, each the JSON the room's server answers for it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace knot {
class Session;
}

namespace knot::mcp {

// The resources, as resources/list gives them.
nlohmann::json list_resources();

// True when `uri` names one of the resources.
bool is_resource(const std::string& uri);

// The contents of resource `uri` (one text item, application/json). Throws RpcError
// k_resource_not_found for a URI that is not one of them.
nlohmann::json read_resource(Session& session, const std::string& uri);

// MCP's error code for a resource that does not exist.
inline constexpr int k_resource_not_found = -32002;

} // namespace knot::mcp
