// knot-server: parses the command line, then serves until SIGTERM or SIGINT.
//
// Exit codes (sysexits.h style): 0 after a clean stop, 1 when the server cannot start (the data
// directory is locked by another server, a key file is unsafe, the port is taken), 64 for a bad
// command line.
#include "libknot/base/error.hpp"
#include "libknot/base/url.hpp"
#include "libknot/protocol/crypto.hpp"
#include "server/forge_policy.hpp"
#include "server/log.hpp"
#include "server/server.hpp"

#include <CLI/CLI.hpp>
#include <Poco/Util/ServerApplication.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 64;

struct CommandLine {
    knot::server::ServerOptions options;
    int ready_fd = -1;
};

class ServerApp : public Poco::Util::ServerApplication {
public:
    explicit ServerApp(CommandLine command_line)
        : m_command_line(std::move(command_line)) {}

protected:
    int main(const std::vector<std::string>&) override {
        try {
            knot::server::Server server(m_command_line.options);
            const std::string url = server.start();
            std::cout << "knot-server listening on " << url << std::endl;
            if (m_command_line.ready_fd >= 0) {
                const std::string line = url + "\n";
                const ssize_t written = ::write(m_command_line.ready_fd, line.data(), line.size());
                ::close(m_command_line.ready_fd);
                if (written != static_cast<ssize_t>(line.size()))
                    knot::server::log_line("warning: could not write the URL to --ready-fd");
            }
            waitForTerminationRequest();
            knot::server::log_line("knot-server stopping");
            server.stop();
            return EXIT_OK;
        } catch (const std::exception& error) {
            std::cerr << "knot-server: error: " << error.what() << std::endl;
            return k_exit_failure;
        }
    }

private:
    CommandLine m_command_line;
};

} // namespace

int main(int argc, char** argv) {
    CommandLine command_line;
    const char* data_env = std::getenv("KNOT_DATA");
    command_line.options.data_dir = data_env && *data_env ? data_env : "knot-data";

    CLI::App app("knot-server: the coordination server of knot", "knot-server");
    app.set_version_flag("--version", "knot-server " KNOT_VERSION);
    app.add_option("--port", command_line.options.port,
                   "TCP port to listen on (default 8787; 0 picks a free one)");
    app.add_option("--bind", command_line.options.bind_address,
                   "address to listen on (default 127.0.0.1; IPv6 like ::1 allowed)");
    app.add_option("--data", command_line.options.data_dir,
                   "data directory (default $KNOT_DATA, else ./knot-data)");
    app.add_option("--ready-fd", command_line.ready_fd,
                   "after listening, write the base URL and a newline to this descriptor")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--threads", command_line.options.threads,
                   "requests served at once; idle connections and event streams hold no thread "
                   "(default 64)")
        ->check(CLI::Range(2, 4096));
    app.add_option("--max-connections-per-address",
                   command_line.options.max_connections_per_address,
                   "connections one remote address may hold open, event streams included "
                   "(default 256)")
        ->check(CLI::Range(1, 1000000));
    app.add_option("--head-timeout-seconds", command_line.options.head_timeout_seconds,
                   "seconds a client has to send a whole request head (default 10)")
        ->check(CLI::Range(1, 3600));
    app.add_flag("--allow-local-forges", command_line.options.allow_local_forges,
                 "let a room's owner set a path on this machine or a file:// URL as its forge "
                 "(never the data directory; git knot up passes it)");
    std::string forge_schemes = "https";
    app.add_option("--forge-schemes", forge_schemes,
                   "forge URL schemes allowed, comma-separated: https (default), http, ssh, git");
    app.add_flag("--allow-private-forges", command_line.options.allow_private_forges,
                 "let a forge host be on a loopback, private or link-local network");
    app.add_flag("--unsandboxed-checks", command_line.options.unsandboxed_checks,
                 "UNSAFE with untrusted members: run pushed checks with this server's own rights "
                 "instead of in the bubblewrap sandbox (a trusted single-room server only)");
    app.add_option("--integration-workers", command_line.options.integration_workers,
                   "integration runs that may check at once, each in its own room (default 2)")
        ->check(CLI::Range(1, 64));
    app.add_option("--max-object-size", command_line.options.max_object_bytes,
                   "largest object a push may hold or a delta may make, e.g. 100MiB (default)")
        ->transform(CLI::AsSizeValue(false))
        ->check(CLI::PositiveNumber);
    app.add_option("--max-pack-expanded-size", command_line.options.max_pack_expanded_bytes,
                   "most one pushed pack's objects may expand to together (default 4GiB)")
        ->transform(CLI::AsSizeValue(false))
        ->check(CLI::PositiveNumber);
    knot::server::ReviewOptions& review = command_line.options.review;
    if (const char* webhook = std::getenv("KNOT_REVIEW_WEBHOOK"); webhook && *webhook)
        review.webhook_url = webhook;
    app.add_option("--review-webhook", review.webhook_url,
                   "POST each review request to this URL (default $KNOT_REVIEW_WEBHOOK); the "
                   "service answers at /v1/rooms/ROOM/reviews/ID/respond");
    std::string webhook_key;
    if (const char* key = std::getenv("KNOT_REVIEW_WEBHOOK_KEY"); key && *key)
        webhook_key = key;
    app.add_option("--review-webhook-key", webhook_key,
                   "the webhook's Ed25519 public key (base64; default $KNOT_REVIEW_WEBHOOK_KEY): "
                   "its verdicts must then be signed, and are verified");
    app.add_option("--review-model", review.default_model,
                   "the model the server's key asks when a room names none (default " +
                       review.default_model + ")");
    app.add_option("--public-url", review.public_url,
                   "the URL review webhooks are told to answer at (default the address listened "
                   "on)");
    // Hidden: tests shorten the heartbeat of event streams to see one arrive.
    app.add_option("--heartbeat-seconds", command_line.options.heartbeat_seconds)
        ->check(CLI::Range(1, 3600))
        ->group("");
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& success) {
        return app.exit(success);
    } catch (const CLI::ParseError& error) {
        std::cerr << "knot-server: error: " << error.what() << " (see knot-server --help)"
                  << std::endl;
        return k_exit_usage;
    }
    // The model key is read from the environment only: a command line is visible to every user
    // of the machine. It is never stored, and never written to the log.
    if (char* key = std::getenv("ANTHROPIC_API_KEY"); key && *key) {
        review.anthropic_key = key;
        // Wiped where it lies: /proc/<pid>/environ shows the environment block as it is in
        // memory, and unsetenv alone leaves the bytes there.
        std::fill(key, key + std::strlen(key), '\0');
    }
    if (const char* base = std::getenv("ANTHROPIC_BASE_URL"); base && *base)
        review.anthropic_base_url = base;
    if (!review.webhook_url.empty() && !knot::parse_url(review.webhook_url)) {
        std::cerr << "knot-server: error: --review-webhook " << review.webhook_url
                  << " is not an http(s) URL" << std::endl;
        return k_exit_usage;
    }
    if (!knot::parse_url(review.anthropic_base_url)) {
        std::cerr << "knot-server: error: ANTHROPIC_BASE_URL " << review.anthropic_base_url
                  << " is not an http(s) URL" << std::endl;
        return k_exit_usage;
    }
    if (!webhook_key.empty()) {
        try {
            review.webhook_key = knot::from_base64(webhook_key);
        } catch (const std::exception&) {
            review.webhook_key.clear();
        }
        if (review.webhook_key.size() != 32) {
            std::cerr << "knot-server: error: --review-webhook-key is not a base64 Ed25519 "
                         "public key (32 bytes)"
                      << std::endl;
            return k_exit_usage;
        }
    }
    ::unsetenv("ANTHROPIC_API_KEY"); // not passed on to git, checks or anything else started
    try {
        command_line.options.forge_schemes = knot::server::parse_forge_schemes(forge_schemes);
    } catch (const knot::Error& error) {
        std::cerr << "knot-server: error: " << error.what() << std::endl;
        return k_exit_usage;
    }

    // Block the termination signals before any thread starts, so every thread inherits the mask
    // and waitForTerminationRequest's sigwait is the only one to receive them. A child process
    // spawned later must unblock them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // Everything the server writes (database, keys, tokens) is for its own user only.
    ::umask(077);
    // The git the server runs (forge fetches, pack-objects) must never wait for a password:
    // a forge that wants one fails the request instead of stalling it.
    ::setenv("GIT_TERMINAL_PROMPT", "0", 1);

    ServerApp server_app(std::move(command_line));
    char* program[] = {argv[0], nullptr};
    return server_app.run(1, program);
}
