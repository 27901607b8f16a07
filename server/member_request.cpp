// The two shapes of a room's routes (see member_request.hpp).
#include "member_request.hpp"

#include "api_error.hpp"
#include "context.hpp"
#include "libknot/protocol/protocol.hpp"
#include "views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {

MemberRequest::MemberRequest(const Request& request, ServerContext& context)
    : m_context(context)
    , m_now(unix_now())
    , m_member(authenticate_member(context.store, request, m_now)) {}

void MemberRequest::refuse_relay(const std::string& what) const {
    if (is_relay(m_member.agent))
        throw ApiError(error_code::relay_agent,
                       "'" + m_member.agent.name + "' is a relay agent (no clone) and may not " +
                           what + ": run 'git knot upgrade' in a clone to carry it there");
}

void MemberRequest::refuse_replay() const {
    knot::server::refuse_replay(m_context.store, m_member);
}

void MemberRequest::write(const std::function<void(Transaction&)>& change) const {
    m_context.store.write([&](Transaction& transaction) {
        admit_member(transaction, m_member, m_now);
        change(transaction);
    });
}

void MemberRequest::admit() const {
    write([](Transaction&) {});
}

Response MemberRequest::answer(int status,
                               const std::function<nlohmann::json(Transaction&)>& change) const {
    nlohmann::json body;
    write([&](Transaction& transaction) { body = change(transaction); });
    return Response::json(status, body);
}

EventRecord MemberRequest::append_event(Transaction& transaction, const std::string& type,
                                        const nlohmann::json& data) const {
    return transaction.append_event(m_member.room.id, type, m_member.agent.id, m_now, data.dump(),
                                    m_member.signed_request.signed_string,
                                    m_member.signed_request.signature);
}

Response
answer_room_read(const Request& request, ServerContext& context,
                 const std::function<nlohmann::json(const Reader&, const RoomRecord&)>& read) {
    nlohmann::json body;
    context.store.read([&](const Reader& reader) {
        const RoomRecord room = authenticate_room(reader, request);
        body = read(reader, room);
    });
    return Response::json(200, body);
}

} // namespace knot::server
