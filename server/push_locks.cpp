// Locks enforced on pushes (see push_locks.hpp).
#include "push_locks.hpp"
#include "libknot/protocol/refs.hpp"

#include "api_error.hpp"
#include "auth.hpp"
#include "git_store.hpp"
#include "libknot/base/time_text.hpp"
#include "views.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace knot::server {
namespace {

using nlohmann::json;

constexpr std::size_t k_max_listed_locks = 5;

std::string holder_name(const LockRecord& lock) {
    return lock.agent_name.empty() ? lock.agent_id : lock.agent_name;
}

// `src/a.c, locked by bob ("fix the parser") for another 4m 59s`
std::string lock_text(const LockRecord& lock, std::int64_t now) {
    std::string text = lock.path + ", locked by " + holder_name(lock);
    if (!lock.intent.empty())
        text += " (\"" + lock.intent + "\")";
    return text + " for another " + seconds_text(lock.expires_at - now);
}

// The first few locks as text, with how many more there are.
std::string locks_text(const std::vector<LockRecord>& locks, std::int64_t now) {
    std::string text;
    for (std::size_t i = 0; i < locks.size() && i < k_max_listed_locks; ++i)
        text += (i ? "; " : "") + lock_text(locks[i], now);
    if (locks.size() > k_max_listed_locks)
        text += "; and " + std::to_string(locks.size() - k_max_listed_locks) + " more";
    return text;
}

// The commits at the tips of each agent's refs, by agent id: refs/knot/<name>/... belongs to
// the key `name` is bound to.
std::map<std::string, std::vector<std::string>>
tips_by_agent(const Reader& reader, const std::string& room_id,
              const std::map<std::string, std::string>& refs) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [ref, oid] : refs) {
        const std::string rest = ref.substr(k_knot_ref_prefix.size());
        const std::size_t slash = rest.find('/');
        if (slash == std::string::npos || slash == 0)
            continue; // refs/knot/integration
        if (const auto owner = reader.name_owner(room_id, rest.substr(0, slash)))
            out[*owner].push_back(oid);
    }
    return out;
}

} // namespace

std::vector<LockRecord> conflicting_locks(const Reader& reader, const Member& member,
                                          const std::vector<std::string>& paths, std::int64_t now) {
    const std::set<std::string> wanted(paths.begin(), paths.end());
    std::vector<LockRecord> out;
    for (LockRecord& lock : reader.live_locks(member.room.id, now))
        if (lock.agent_id != member.agent.id && wanted.count(lock.path))
            out.push_back(std::move(lock));
    return out;
}

std::vector<std::string> locked_paths_changed(Store& store, const GitStore& git,
                                              const Member& member, const RefUpdate& update,
                                              const Quarantine* quarantine, std::int64_t now) {
    const std::string& room_id = member.room.id;
    std::vector<LockRecord> others;
    store.read([&](const Reader& reader) {
        for (LockRecord& lock : reader.live_locks(room_id, now))
            if (lock.agent_id != member.agent.id)
                others.push_back(std::move(lock));
    });
    if (others.empty())
        return {};
    std::vector<std::string> paths;
    for (const LockRecord& lock : others)
        paths.push_back(lock.path);
    const std::vector<std::string> changed = git.changed_among(room_id, update, paths, quarantine);
    if (changed.empty())
        return {};
    const std::map<std::string, std::string> refs = git.refs(room_id);
    std::map<std::string, std::vector<std::string>> tips;
    store.read([&](const Reader& reader) { tips = tips_by_agent(reader, room_id, refs); });
    std::vector<std::string> out;
    for (const std::string& path : changed) {
        const auto lock = std::find_if(others.begin(), others.end(),
                                       [&](const LockRecord& l) { return l.path == path; });
        const auto& holder_tips = tips[lock->agent_id];
        const bool carried =
            std::any_of(holder_tips.begin(), holder_tips.end(), [&](const std::string& tip) {
                return git.same_entry(room_id, update.new_oid, tip, path, quarantine);
            });
        if (!carried)
            out.push_back(path);
    }
    return out;
}

void refuse_locked_push(const RefUpdate& update, const std::vector<LockRecord>& conflicts,
                        std::int64_t now) {
    const std::string message =
        "the push changes what another agent holds: " + locks_text(conflicts, now) + ". " +
        update.ref +
        " did not move; coordinate with the holder (git knot say), or wait for the lock to end";
    throw ApiError(error_code::lock_conflict, message,
                   json{{"conflicts", lock_views(conflicts)}}.dump());
}

json hold_locked_run(Transaction& transaction, const Member& member, const RefUpdate& update,
                     std::int64_t run, const std::vector<LockRecord>& conflicts,
                     const std::string& server_agent_id, std::int64_t now) {
    const std::string who = member.agent.name + "@" + update.new_oid.substr(0, 7);
    std::optional<RunRecord> record = transaction.find_run(member.room.id, run);
    if (!record)
        throw std::runtime_error("the run just queued is missing");
    record->status = "held_locked";
    record->summary = who + " is held: it changes " + locks_text(conflicts, now);
    record->finished_at = now;
    record->detail = json{{"held", lock_views(conflicts)}}.dump();
    transaction.update_run(*record);
    const json data = {{"run", run},
                       {"agent", member.agent.name},
                       {"ref", update.ref},
                       {"commit", update.new_oid},
                       {"locks", lock_views(conflicts)},
                       {"summary", record->summary}};
    transaction.append_event(member.room.id, "sync.held_locked", server_agent_id, now, data.dump());
    const std::string chat =
        "Holding back " + who + " (" + update.ref + "): it reached the forge past a lock, " +
        "changing " + locks_text(conflicts, now) +
        ". refs/knot/integration does not take it while the lock holds; it is integrated once "
        "the lock ends (released or expired), or push again without that change.";
    transaction.append_event(member.room.id, "chat.message", server_agent_id, now,
                             json{{"text", chat}}.dump());
    return data;
}

void release_held_runs(Transaction& transaction, const std::string& room_id, std::int64_t now) {
    const std::vector<RunRecord> held_runs = transaction.held_runs(room_id);
    if (held_runs.empty())
        return;
    std::string server_agent_id; // the author of the integration agent's events
    for (const AgentRecord& agent : transaction.agents(room_id))
        if (agent.role == "server")
            server_agent_id = agent.id;
    for (RunRecord run : held_runs) {
        const json detail = json::parse(run.detail, nullptr, false);
        const json held = detail.is_object() ? detail.value("held", json::array()) : json::array();
        const bool still_held = std::any_of(held.begin(), held.end(), [&](const json& lock) {
            if (!lock.is_object() || !lock.contains("path") || !lock["path"].is_string())
                return false;
            const auto current = transaction.find_lock(room_id, lock["path"].get<std::string>());
            return current && current->expires_at > now && current->agent_id != run.agent_id;
        });
        if (still_held)
            continue;
        run.status = "queued";
        run.summary = "the locks that held it ended; queued again";
        run.finished_at = 0;
        transaction.update_run(run);
        transaction.append_event(room_id, "integration.released", server_agent_id, now,
                                 json{{"run", run.number},
                                      {"agent", run.agent_name},
                                      {"ref", run.ref},
                                      {"commit", run.commit_oid},
                                      {"summary", run.summary}}
                                     .dump());
    }
}

bool released_held_runs(const Transaction& transaction) {
    const auto& events = transaction.appended();
    return std::any_of(events.begin(), events.end(), [](const EventRecord& event) {
        return event.type == "integration.released";
    });
}

} // namespace knot::server
