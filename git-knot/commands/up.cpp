// git knot up: host a room from this clone and print how teammates join it.
#include "command.hpp"
#include "git-knot/room_host.hpp"
#include "git-knot/server_launcher.hpp"
#include "libknot/base/error.hpp"
#include "libknot/checks/check_config.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/http_client.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire_integration.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace knot::cli {
namespace {

// Keeps `git knot up --foreground` attached: returns when the server exits, and stops the
// room when this process is interrupted.
int wait_in_foreground(const HostedRoom& hosted) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    int status = 0;
    while (::waitpid(hosted.server_pid, &status, WNOHANG) == 0) {
        int sig = 0;
        sigwait(&set, &sig);
        if (sig == SIGINT || sig == SIGTERM) {
            stop_hosting(hosted.data_dir);
            ::waitpid(hosted.server_pid, &status, 0);
            std::cout << "knot server stopped\n";
            return 0;
        }
    }
    std::cerr << "git-knot: the knot server exited; see " << (hosted.data_dir / "server.log")
              << '\n';
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

// When the host's clone sets knot.check or knot.checkTimeout, the room's integration agent
// should use them: sends them as `git knot check --configure` does, unless the room has them.
// The room's forge (only its owner sets it) becomes the clone's origin in forge mode, else the
// clone itself. A failure is a warning (the room is up; --configure can try again). Returns the
// room's settings, or nothing.
std::optional<wire::Settings> send_host_check_settings(const Clone& clone) {
    try {
        const CheckConfig config = read_check_config(clone.repo().workdir());
        // With no origin, teammates clone the host's own repository and push to it in forge
        // mode: the host's clone is then the forge (the server is this clone's own, so it may
        // read a local path).
        const std::optional<std::string> forge =
            forge_of(clone.repo()).value_or(clone.repo().workdir().string());
        Session session;
        // An `up` that restarts the room sends the checks only when the room's differ.
        const nlohmann::json current =
            session.client().get("/integration?limit=1").get<wire::Integration>().settings;
        const nlohmann::json wanted = settings_request(config);
        const bool same_checks =
            config.empty() ||
            (wanted.at("checks") == current.at("checks") &&
             wanted.value("time_limit", current.at("time_limit")) == current.at("time_limit"));
        return send_room_settings(session, same_checks ? nullptr : &config, forge);
    } catch (const Error& e) {
        std::cerr
            << "git-knot: warning: the room did not get this clone's check settings or forge: "
            << e.what() << " (git knot check --configure tries again)\n";
        return std::nullopt;
    }
}

// Gives the room its base (once: the server keeps an existing refs/knot/integration): the
// forge's default branch, which with no origin is this clone's own HEAD, so the first push
// merges onto it and undo can return to it. A failure is a warning: pushes still integrate, the
// first one starting the ref. Returns the server's answer, or nothing.
std::optional<wire::BaseAnswer> send_room_base() {
    try {
        Session session;
        // The server fetches the forge's history first: longer than a coordination call.
        session.client().http() = HttpClient(session.room().server, std::chrono::minutes(10));
        return session.client()
            .post("/integration/base", nlohmann::json::object())
            .get<wire::BaseAnswer>();
    } catch (const Error& e) {
        std::cerr << "git-knot: warning: the room has no base: " << e.what()
                  << " (the first push to integrate starts refs/knot/integration; 'git knot up' "
                     "tries again)\n";
        return std::nullopt;
    }
}

// "1a2b3c4 (refs/knot/integration starts here: ...)", for the base answer `base`.
std::string base_line(const wire::BaseAnswer& base) {
    const std::string at = base.base ? base.base->substr(0, 7) : std::string("none");
    if (base.created)
        return at + " (refs/knot/integration starts here: the first push merges onto it)";
    return at + " (refs/knot/integration is at " +
           (base.integration.empty() ? std::string("none") : base.integration.substr(0, 7)) + ")";
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    HostOptions options;
    bool no_tunnel = false;
    bool foreground = false;
    bool json = false;
    std::string data;
    int port = -1;
    app.add_option("--port", port,
                   "Port to listen on (default: the room's own, else 8787; 0: the room's own, "
                   "else any free one)")
        ->check(CLI::Range(0, 65535))
        ->option_text("port");
    app.add_option("--bind", options.bind, "Address to listen on (0.0.0.0 for the LAN)")
        ->option_text("address");
    app.add_option("--data", data, "Server data directory (default .git/knot/server)")
        ->option_text("dir");
    app.add_option("--public-url", options.public_url, "Base URL teammates reach the server at")
        ->option_text("url");
    app.add_option("--review-webhook-key", options.review.webhook_key,
                   "The webhook's Ed25519 public key (base64): its verdicts must be signed, and "
                   "are verified (else $KNOT_REVIEW_WEBHOOK_KEY)")
        ->option_text("key");
    app.add_option("--room-name", options.room_name, "Room name (default: the directory name)")
        ->option_text("name");
    app.add_flag("--no-tunnel", no_tunnel, "Do not start a cloudflared quick tunnel");
    app.add_flag("--foreground", foreground, "Stay attached; Ctrl-C stops the room");
    app.add_flag("--json", json, "Print JSON");
    bool unsandboxed_checks = false;
    app.add_flag("--unsandboxed-checks", unsandboxed_checks,
                 "UNSAFE with untrusted members: the server runs pushed checks with your rights, "
                 "outside its sandbox");
    app.add_option(
           "--anthropic-key", options.review.anthropic_key,
           "Review every integration with Claude using this key (better: ANTHROPIC_API_KEY in "
           "the environment, which other users cannot see); never stored")
        ->option_text("key");
    app.add_option("--review-webhook", options.review.webhook_url,
                   "POST each review request to this URL (else $KNOT_REVIEW_WEBHOOK)")
        ->option_text("url");
    if (!parse_args(app, args))
        return 0;
    if (port >= 0)
        options.port = port;
    options.checks = unsandboxed_checks ? PushedChecks::unsandboxed : PushedChecks::sandboxed;
    options.data_dir = data;
    options.tunnel = no_tunnel ? TunnelMode::off : TunnelMode::automatic;
    options.mode = foreground ? ServerMode::foreground : ServerMode::background;

    Clone clone = Clone::open();
    const HostedRoom hosted = host_room(clone, options);
    const std::optional<wire::Settings> checks = send_host_check_settings(clone);
    const std::optional<wire::BaseAnswer> base = send_room_base();
    const std::string join_line = "git knot join '" + hosted.invite + "'";
    if (json) {
        std::cout << nlohmann::json{{"room", hosted.room},
                                    {"created", hosted.created},
                                    {"server", hosted.local_url},
                                    {"public_url", hosted.public_url},
                                    {"invite", hosted.invite},
                                    {"pid", hosted.server_pid},
                                    {"tunnel_pid", hosted.tunnel_pid},
                                    {"data", hosted.data_dir.string()},
                                    {"unsandboxed_checks", unsandboxed_checks},
                                    {"invite_changed", !hosted.previous_public_url.empty()},
                                    {"taken_port", hosted.taken_port
                                                       ? nlohmann::json(hosted.taken_port)
                                                       : nlohmann::json()},
                                    {"check_settings",
                                     checks ? nlohmann::json(*checks) : nlohmann::json()},
                                    {"base", base ? nlohmann::json(*base) : nlohmann::json()}}
                         .dump(2)
                  << '\n';
    } else {
        std::cout << "knot room " << hosted.room << (hosted.created ? " is up" : " is up again")
                  << '\n'
                  << "  server   " << hosted.local_url << "  (pid " << hosted.server_pid << ", log "
                  << (hosted.data_dir / "server.log").string() << ")\n";
        if (unsandboxed_checks)
            std::cout << "  checks   run UNSANDBOXED, with your rights (--unsandboxed-checks): "
                         "only for members you trust\n";
        if (!options.review.anthropic_key.empty() || std::getenv("ANTHROPIC_API_KEY"))
            std::cout << "  review   the server's model reviews each integration (the key is "
                         "in the server's environment only)\n";
        else if (!options.review.webhook_url.empty() || std::getenv("KNOT_REVIEW_WEBHOOK"))
            std::cout << "  review   each integration is sent to the review webhook\n";
        if (hosted.tunnel_pid)
            std::cout << "  tunnel   " << hosted.public_url << "  (cloudflared pid "
                      << hosted.tunnel_pid << ")\n";
        if (checks && !read_check_config(clone.repo().workdir()).empty())
            std::cout << "  checks   knot.check and knot.checkTimeout sent to the room ("
                      << (!checks->checks ? std::string("from each tree")
                          : checks->checks->empty()
                              ? std::string("none")
                              : std::to_string(checks->checks->size()) + " commands")
                      << ", " << checks->time_limit << " s limit)\n";
        if (checks && checks->forge)
            std::cout << "  forge    " << *checks->forge
                      << " (the server fetches forge-mode pushes from it)\n";
        if (base)
            std::cout << "  base     " << base_line(*base) << '\n';
        std::cout << "  hooks    " << hosted.hooks << '\n'
                  << "  invite   " << hosted.invite << '\n';
        if (hosted.taken_port)
            std::cout << "  port     " << hosted.taken_port
                      << ", the room's until now, is taken by another program: the room moved to "
                      << port_of_url(hosted.local_url) << '\n';
        if (!hosted.previous_public_url.empty())
            std::cout << "\nThe invite changed (the room was at " << hosted.previous_public_url
                      << "): every teammate, those who joined before too, runs in their clone:\n";
        else
            std::cout << "\nTeammates, in their clone of this repository:\n";
        std::cout << "  " << join_line << "\n\n"
                  << "An agent (Claude Code, Codex, Cursor), pasted into its prompt:\n"
                  << "  Run `" << join_line
                  << "` in this repository, then read .knot/playbook.md and follow it.\n\n"
                  << "Written to .knot/HOST.md. Stop the room with 'git knot down'.\n";
        if (!hosted.tunnel_pid && hosted.public_url.find("127.0.0.1") != std::string::npos)
            std::cout << "Note: the invite works on this machine only; for the LAN use --bind "
                         "0.0.0.0, for the internet install cloudflared.\n";
    }
    std::cout.flush();
    if (options.mode == ServerMode::foreground)
        return wait_in_foreground(hosted);
    return 0;
}

const Registration registration{
    {"up", "Host a room: start the server, create the room, print the invite", run}};

} // namespace

} // namespace knot::cli
