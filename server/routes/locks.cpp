// File locks (list, lock, release, renew), the room's lease setting, and intent (doing).
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/lock_table.hpp"
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

// A lock that ended (released, broken, or expired on the way) may have queued a held integration
// run again; the agent hears of it once the write committed.
void wake_if_released(const ServerContext& context, bool released) {
    if (released && context.wake_integration)
        context.wake_integration();
}

// `force` is the owner's: anyone else asking for it is refused before anything is written.
LockForce force_of(const nlohmann::json& body, const Member& member) {
    if (!optional_flag(body, "force"))
        return LockForce::no;
    if (member.agent.role != "owner")
        throw ApiError(403, "not_owner", "only the room's owner may force");
    return LockForce::yes;
}

Response list_locks(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    nlohmann::json answer;
    context.store.read([&](const Reader& reader) {
        const RoomRecord room = authenticate_room(reader, request);
        answer = {{"locks", locks_json(reader.live_locks(room.id, now))},
                  {"lease_seconds", room.lease_seconds}};
    });
    return Response::json(200, answer);
}

Response lock_paths(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const nlohmann::json body = body_object(request);
    const auto paths = parse_paths(body, "paths", PathsRequired::yes);
    const std::string intent = optional_text(body, "intent", 0, k_max_intent_chars).value_or("");
    const LockForce force = force_of(body, member);
    const RenewedIntent renewed =
        optional_flag(body, "keep_intent") ? RenewedIntent::keep : RenewedIntent::replace;
    nlohmann::json answer;
    bool released = false;
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        answer = {{"locks", locks_json(acquire_locks(transaction, member, paths, intent, force, now,
                                                     renewed))}};
        released = released_held_runs(transaction);
    });
    wake_if_released(context, released);
    return Response::json(200, answer);
}

Response release_paths(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const nlohmann::json body = body_object(request);
    const auto paths = parse_paths(body, "paths", PathsRequired::yes);
    const LockForce force = force_of(body, member);
    nlohmann::json answer;
    bool released = false;
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        answer = {{"released", release_locks(transaction, member, paths, force, now)}};
        released = released_held_runs(transaction);
    });
    wake_if_released(context, released);
    return Response::json(200, answer);
}

Response renew_paths(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const auto paths = parse_paths(body_object(request), "paths", PathsRequired::no);
    nlohmann::json answer;
    bool released = false;
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        answer = {{"locks", locks_json(renew_locks(transaction, member, paths, now))}};
        released = released_held_runs(transaction);
    });
    wake_if_released(context, released);
    return Response::json(200, answer);
}

Response change_settings(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const nlohmann::json body = body_object(request);
    const auto it = body.find("lease_seconds");
    if (it == body.end())
        throw bad_request("lease_seconds", "missing");
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
        it->get<std::int64_t>() > k_max_lease_seconds)
        throw bad_request("lease_seconds", "must be an integer from 1 to 86400");
    if (member.agent.role != "owner")
        throw ApiError(403, "not_owner", "only the room's owner may change its settings");
    const std::int64_t lease = it->get<std::int64_t>();
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        transaction.set_lease_seconds(member.room.id, lease);
        transaction.append_event(member.room.id, "room.settings", member.agent.id, now,
                                 nlohmann::json{{"lease_seconds", lease}}.dump(),
                                 member.signed_request.signed_string,
                                 member.signed_request.signature);
    });
    return Response::json(200, {{"lease_seconds", lease}});
}

// The status and the locks change together or not at all.
Response set_doing(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const nlohmann::json body = body_object(request);
    const std::string status = required_text(body, "status", 0, k_max_intent_chars);
    const auto files = parse_paths(body, "files", PathsRequired::no);
    nlohmann::json answer;
    bool released = false;
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        std::vector<LockRecord> locks;
        if (!files.empty())
            locks = acquire_locks(transaction, member, files, status, LockForce::no, now);
        transaction.set_agent_status(member.room.id, member.agent.id, status);
        transaction.append_event(member.room.id, "agent.doing", member.agent.id, now,
                                 nlohmann::json{{"status", status}, {"files", files}}.dump(),
                                 member.signed_request.signed_string,
                                 member.signed_request.signature);
        answer = {{"status", status}, {"locks", locks_json(locks)}};
        released = released_held_runs(transaction);
    });
    wake_if_released(context, released);
    return Response::json(200, answer);
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
