// git knot patches: the room's patches, their approvals, rejections and merge runs.
#include "command.hpp"
#include "libknot/client/patch_exchange.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {

namespace {

std::string padded(std::string text, std::size_t width) {
    if (text.size() < width)
        text.resize(width, ' ');
    return text;
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    bool json = false;
    app.add_flag("--json", json, "Print JSON");
    if (!parse_args(app, args))
        return 0;
    Session session;
    const nlohmann::json answer = session.client().get("/patches");
    if (json) {
        std::cout << answer.dump(2) << '\n';
        return 0;
    }
    const auto patches =
        wire::FieldReader(answer, "patches answer").objects<wire::Patch>("patches");
    if (patches.empty())
        std::cout << "no patches (git knot share or git knot submit makes one)\n";
    for (const wire::Patch& patch : patches) {
        const std::string subject = patch.message.substr(0, patch.message.find('\n'));
        std::cout << patch.id << "  " << padded(patch.author_name, 12) << ' '
                  << padded(patch_state_text(patch), 16) << " +" << patch.approvals << " -"
                  << patch.rejections << "  " << subject << '\n';
        for (const wire::PatchVerdict& verdict : patch.verdicts)
            if (verdict.verdict == "reject")
                std::cout << "    rejected by " << verdict.agent_name << ": " << verdict.reason
                          << '\n';
    }
    return 0;
}

const Registration registration{
    {"patches", "List the room's patches with their approvals and merge state", run}};

} // namespace

} // namespace knot::cli
