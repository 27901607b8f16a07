// The rules of file locks, applied inside a store transaction: leases, all-or-nothing grants,
// fencing tokens, release, renewal, breaking and expiry, each with its events. Where a lock ends,
// the integration runs it held are queued again (push_locks.hpp).
#pragma once

#include "store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace knot::server {

struct Member;

// Whether the signer breaks other agents' locks (the caller has checked it is the owner).
enum class LockForce { no, yes };

// Deletes the room's locks whose lease ended at or before `now`, appending one lock.expired
// event each (its agent is the holder). Every lock operation calls it first, so no answer ever
// depends on when the reaper last ran.
void expire_due_locks(Transaction& transaction, const std::string& room_id, std::int64_t now);

// What a renewal does to the intent of a lock the member already holds: `replace` it with the
// request's (an explicit lock or doing), or `keep` it and give the request's only to a lock
// that has none (a commit's claim, whose intent is the last doing, not a word about this path).
enum class RenewedIntent { replace, keep };

// Grants `paths` to the member, all or none. A path the member already holds is renewed and
// keeps its fencing token (and its intent when `intent` is empty, or per `renewed`); a free path
// gets the next token. A path another agent holds is a conflict: 409 lock_conflict whose
// "conflicts" lists those locks, unless `force`, which breaks them first (lock.broken each).
// Appends lock.acquired for the newly granted paths. Returns the member's locks on `paths`,
// sorted.
std::vector<LockRecord> acquire_locks(Transaction& transaction, const Member& member,
                                      const std::vector<std::string>& paths,
                                      const std::string& intent, LockForce force, std::int64_t now,
                                      RenewedIntent renewed = RenewedIntent::replace);

// Releases `paths`, all or none: 404 unknown_lock when one is not locked, 403 not_holder when
// another agent holds one and not `force`. Appends lock.released for the member's own locks and
// lock.broken for each other agent's. Returns the released paths, sorted.
std::vector<std::string> release_locks(Transaction& transaction, const Member& member,
                                       const std::vector<std::string>& paths, LockForce force,
                                       std::int64_t now);

// Renews the member's locks on `paths` (every lock it holds when `paths` is empty) for a full
// lease from `now`; fencing tokens stay. 404 unknown_lock or 403 not_holder as for release.
// Renewals are not logged.
std::vector<LockRecord> renew_locks(Transaction& transaction, const Member& member,
                                    const std::vector<std::string>& paths, std::int64_t now);

} // namespace knot::server
