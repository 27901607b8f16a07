// A clone's own check settings: knot.check (multi-valued) and knot.checkTimeout, as the local
// `git knot check` runs them and `git knot check --configure` sends them to the room.
#pragma once

#include "libknot/checks/check_plan.hpp"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace knot {

// The time limit of a check run when knot.checkTimeout is unset, in seconds.
inline constexpr std::int64_t k_default_check_timeout = 600;
// The longest knot.checkTimeout the server accepts, in seconds (one day).
inline constexpr std::int64_t k_max_check_timeout = 86400;

struct CheckConfig {
    // The commands of knot.check; nothing when it is unset (use .knot/checks or detection); an
    // empty list when its only value is `none` (no checks: merge only).
    std::optional<std::vector<std::string>> checks;
    // knot.checkTimeout in seconds, when set.
    std::optional<std::int64_t> timeout_seconds;

    bool empty() const { return !checks && !timeout_seconds; }
};

// Makes a CheckConfig of the values of knot.check (in order) and of knot.checkTimeout. Blank
// values of knot.check are skipped. Throws knot::Error when `none` is not the only value, or
// when the timeout is not a whole number of seconds from 1 to 86400.
CheckConfig check_config_from(const std::vector<std::string>& checks,
                              const std::optional<std::string>& timeout);

// Reads knot.check and knot.checkTimeout from the local configuration of the repository at
// `workdir` (as every knot.* setting, not from the global or system one). Throws as
// check_config_from does, and knot::Error when git cannot read the config.
CheckConfig read_check_config(const std::filesystem::path& workdir);

// The plan for `tree` under `config`: no commands (source "knot.check") when knot.check is
// `none`, else plan_checks with its commands.
CheckPlan plan_configured_checks(const CheckConfig& config, const std::filesystem::path& tree);

// The body of POST /integration/settings for `config`: "checks" is the list, [] for `none` or
// null when unset; "time_limit" is there only when knot.checkTimeout is set.
nlohmann::json settings_request(const CheckConfig& config);

} // namespace knot
