// git knot join: register with a room from its invite URL and configure this clone for it.
#include "command.hpp"
#include "git-knot/onboarding.hpp"
#include "hooks/hook_installer.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/relay_home.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/invite.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace knot::cli {

namespace {

// Registers the card as join does from anywhere, the server's refusals said in join's words.
wire::Agent register_for_join(RoomClient& client, const wire::AgentCard& card, NameChoice choice) {
    try {
        return register_agent_named(client, card, choice);
    } catch (const HttpError& e) {
        if (e.code() == error_code::bad_token || e.code() == error_code::unknown_room)
            throw HttpError(e.status(), e.code(),
                            std::string(e.what()) + ": ask the host for a fresh invite URL",
                            e.body());
        if (e.code() == error_code::name_taken)
            throw Refused("the name '" + card.name +
                          "' is taken in this room by another agent: choose one with --name");
        throw;
    }
}

// Outside any repository the agent joins as a relay: no clone, so no locks and no pushes (the
// server refuses both to a card with the relay capability); its identity and room go to its
// relay folder once the server accepted the card.
int join_as_relay(const Invite& invite, std::string name, std::string kind,
                  std::vector<std::string> capabilities, bool json) {
    RelayHome home = RelayHome::of(invite.room);
    const NameChoice choice = name.empty() ? NameChoice::first_free : NameChoice::exact;
    if (name.empty())
        name = home.exists()
                   ? home.agent_name()
                   : agent_name_from(user_config_get("knot.name"), user_config_get("user.name"));
    if (auto why = invalid_agent_name(name))
        throw UsageError("agent name '" + name + "': " + *why + "; pass --name");
    if (kind.empty())
        kind = user_config_get("knot.kind").value_or("human");
    if (!is_agent_kind(kind) || kind == "knot")
        throw UsageError("--kind '" + kind + "': use claude, codex, cursor, human or other");
    if (std::find(capabilities.begin(), capabilities.end(), k_relay_capability) ==
        capabilities.end()) {
        if (capabilities.size() >= k_max_capabilities)
            throw UsageError("--capabilities: at most " + std::to_string(k_max_capabilities - 1) +
                             " for a relay agent, whose card carries 'relay' too");
        capabilities.insert(capabilities.begin(), k_relay_capability);
    }

    const bool had_identity = home.has_identity();
    const Identity identity = had_identity ? home.identity() : Identity::generate();
    RoomClient client(invite.base_url, invite.room, invite.token, &identity, "");
    client.health();
    const wire::Agent agent = register_for_join(client, {name, kind, capabilities, ""}, choice);
    const RoomConfig room{invite.base_url, invite.room, invite.token, agent.id};
    home.save(identity, room, agent.name, kind);
    if (json) {
        std::cout << nlohmann::json{{"room", room.room},
                                    {"server", room.server},
                                    {"agent", agent},
                                    {"relay", true},
                                    {"home", home.dir().string()}}
                         .dump(2)
                  << '\n';
        return 0;
    }
    std::cout << "joined room " << room.room << " at " << room.server << " as a relay agent\n"
              << "  you        " << agent.name << " (" << kind << ")  " << identity.fingerprint()
              << '\n'
              << "  identity   " << home.dir().string() << '\n'
              << "  can        status, tasks, plan, claim, done, release, say, chat, log, dash, "
                 "review, patches, approve (run git knot outside any repository)\n"
              << "  cannot     lock or push: run 'git knot upgrade' in a clone to carry this "
                 "identity there\n";
    return 0;
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string url;
    std::string name;
    std::string kind;
    std::vector<std::string> capabilities;
    bool json = false;
    app.add_option("url", url, "The invite URL: http(s)://host:port/join?room=rm_...&token=...")
        ->required();
    app.add_option("--name", name,
                   "Agent name shown to teammates (default: knot.name, numbered as name-2, "
                   "name-3 ... when another agent has it)")
        ->option_text("name");
    app.add_option("--kind", kind, "claude, codex, cursor, human or other")->option_text("kind");
    app.add_option("--capabilities", capabilities, "What this agent does (code, review, ...)")
        ->delimiter(',')
        ->option_text("list");
    app.add_flag("--json", json, "Print JSON");
    if (!parse_args(app, args))
        return 0;
    const Invite invite = parse_invite(url);

    std::optional<GitRepo> repo = GitRepo::discover_if_any(std::filesystem::current_path());
    if (!repo)
        return join_as_relay(invite, name, kind, capabilities, json);
    Clone clone(std::move(*repo));
    // A name the user chose is taken or refused as it is; the default one is numbered when
    // taken, since the same person often joins from a second clone.
    const NameChoice choice = name.empty() ? NameChoice::first_free : NameChoice::exact;
    if (name.empty())
        name = clone.agent_name();
    if (auto why = invalid_agent_name(name))
        throw UsageError("agent name '" + name + "': " + *why + "; pass --name");
    if (kind.empty())
        kind = clone.agent_kind();
    if (!is_agent_kind(kind) || kind == "knot")
        throw UsageError("--kind '" + kind + "': use claude, codex, cursor, human or other");
    if (capabilities.empty())
        capabilities = {"code"};

    const bool had_identity = clone.has_identity();
    // The identity is checked (or made) before anything is sent, and the clone's config is
    // written only after the server accepted the card, so a failure leaves nothing half-set.
    const Identity identity = had_identity ? clone.identity() : Identity::generate();
    RoomClient client(invite.base_url, invite.room, invite.token, &identity, "");
    client.health();
    wire::Agent agent = register_for_join(client, {name, kind, capabilities, ""}, choice);
    if (!had_identity)
        clone.create_identity_from(identity);
    const std::string wanted = name;
    name = agent.name;

    const RoomConfig room{invite.base_url, invite.room, invite.token, agent.id};
    configure_clone_for_room(clone, room, name, kind, invite_url(invite));
    const HookReport hooks = install_hooks(clone.repo());
    const auto overview = client.get("").get<wire::Room>();
    std::size_t members = 0; // the room's agents, not counting the server's own
    for (const auto& member : overview.agents)
        members += member.role == "server" ? 0 : 1;

    if (json) {
        std::cout << nlohmann::json{{"room", room.room},
                                    {"server", room.server},
                                    {"agent", agent},
                                    {"name_taken",
                                     name == wanted ? nlohmann::json() : nlohmann::json(wanted)},
                                    {"members", members}}
                         .dump(2)
                  << '\n';
        return 0;
    }
    std::cout << "joined room " << room.room << " at " << room.server << '\n'
              << "  you        " << name << " (" << kind << ")  " << identity.fingerprint() << '\n';
    if (name != wanted)
        std::cout << "  name       '" << wanted << "' is another agent's in this room (a clone "
                  << "of yours elsewhere?), so this clone is '" << name
                  << "'; to choose, join again with --name\n";
    if (RelayHome::of(room.room).exists())
        std::cout << "  relay      you are also a relay agent of this room (" +
                         RelayHome::of(room.room).dir().string() +
                         "): 'git knot upgrade' carries that agent into a clone instead\n";
    std::cout << "  members    " << members << " (git knot whoami)\n"
              << "  remote     knot -> knot::" << room.server << "/" << room.room << '\n'
              << "  playbook   .knot/playbook.md\n"
              << "  mcp        .mcp.json (Claude Code), .cursor/mcp.json (Cursor); Codex: codex "
                 "mcp add knot -- git knot mcp --stdio\n"
              << "  hooks      " << describe(hooks) << '\n';
    return 0;
}

const Registration registration{{"join", "Join a room from its invite URL", run}};

} // namespace

} // namespace knot::cli
