// git knot init: create this clone's identity and its knot configuration.
#include "command.hpp"
#include "git-knot/onboarding.hpp"
#include "hooks/hook_installer.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/protocol/protocol.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string name;
    std::string kind;
    app.add_option("--name", name, "Agent name shown to teammates (default: from user.name)")
        ->option_text("name");
    app.add_option("--kind", kind, "claude, codex, cursor, human or other (default: human)")
        ->option_text("kind");
    bool uninstall = false;
    app.add_flag("--uninstall-hooks", uninstall, "Remove knot's git hooks, restoring earlier ones");
    if (!parse_args(app, args))
        return 0;
    if (uninstall) {
        std::cout << describe(uninstall_hooks(Clone::open().repo())) << '\n';
        return 0;
    }
    if (!name.empty())
        if (auto why = invalid_agent_name(name))
            throw UsageError("--name '" + name + "': " + *why);
    if (!kind.empty() && (!is_agent_kind(kind) || kind == "knot"))
        throw UsageError("--kind '" + kind + "': use claude, codex, cursor, human or other");

    Clone clone = Clone::open();
    const bool existed = clone.has_identity();
    // Loading an existing key checks its permissions, so a loose key is reported here too.
    const Identity identity = existed ? clone.identity() : clone.create_identity();
    auto& repo = clone.repo();
    if (!name.empty() || !repo.config_get("knot.name"))
        repo.config_set("knot.name", name.empty() ? clone.agent_name() : name);
    if (!kind.empty() || !repo.config_get("knot.kind"))
        repo.config_set("knot.kind", kind.empty() ? "human" : kind);
    if (!repo.config_get("knot.autolock"))
        repo.config_set("knot.autolock", "commit");
    const HookReport hooks = install_hooks(repo);
    const auto mcp_configs = write_mcp_configs(clone);

    std::cout << (existed ? "identity already present  " : "created identity  ")
              << identity.fingerprint() << '\n'
              << "  name   " << clone.agent_name() << " (" << clone.agent_kind() << ")\n"
              << "  key    " << clone.key_path().string() << " (mode 0600)\n"
              << "  hooks  " << describe(hooks) << '\n';
    if (!mcp_configs.empty()) {
        std::cout << "  mcp    ";
        for (std::size_t i = 0; i < mcp_configs.size(); ++i)
            std::cout << (i ? ", " : "") << mcp_configs[i];
        std::cout << " (git knot mcp --stdio); Codex: codex mcp add knot -- git knot mcp --stdio\n";
    }
    if (!clone.room())
        std::cout << "next: 'git knot up' to host a room here, or 'git knot join <invite-url>'\n";
    return 0;
}

const Registration registration{
    {"init", "Create this clone's Ed25519 identity and knot config", run}};

} // namespace

} // namespace knot::cli
