// The integration agent's git work on a room's bare repository: reading and moving
// refs/knot/integration (compare-and-swap) and merging a pushed tip onto it in memory.
#pragma once

#include "libknot/protocol/refs.hpp"
#include <filesystem>
#include <string>
#include <vector>

namespace knot::server {

// A path both sides changed in ways that do not merge; oids are blobs ("" when the side has
// no file there).
struct MergeConflict {
    std::string path;
    std::string ancestor;
    std::string ours;   // refs/knot/integration's side
    std::string theirs; // the pushed tip's side
};

struct MergeOutcome {
    enum class Kind {
        start,      // no integration yet: the tip itself is the candidate
        up_to_date, // the tip is already part of the integration ref
        merged,     // `candidate` is a new merge commit of the integration ref and the tip
        conflict,   // `conflicts` lists what did not merge; nothing was written
    };
    Kind kind = Kind::start;
    std::string candidate;
    std::vector<MergeConflict> conflicts;
    bool fast_path = false; // merged tree by tree (unchanged subtrees never read)
};

class IntegrationRepo {
public:
    explicit IntegrationRepo(std::filesystem::path repo);

    // The commit refs/knot/integration points at, "" when it does not exist.
    std::string integration() const;

    // Merges commit `tip` onto commit `base` ("" when there is no integration yet) with no
    // work tree: a --no-ff merge commit (parents base, tip) with `message`, written to the
    // object database but referenced by nothing. Changes that touch different files, or
    // different lines of a file, merge tree by tree and cost what changed; anything else (a
    // possible rename, a file both sides added, criss-cross history) goes through libgit2's
    // full merge with rename detection.
    MergeOutcome merge(const std::string& base, const std::string& tip,
                       const std::string& message) const;

    // Moves refs/knot/integration from `expected` ("" when it must not exist yet) to `target`;
    // false, changing nothing, when it lost the race (RoomRepository::compare_and_swap).
    bool move(const std::string& expected, const std::string& target) const;

    // The names of the entries at the top of `commit`'s tree.
    std::vector<std::string> top_level_names(const std::string& commit) const;

    // True when `ancestor` is `commit` or one of its ancestors.
    bool contains(const std::string& commit, const std::string& ancestor) const;

private:
    std::filesystem::path m_repo;
};

} // namespace knot::server
