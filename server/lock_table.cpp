// The rules of file locks (see lock_table.hpp).
#include "lock_table.hpp"

#include "api_error.hpp"
#include "auth.hpp"
#include "push_locks.hpp"
#include "views.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace knot::server {
namespace {

std::int64_t lease_of(const Transaction& transaction, const std::string& room_id) {
    const auto room = transaction.find_room(room_id);
    return room ? room->lease_seconds : 300;
}

std::vector<std::string> sorted(std::vector<std::string> paths) {
    std::sort(paths.begin(), paths.end());
    return paths;
}

std::string holder_name(const LockRecord& lock) {
    return lock.agent_name.empty() ? lock.agent_id : lock.agent_name;
}

// The lock the member may release or renew on `path`; 404 unknown_lock or 403 not_holder.
std::optional<LockRecord> held_lock(const Transaction& transaction, const Member& member,
                                    const std::string& path, LockForce force) {
    auto lock = transaction.find_lock(member.room.id, path);
    if (!lock)
        throw ApiError(error_code::unknown_lock, path + " is not locked");
    if (lock->agent_id != member.agent.id && force == LockForce::no)
        throw ApiError(error_code::not_holder,
                       path + " is locked by " + holder_name(*lock) + ", not you");
    return lock;
}

void append(Transaction& transaction, const Member& member, const std::string& type,
            const nlohmann::json& data, std::int64_t now) {
    transaction.append_event(member.room.id, type, member.agent.id, now, data.dump(),
                             member.signed_request.signed_string, member.signed_request.signature);
}

void break_lock(Transaction& transaction, const Member& member, const LockRecord& lock,
                std::int64_t now) {
    transaction.delete_lock(member.room.id, lock.path);
    append(transaction, member, "lock.broken",
           {{"path", lock.path}, {"holder", lock.agent_id}, {"by", member.agent.id}}, now);
}

} // namespace

void expire_due_locks(Transaction& transaction, const std::string& room_id, std::int64_t now) {
    const std::vector<LockRecord> due = transaction.due_locks(room_id, now);
    for (const LockRecord& lock : due) {
        transaction.delete_lock(room_id, lock.path);
        transaction.append_event(room_id, "lock.expired", lock.agent_id, now,
                                 nlohmann::json{{"path", lock.path},
                                                {"holder", lock.agent_id},
                                                {"fencing", lock.fencing}}
                                     .dump());
    }
    if (!due.empty())
        release_held_runs(transaction, room_id, now);
}

std::vector<LockRecord> acquire_locks(Transaction& transaction, const Member& member,
                                      const std::vector<std::string>& paths,
                                      const std::string& intent, LockForce force, std::int64_t now,
                                      RenewedIntent renewed) {
    const std::string& room_id = member.room.id;
    expire_due_locks(transaction, room_id, now);
    const std::vector<std::string> wanted = sorted(paths);

    std::vector<LockRecord> conflicts;
    std::map<std::string, LockRecord> own;
    for (const std::string& path : wanted) {
        auto lock = transaction.find_lock(room_id, path);
        if (!lock)
            continue;
        if (lock->agent_id == member.agent.id)
            own.emplace(path, std::move(*lock));
        else
            conflicts.push_back(std::move(*lock));
    }
    if (!conflicts.empty()) {
        if (force == LockForce::no) {
            const LockRecord& first = conflicts.front();
            std::string message = first.path + " is locked by " + holder_name(first);
            if (!first.intent.empty())
                message += " (" + first.intent + ")";
            if (conflicts.size() > 1)
                message +=
                    " and " + std::to_string(conflicts.size() - 1) + " more path(s) by others";
            message += "; nothing was locked";
            throw ApiError(error_code::lock_conflict, message,
                           nlohmann::json{{"conflicts", lock_views(conflicts)}}.dump());
        }
        for (const LockRecord& lock : conflicts)
            break_lock(transaction, member, lock, now);
    }

    const std::int64_t expires_at = now + lease_of(transaction, room_id);
    std::vector<LockRecord> granted;
    std::vector<std::string> acquired;
    nlohmann::json fencing = nlohmann::json::object();
    for (const std::string& path : wanted) {
        LockRecord lock;
        if (const auto it = own.find(path); it != own.end()) {
            lock = it->second;
            if (!intent.empty() && (renewed == RenewedIntent::replace || lock.intent.empty()))
                lock.intent = intent;
        } else {
            lock.room_id = room_id;
            lock.path = path;
            lock.agent_id = member.agent.id;
            lock.agent_name = member.agent.name;
            lock.intent = intent;
            lock.fencing = transaction.next_fencing(room_id, path);
            lock.acquired_at = now;
            acquired.push_back(path);
            fencing[path] = lock.fencing;
        }
        lock.expires_at = expires_at;
        transaction.put_lock(lock);
        granted.push_back(std::move(lock));
    }
    if (!acquired.empty())
        append(transaction, member, "lock.acquired",
               {{"paths", acquired}, {"fencing", fencing}, {"intent", intent}}, now);
    // A run held for a broken lock waits on for the new holder, unless that is its pusher.
    if (!conflicts.empty())
        release_held_runs(transaction, room_id, now);
    return granted;
}

std::vector<std::string> release_locks(Transaction& transaction, const Member& member,
                                       const std::vector<std::string>& paths, LockForce force,
                                       std::int64_t now) {
    expire_due_locks(transaction, member.room.id, now);
    const std::vector<std::string> wanted = sorted(paths);
    std::vector<LockRecord> locks;
    for (const std::string& path : wanted)
        locks.push_back(*held_lock(transaction, member, path, force));
    std::vector<std::string> released_own;
    for (const LockRecord& lock : locks) {
        if (lock.agent_id == member.agent.id) {
            transaction.delete_lock(member.room.id, lock.path);
            released_own.push_back(lock.path);
        } else {
            break_lock(transaction, member, lock, now);
        }
    }
    if (!released_own.empty())
        append(transaction, member, "lock.released", {{"paths", released_own}}, now);
    release_held_runs(transaction, member.room.id, now);
    return wanted;
}

std::vector<LockRecord> renew_locks(Transaction& transaction, const Member& member,
                                    const std::vector<std::string>& paths, std::int64_t now) {
    const std::string& room_id = member.room.id;
    expire_due_locks(transaction, room_id, now);
    std::vector<LockRecord> locks;
    if (paths.empty()) {
        for (LockRecord& lock : transaction.live_locks(room_id, now))
            if (lock.agent_id == member.agent.id)
                locks.push_back(std::move(lock));
    } else {
        for (const std::string& path : sorted(paths))
            locks.push_back(*held_lock(transaction, member, path, LockForce::no));
    }
    const std::int64_t expires_at = now + lease_of(transaction, room_id);
    for (LockRecord& lock : locks) {
        lock.expires_at = expires_at;
        transaction.put_lock(lock);
    }
    return locks;
}

} // namespace knot::server
