// What a reviewer is shown of an integration run's change (libknot/review/review_text.hpp's
// ReviewMaterial), read from the room's repository and records: the agent's intent, the diff's
// stat and the diff itself cut to a budget, with a note of what was left out.
#pragma once

#include "libknot/review/review_text.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace knot::server {

class Reader;
struct RunRecord;

// The diff is cut to this many bytes (whole files first, then a note naming the rest).
inline constexpr std::size_t k_review_diff_budget = 60 * 1024;
// The stat and the intent are each cut to this many bytes.
inline constexpr std::size_t k_review_stat_budget = 8 * 1024;

// The agent's intent for `run`: what it said it is doing, the tasks it has claimed, and the
// subjects of the commits its push brings (newest first, at most 20).
std::string review_intent(const Reader& reader, const RunRecord& run,
                          const std::filesystem::path& repo);

// `git diff --stat` of base..candidate ("" base: the whole candidate tree), cut to budget.
std::string review_diff_stat(const std::filesystem::path& repo, const std::string& base,
                             const std::string& candidate);

// The diff of base..candidate, cut to `budget` bytes at file boundaries where it can be, ending
// with a note of how much and which files were left out.
std::string review_diff(const std::filesystem::path& repo, const std::string& base,
                        const std::string& candidate, std::size_t budget = k_review_diff_budget);

} // namespace knot::server
