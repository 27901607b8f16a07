// File locks (list, lock, release, renew), the room's lease setting, and intent (doing).
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/lock_table.hpp"
#include "server/member_request.hpp"
#include "server/push_locks.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

constexpr std::size_t k_max_intent_chars = 200;
constexpr std::int64_t k_max_lease_seconds = 86400;

// Answers 200 with what `change` returns, in one write that then lets go the integration runs
// that were held for a lock that has ended (released, broken, or expired on the way); the
// integration agent hears of them once the write committed.
Response answer_locks(ServerContext& context, const MemberRequest& call,
                      const std::function<nlohmann::json(Transaction&)>& change) {
    bool released = false;
    Response response = call.answer(200, [&](Transaction& transaction) {
        nlohmann::json answer = change(transaction);
        released = released_held_runs(transaction);
        return answer;
    });
    if (released && context.wake_integration)
        context.wake_integration();
    return response;
}

// `force` is the owner's: anyone else asking for it is refused before anything is written.
LockForce force_of(const nlohmann::json& body, const MemberRequest& call) {
    if (!optional_flag(body, "force"))
        return LockForce::no;
    if (!call.is_owner())
        throw ApiError(error_code::not_owner, "only the room's owner may force");
    return LockForce::yes;
}

Response list_locks(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        return nlohmann::json{{"locks", lock_views(reader.live_locks(room.id, now))},
                              {"lease_seconds", room.lease_seconds}};
    });
}

Response lock_paths(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    call.refuse_relay("lock paths");
    const nlohmann::json body = body_object(request);
    const auto paths = parse_paths(body, "paths", PathsRequired::yes);
    const std::string intent = optional_text(body, "intent", 0, k_max_intent_chars).value_or("");
    const LockForce force = force_of(body, call);
    const RenewedIntent renewed =
        optional_flag(body, "keep_intent") ? RenewedIntent::keep : RenewedIntent::replace;
    return answer_locks(context, call, [&](Transaction& transaction) {
        return nlohmann::json{
            {"locks", lock_views(acquire_locks(transaction, call.member(), paths, intent, force,
                                               call.now(), renewed))}};
    });
}

Response release_paths(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    const auto paths = parse_paths(body, "paths", PathsRequired::yes);
    const LockForce force = force_of(body, call);
    return answer_locks(context, call, [&](Transaction& transaction) {
        return nlohmann::json{
            {"released", release_locks(transaction, call.member(), paths, force, call.now())}};
    });
}

Response renew_paths(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const auto paths = parse_paths(body_object(request), "paths", PathsRequired::no);
    return answer_locks(context, call, [&](Transaction& transaction) {
        return nlohmann::json{
            {"locks", lock_views(renew_locks(transaction, call.member(), paths, call.now()))}};
    });
}

Response change_settings(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    const auto it = body.find("lease_seconds");
    if (it == body.end())
        throw bad_request("lease_seconds", "missing");
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
        it->get<std::int64_t>() > k_max_lease_seconds)
        throw bad_request("lease_seconds", "must be an integer from 1 to 86400");
    if (!call.is_owner())
        throw ApiError(error_code::not_owner, "only the room's owner may change its settings");
    const std::int64_t lease = it->get<std::int64_t>();
    return call.answer(200, [&](Transaction& transaction) {
        transaction.set_lease_seconds(call.room().id, lease);
        call.append_event(transaction, "room.settings", {{"lease_seconds", lease}});
        return nlohmann::json{{"lease_seconds", lease}};
    });
}

// The status and the locks change together or not at all.
Response set_doing(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    const std::string status = required_text(body, "status", 0, k_max_intent_chars);
    const auto files = parse_paths(body, "files", PathsRequired::no);
    if (!files.empty())
        call.refuse_relay("lock paths");
    return answer_locks(context, call, [&](Transaction& transaction) {
        std::vector<LockRecord> locks;
        if (!files.empty())
            locks =
                acquire_locks(transaction, call.member(), files, status, LockForce::no, call.now());
        transaction.set_agent_status(call.room().id, call.agent().id, status);
        call.append_event(transaction, "agent.doing", {{"status", status}, {"files", files}});
        return nlohmann::json{{"status", status}, {"locks", lock_views(locks)}};
    });
}

} // namespace

void add_lock_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/locks", list_locks);
    router.add("POST", "/v1/rooms/{room}/locks", lock_paths);
    router.add("POST", "/v1/rooms/{room}/locks/release", release_paths);
    router.add("POST", "/v1/rooms/{room}/locks/renew", renew_paths);
    router.add("POST", "/v1/rooms/{room}/settings", change_settings);
    router.add("POST", "/v1/rooms/{room}/doing", set_doing);
}

} // namespace knot::server
