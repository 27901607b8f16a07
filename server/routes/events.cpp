// GET /v1/rooms/{room}/events?since=N&limit=M: the room's event log, oldest first.
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

constexpr std::int64_t k_max_events = 1000;

Response list_events(const Request& request, ServerContext& context) {
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        const std::int64_t since = query_integer(request, "since", 0);
        const std::int64_t limit =
            std::min(query_integer(request, "limit", k_max_events), k_max_events);
        std::vector<wire::Event> events;
        for (const EventRecord& event : reader.events(room.id, since, limit))
            events.push_back(event_view(event));
        return nlohmann::json{{"events", events}, {"last_seq", reader.last_seq(room.id)}};
    });
}

} // namespace

void add_event_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/events", list_events);
}

} // namespace knot::server
