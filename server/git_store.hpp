// The hosted rooms' bare repositories (<data>/repos/<room>.git): refs, incoming packs, the checks
// a pushed tip must pass, the compare-and-swap of a ref and packs for fetches. libgit2 stays in
// git_store.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
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

// True for a URL the server may fetch a forge from: an absolute local path, file://, http(s)://,
// ssh://, git:// or scp-like [user@]host:path. Never an option (leading '-'), a transport helper
// (`x::`), a relative path or text with control characters.
bool is_forge_url(std::string_view url);

class GitStore {
public:
    // `repos_dir` is <data>/repos; nothing is created until a repository is first used.
    explicit GitStore(std::filesystem::path repos_dir);

    // The refs under refs/knot/ of `room_id`'s repository (none when it does not exist yet).
    std::map<std::string, std::string> refs(const std::string& room_id) const;

    // A fresh path for an incoming pack inside the room's repository, created (with the
    // repository) when missing. The caller removes the file.
    std::filesystem::path incoming_path(const std::string& room_id) const;

    // Indexes the pack at `pack` into the room's object database. Throws ApiError 400 bad_pack
    // when it is truncated, corrupt or not a pack; the refs are never touched. Returns the
    // number of objects the pack held.
    std::size_t write_pack(const std::string& room_id, const std::filesystem::path& pack) const;

    // Checks that `update.new_oid` is a commit whose every object is present (400
    // missing_objects) and, unless forced, that it descends from `update.old_oid` (409
    // non_fast_forward).
    void check_tip(const std::string& room_id, const RefUpdate& update) const;

    // Moves the ref from old to new when it still points at old (409 stale_old otherwise) and
    // returns the paths that differ between the two trees, at most `max_files`.
    std::vector<std::string> move_ref(const std::string& room_id, const RefUpdate& update,
                                      std::size_t max_files) const;

    // Fetches `ref` from the forge `target` (checked by check_forge) into the room's repository
    // with the git binary and returns the commit the forge's ref points at. No ref under
    // refs/knot/ changes. Throws ApiError 502 forge_unreachable in fixed words when the fetch
    // fails (git's message, which can name paths and tell files from ports, goes to the log).
    std::string fetch_from_forge(const std::string& room_id, const ForgeTarget& target,
                                 const std::string& ref) const;

    // What a fetch needs: the `wants` (each checked to be a commit here; ApiError 400
    // unknown_object otherwise) and the `haves` this repository knows. `empty` when the client
    // already has every object.
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

    std::filesystem::path m_repos_dir;
};

} // namespace knot::server
