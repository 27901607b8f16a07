// The room's resources (see resources.hpp).
#include "mcp/resources.hpp"

#include "libknot/client/session.hpp"
#include "mcp/json_rpc.hpp"

#include <array>

namespace knot::mcp {
namespace {

using nlohmann::json;

struct Resource {
    const char* uri;
    const char* name;
    const char* description;
    const char* target; // under /v1/rooms/<room>
};

constexpr std::array<Resource, 5> k_resources = {{
    {"knot://room", "room",
     "The room: its members, online or not and what each is doing, and "
     "how many tasks and locks are live",
     ""},
    {"knot://locks", "locks", "The live file locks: path, holder, intent, when the lease ends",
     "/locks"},
    {"knot://tasks", "tasks", "Every task, open, claimed or done, and who claimed it", "/tasks"},
    {"knot://integration", "integration",
     "refs/knot/integration and the last integration runs with their checks",
     "/integration?limit=10"},
    {"knot://events", "events",
     "The last events of the room's log (chat, locks, tasks, pushes, "
     "integration runs)",
     "/events?since=0&limit=100"},
}};

} // namespace

json list_resources() {
    json list = json::array();
    for (const auto& resource : k_resources)
        list.push_back({{"uri", resource.uri},
                        {"name", resource.name},
                        {"description", resource.description},
                        {"mimeType", "application/json"}});
    return list;
}

bool is_resource(const std::string& uri) {
    for (const auto& resource : k_resources)
        if (uri == resource.uri)
            return true;
    return false;
}

json read_resource(Session& session, const std::string& uri) {
    for (const auto& resource : k_resources) {
        if (uri != resource.uri)
            continue;
        json answer = session.client().get(resource.target);
        if (uri == "knot://events") {
            // The newest hundred: read where the log ends, then that page.
            const auto last = answer.value("last_seq", 0LL);
            if (last > 100)
                answer = session.client().get("/events?since=" + std::to_string(last - 100) +
                                              "&limit=100");
        }
        return {{"uri", uri}, {"mimeType", "application/json"}, {"text", answer.dump()}};
    }
    throw RpcError(k_resource_not_found, "no resource " + uri + "; resources/list names them");
}

} // namespace knot::mcp
