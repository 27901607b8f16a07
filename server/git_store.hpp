// The hosted rooms' bare repositories (<data>/repos/<room>.git): refs, incoming packs, the checks
// a pushed tip must pass, the compare-and-swap of a ref and packs for fetches. libgit2 stays in
// git_store.cpp.
#pragma once

#include "pack_scan.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace knot::server {

struct ForgeTarget;

// One ref update a member asked for; oids are 40 lower-case hex digits, old all zeros when the
// ref is to be created.
struct RefUpdate {
    std::string ref;
    std::string old_oid;
    std::string new_oid;
    bool force = false;
};

inline constexpr std::string_view k_zero_oid = "0000000000000000000000000000000000000000";

// True for 40 lower-case hex digits.
bool is_oid(std::string_view text);

// How much one push may ask of the server. Trees are walked with an explicit stack, never by
// recursion; these bound the walk.
struct GitLimits {
    PackLimits pack;
    // A path may be at most this many trees deep (git's own core.maxTreeDepth default).
    std::size_t max_tree_depth = 4096;
    // The tree entries one push's checks may visit, all its new trees together.
    std::uint64_t max_tree_entries = 20'000'000;
    // The bytes of one pack body.
    std::uint64_t max_pack_bytes = std::uint64_t{1} << 30;
};

// A push's objects, held apart in <repo>/objects/knot-quarantine-<random>/ until the push is
// accepted: check_tip sees them, fetches and other pushes do not. Removed on destruction unless
// keep() moved them into the object database.
class Quarantine {
public:
    explicit Quarantine(std::filesystem::path objects_dir);
    ~Quarantine();
    Quarantine(const Quarantine&) = delete;
    Quarantine& operator=(const Quarantine&) = delete;

    // An object directory of its own: pack/ holds the pack once indexed.
    const std::filesystem::path& dir() const { return m_dir; }
    // Moves the indexed pack into the room's objects/pack (the .pack before its .idx, so no
    // reader finds an index without its pack) and removes the quarantine.
    void keep();

private:
    std::filesystem::path m_objects;
    std::filesystem::path m_dir;
};

class GitStore {
public:
    // The repositories of the rooms under the server's data directory `data_dir`
    // (RoomRepository); nothing is created until a repository is first used.
    explicit GitStore(std::filesystem::path data_dir, GitLimits limits = {});

    // The refs under refs/knot/ of `room_id`'s repository (none when it does not exist yet).
    // Waits for a ref move in progress (see lock_room), so a ref is never read between a
    // recorded push and its move.
    std::map<std::string, std::string> refs(const std::string& room_id) const;

    // A new, empty quarantine in the room's repository, created (with the repository) when
    // missing.
    std::unique_ptr<Quarantine> quarantine(const std::string& room_id) const;

    // Indexes the pack that `input` supplies into `quarantine` with git index-pack --strict:
    // every object checked as git fsck would, and links to objects the pack lacks checked
    // against the room's repository. The bytes pass through a PackScanner first, so a pack whose
    // objects break the limits is refused before git expands them; git's memory is its own
    // process's. Bytes after the pack's end are refused. Throws ApiError 400 bad_pack (git's
    // reason), 413 object_too_large or pack_too_large; whatever `input` throws passes through.
    // Returns the number of objects the pack held.
    std::size_t index_pack(const Quarantine& quarantine,
                           const std::function<std::size_t(char*, std::size_t)>& input) const;

    // Checks that `update.new_oid` is a commit whose every object is present (400
    // missing_objects), in the room's repository or `quarantine`, and that every tree entry of
    // its new trees has a name and mode git accepts and points at an object of the kind its
    // mode says (400 bad_object), within the limits of depth (400 tree_too_deep) and entries
    // (400 tree_too_large). Unless forced, `update.new_oid` must descend from `update.old_oid`
    // (409 non_fast_forward).
    void check_tip(const std::string& room_id, const RefUpdate& update,
                   const Quarantine* quarantine = nullptr) const;

    // The paths `update` brings that the room does not have, at most `max_files`, sorted: those
    // that differ between the new commit's tree and that of its merge base with
    // refs/knot/integration (the integration's own tree when the histories are unrelated), so a
    // new branch lists what it changed, not every file, and a branch that merged the integration
    // in lists only its own work. Without an integration ref, against the old commit (every path
    // for a new ref). The new commit must be in the repository (kept already).
    std::vector<std::string> changed_files(const std::string& room_id, const RefUpdate& update,
                                           std::size_t max_files) const;

    // Of `paths` (repository paths, a folder standing for everything below it), those whose
    // entry differs between `update.new_oid` and the commit its change is measured from: the
    // merge base of refs/knot/integration and `update.new_oid` (what integrating the push would
    // change, as `git diff refs/knot/integration...new` shows it), or, while the room has no
    // integration ref, `update.old_oid` (every path present in `new` for a new ref). Unrelated
    // histories count from an empty tree. `quarantine` holds the push's objects when they are
    // not kept yet. Cost: a lookup per path, never a walk of the whole tree.
    std::vector<std::string> changed_among(const std::string& room_id, const RefUpdate& update,
                                           const std::vector<std::string>& paths,
                                           const Quarantine* quarantine = nullptr) const;

    // True when `path` has the same entry (object and mode, or absent from both) in commits `a`
    // and `b`; false when either commit is missing.
    bool same_entry(const std::string& room_id, const std::string& a, const std::string& b,
                    const std::string& path, const Quarantine* quarantine = nullptr) const;

    // Holds off every other ref move and ref listing of the room while it lives: a push checks
    // that its ref is still at `old`, records the push and moves the ref under it.
    std::unique_lock<std::mutex> lock_room(const std::string& room_id) const;

    // Throws ApiError 409 stale_old unless `update.ref` points at `update.old_oid` (does not
    // exist, for all zeros). Call it under lock_room.
    void check_ref_at(const std::string& room_id, const RefUpdate& update) const;

    // Moves the ref from old to new (compare-and-swap; 409 stale_old when it moved). Call it
    // under lock_room, after the push was recorded.
    void move_ref(const std::string& room_id, const RefUpdate& update) const;

    // Start-up repair: points `ref` at `commit` when it points elsewhere and `commit` is in the
    // repository. Returns true when it moved the ref.
    bool settle_ref(const std::string& room_id, const std::string& ref,
                    const std::string& commit) const;

    // The rooms that have a repository here.
    std::vector<std::string> rooms() const;

    // Fetches `ref` from the forge `target` (checked by check_forge) into the room's repository
    // with the git binary and returns the commit the forge's ref points at. No ref under
    // refs/knot/ changes. git checks every object as fsck would (fetch.fsckObjects); check_tip
    // then checks the tip's new trees against the limits. Throws ApiError 502 forge_unreachable
    // in fixed words when the fetch fails (git's message, which can name paths and tell files
    // from ports, goes to the log).
    std::string fetch_from_forge(const std::string& room_id, const ForgeTarget& target,
                                 const std::string& ref) const;

    // What a fetch needs: the `wants` (each a commit that a ref under refs/knot/ points at or
    // reaches, within a bounded walk; ApiError 400 unknown_object otherwise) and the `haves` this
    // repository knows. `empty` when the client already has every object.
    struct PackRequest {
        std::vector<std::string> wants;
        std::vector<std::string> haves;
        bool empty = false;
    };
    PackRequest plan_pack(const std::string& room_id, const std::vector<std::string>& wants,
                          const std::vector<std::string>& haves) const;

    // Writes the pack of `request` to `out` as git pack-objects makes it: streamed, reusing the
    // deltas already stored, so neither memory nor time grows with re-compressing the history.
    // Throws knot::Error when pack-objects fails (the client then sees a truncated pack).
    void write_pack_to(const std::string& room_id, const PackRequest& request,
                       std::ostream& out) const;

private:
    std::filesystem::path repo_path(const std::string& room_id) const;

    std::filesystem::path m_data_dir;
    std::filesystem::path m_repos_dir;
    GitLimits m_limits;
};

} // namespace knot::server
