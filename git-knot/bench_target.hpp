// What `git knot bench` runs against: a throwaway knot-server it starts on loopback and stops
// (the default), or the room this clone has joined; and where its trials are kept.
#pragma once

#include "git-knot/bench_trials.hpp"
#include "libknot/protocol/invite.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <sys/types.h>

namespace knot {

// A knot-server started for one run, on 127.0.0.1 and a free port, with a room of its own;
// stopped when this is destroyed, its data directory removed unless it was given.
class ThrowawayServer {
public:
    // Starts the knot-server installed beside git-knot on `data_dir` (a new temporary
    // directory when empty) and creates a room "bench" with its admin token. Throws knot::Error
    // when the server does not start (with its log's last lines) or refuses the room.
    explicit ThrowawayServer(const std::filesystem::path& data_dir);
    ~ThrowawayServer();
    ThrowawayServer(const ThrowawayServer&) = delete;
    ThrowawayServer& operator=(const ThrowawayServer&) = delete;

    const Invite& invite() const { return m_invite; }
    const std::filesystem::path& data_dir() const { return m_data_dir; }
    pid_t pid() const { return m_pid; }

private:
    void stop();

    std::filesystem::path m_data_dir;
    bool m_remove = false;
    pid_t m_pid = 0;
    Invite m_invite;
};

// The server's version from GET /v1/health, "unknown" when it gives none.
std::string server_version(const Invite& invite);

// The conditions of a run against `invite` (TLS when its URL is https).
BenchConditions bench_conditions(const Invite& invite, const ThrowawayServer* local);

// Where trials go without --out: <git dir>/knot/bench/trials.jsonl in a repository, else
// $XDG_DATA_HOME/knot/bench/trials.jsonl ($HOME/.local/share when unset: trials are data the
// tool writes, not settings a person edits). Throws knot::Error when neither is known.
std::filesystem::path default_trials_path();

} // namespace knot
