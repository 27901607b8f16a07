// Whether HEAD would merge onto the room's integration ref as fetched into this clone: the
// integration agent's first step, tried locally with `git merge-tree` (no work tree touched).
#pragma once

#include "libknot/protocol/refs.hpp"
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

struct MergePreview {
    enum class State {
        no_integration, // refs/knot/integration does not exist here (or HEAD has no commits)
        up_to_date,     // HEAD is already part of refs/knot/integration
        clean,          // HEAD merges onto it without a conflict
        conflict,       // it does not: `conflicts` lists the paths
    };
    State state = State::no_integration;
    std::string integration; // the commit refs/knot/integration points at, "" when none
    std::string head;        // the commit HEAD points at, "" when it has none
    std::string tree;        // clean: the merged tree (its objects written), else ""
    std::vector<std::string> conflicts;
};

// "no_integration", "up_to_date", "clean" or "conflict".
std::string_view merge_state_name(MergePreview::State state);

// Tries HEAD onto refs/knot/integration in the repository at `workdir` with
// `git merge-tree --write-tree` (git 2.38 or later). Writes objects but moves no ref and touches
// neither the index nor the work tree. Throws knot::Error when git fails otherwise (too old a
// git names the version needed).
MergePreview preview_merge(const std::filesystem::path& workdir);

} // namespace knot
