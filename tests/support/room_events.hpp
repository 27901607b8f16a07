// Test support: a room's events as they happen, read through `git knot log --follow --json` in
// a joined clone, so end-to-end tests wait on the event they expect instead of sleeping.
#pragma once

#include "hosted_room.hpp"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knot::test {

class RoomEvents {
public:
    // Starts following (the log's history is replayed first, so nothing is missed).
    explicit RoomEvents(const std::filesystem::path& repo);

    // The next event, after those already read, for which `match` holds; FAILs when none comes
    // within two minutes.
    nlohmann::json next(const std::function<bool(const nlohmann::json&)>& match);
    // The integration run the push of `commit` was queued as (its sync.pushed event's `run`).
    int pushed(const std::string& commit);
    // The event that ends integration run `run`: sync.integrated, sync.check_failed,
    // sync.merge_conflict, sync.review_failed, integration.skipped or integration.error; or
    // holds it: sync.held_locked (a forge push past a lock; it ends later, once released).
    nlohmann::json outcome(int run);
    // outcome(pushed(commit)).
    nlohmann::json outcome_of_push(const std::string& commit);
    // `git push -q knot main` in `repo` (REQUIREd to succeed), then the event that ends the
    // integration run of its HEAD.
    nlohmann::json push(const std::filesystem::path& repo);
    // Every event read so far, oldest first.
    const std::vector<nlohmann::json>& seen() const { return m_seen; }

private:
    BackgroundCommand m_follow;
    std::vector<nlohmann::json> m_seen;
};

} // namespace knot::test
