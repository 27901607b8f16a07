// Locks enforced on pushes (DESIGN.md, "Trust model" 7): the paths other agents hold that a push
// changes, a hosted push refused for them, a forge push's run held for them, and held runs set
// free once their locks end. The hooks only make the same refusal early.
#pragma once

#include "store.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace knot::server {

class GitStore;
class Quarantine;
struct Member;
struct RefUpdate;

// The paths locked by agents other than the member that `update` changes, as
// GitStore::changed_among measures a change (from the merge base with refs/knot/integration).
// A path whose pushed entry is the holder's own (the same as at one of the refs under
// refs/knot/<a name of the holder>/) is not counted: that is the holder's work carried along.
// Reads the store and the repository, writes nothing; the verdict is the write's, through
// conflicting_locks, so a lock taken meanwhile on one of these paths is still seen.
std::vector<std::string> locked_paths_changed(Store& store, const GitStore& git,
                                              const Member& member, const RefUpdate& update,
                                              const Quarantine* quarantine, std::int64_t now);

// The live locks at `now` on `paths` held by agents other than the member, sorted by path.
std::vector<LockRecord> conflicting_locks(const Reader& reader, const Member& member,
                                          const std::vector<std::string>& paths, std::int64_t now);

// A hosted push of `update` that changes `conflicts`: ApiError 409 lock_conflict whose message
// names the first lock (holder, intent, the lease left) and whose "conflicts" lists them all.
[[noreturn]] void refuse_locked_push(const RefUpdate& update,
                                     const std::vector<LockRecord>& conflicts, std::int64_t now);

// A forge push (its bytes are on the forge already) whose run `run` changes `conflicts`: marks
// the run held_locked, and appends sync.held_locked and a chat message from the server's agent
// `server_agent_id` saying why. Returns the event's data.
nlohmann::json hold_locked_run(Transaction& transaction, const Member& member,
                               const RefUpdate& update, std::int64_t run,
                               const std::vector<LockRecord>& conflicts,
                               const std::string& server_agent_id, std::int64_t now);

// Queues again the room's held runs none of whose held paths is locked any more by an agent
// other than the run's at `now`, appending integration.released for each. Called where locks end
// (release, break, expiry).
void release_held_runs(Transaction& transaction, const std::string& room_id, std::int64_t now);

// True when `transaction` queued a held run again: its writer wakes the integration agent once
// the write committed (never from inside it: the agent's workers take the store's lock while
// holding their own).
bool released_held_runs(const Transaction& transaction);

} // namespace knot::server
