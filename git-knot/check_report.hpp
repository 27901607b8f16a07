// What `git knot check` says about what it checked, as text lines and as the members of its
// --json report: where refs/knot/integration came from, how HEAD merges onto it, and what the
// checks ran on, worded so that no line claims more than was checked.
#pragma once

#include "git-knot/check_candidate.hpp"
#include "libknot/git/merge_preview.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace knot {

// Whether the checks run on the merge (the default) or the merge line is only a preview
// (--here: the checks run on the work tree).
enum class MergeUse { checked, preview };

// "fetch   ✓ refs/knot/integration 1a2b3c4 from the room\n", or why it was not fetched and
// which copy is used.
std::string fetch_line(const IntegrationFetch& fetch, const MergePreview& merge);

// "merge   ✓ HEAD 9f8e7d6 merges cleanly onto refs/knot/integration 1a2b3c4\n" and the
// other states; with MergeUse::preview, marked as a preview the checks do not run on.
std::string merge_line(const MergePreview& merge, MergeUse use);

// What the checks ran on, for the verdict: "on the merge of HEAD 9f8e7d6 onto
// refs/knot/integration 1a2b3c4", "on refs/knot/integration 1a2b3c4, which contains HEAD", or
// "on HEAD 9f8e7d6" (no integration).
std::string checked_text(const MergePreview& merge);

// {"state", "integration", "head", "conflicts"}; commits are null when absent.
nlohmann::json merge_json(const MergePreview& merge);

// {"state", "from", "reason"}; null where empty.
nlohmann::json fetch_json(const IntegrationFetch& fetch);

} // namespace knot
