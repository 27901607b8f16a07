// A clone's own check settings (see check_config.hpp).
#include "libknot/checks/check_config.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

namespace knot {
namespace {

std::string trimmed(std::string_view text) {
    return std::string(trim_whitespace(text));
}

} // namespace

CheckConfig check_config_from(const std::vector<std::string>& checks,
                              const std::optional<std::string>& timeout) {
    CheckConfig config;
    std::vector<std::string> commands;
    for (const auto& value : checks)
        if (const std::string command = trimmed(value); !command.empty())
            commands.push_back(command);
    const bool has_none = std::find(commands.begin(), commands.end(), "none") != commands.end();
    if (has_none && commands.size() > 1)
        throw Error("knot.check is 'none' and lists commands too; keep one or the other "
                    "(git config --unset-all knot.check starts again)");
    if (has_none)
        config.checks.emplace();
    else if (!commands.empty())
        config.checks = std::move(commands);
    if (timeout) {
        const std::string text = trimmed(*timeout);
        std::int64_t seconds = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
        if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
            seconds < 1 || seconds > k_max_check_timeout)
            throw Error("knot.checkTimeout is '" + *timeout +
                        "'; it must be a whole number of seconds from 1 to 86400");
        config.timeout_seconds = seconds;
    }
    return config;
}

CheckConfig read_check_config(const std::filesystem::path& workdir) {
    // Exit status 1 means the key is unset; anything else is git failing.
    auto read = [&](const std::string& key, bool all) {
        GitResult result =
            run_git({"config", "--local", "--null", all ? "--get-all" : "--get", key}, workdir);
        if (result.status != 0 && result.status != 1)
            throw Error("cannot read " + key + ": " + trimmed(result.err));
        return result;
    };
    // --null ends each value with a NUL, so a value may hold newlines.
    std::vector<std::string> checks;
    std::istringstream values(read("knot.check", true).out);
    for (std::string value; std::getline(values, value, '\0');)
        checks.push_back(value);
    GitResult timeout = read("knot.checkTimeout", false);
    if (!timeout.out.empty() && timeout.out.back() == '\0')
        timeout.out.pop_back();
    return check_config_from(checks, timeout.status == 0 ? std::optional<std::string>(timeout.out)
                                                         : std::nullopt);
}

CheckPlan plan_configured_checks(const CheckConfig& config, const std::filesystem::path& tree) {
    if (config.checks && config.checks->empty())
        return CheckPlan{"knot.check", {}};
    return plan_checks(config.checks.value_or(std::vector<std::string>{}), tree);
}

nlohmann::json settings_request(const CheckConfig& config) {
    nlohmann::json body = {
        {"checks", config.checks ? nlohmann::json(*config.checks) : nlohmann::json(nullptr)}};
    if (config.timeout_seconds)
        body["time_limit"] = *config.timeout_seconds;
    return body;
}

} // namespace knot
