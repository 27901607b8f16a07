// git knot doctor: one line per check with a fix hint; exits 1 when any check fails.
#include "command.hpp"
#include "git-knot/diagnosis.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    app.add_flag("--json", json, "Print JSON");
    if (!parse_args(app, args))
        return 0;
    const auto checks = diagnose();
    bool failed = false;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& check : checks) {
        failed = failed || check.verdict == Verdict::fail;
        const char* verdict = check.verdict == Verdict::ok     ? "ok"
                              : check.verdict == Verdict::warn ? "warn"
                                                               : "FAIL";
        if (json) {
            out.push_back({{"check", check.name},
                           {"verdict", check.verdict == Verdict::fail ? "fail" : verdict},
                           {"detail", check.detail},
                           {"fix", check.fix}});
            continue;
        }
        std::string v = verdict, name = check.name;
        v.resize(6, ' ');
        name.resize(12, ' ');
        std::cout << v << name << check.detail;
        if (!check.fix.empty())
            std::cout << "  (fix: " << check.fix << ")";
        std::cout << '\n';
    }
    if (json)
        std::cout << nlohmann::json{{"ok", !failed}, {"checks", out}}.dump(2) << '\n';
    return failed ? 1 : 0;
}

const Registration registration{
    {"doctor", "Check git, keys, config, hooks, the server and the clock", run}};

} // namespace

} // namespace knot::cli
