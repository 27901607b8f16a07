// The agent's socket loop and its answer to a hook (see agent.hpp and hooks/agent_wire.hpp).
#include "knot-agent/agent.hpp"

#include "hooks/agent_starter.hpp"
#include "hooks/agent_wire.hpp"
#include "hooks/hook_context.hpp"
#include "hooks/hooks.hpp"
#include "knot-agent/staged_index.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/owned_fd.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/session.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace knot {
namespace {

namespace fs = std::filesystem;
namespace wire = agent_wire;

// How often the agent looks whether it should end, when no hook asks anything.
constexpr int k_check_ms = 1000;
// How long a connected hook may take to send its whole request, and to take the answer.
constexpr int k_request_ms = 500;
constexpr int k_request_seconds = 2;
// A claim that took longer than this means the server is slow or unreachable: for
// k_slow_server_pause after it, hooks run git-knot, each in its own process, rather than queue
// behind one another here (each would wait out the hook's timeout in turn).
constexpr auto k_slow_claim = std::chrono::milliseconds(1000);
constexpr auto k_slow_server_pause = std::chrono::seconds(10);

struct Answer {
    std::string status; // "0", "1" or wire::k_fallback
    std::string words;
};

Answer fallback() {
    return {wire::k_fallback, {}};
}

// What identifies a file's current version: a change of any means the session is rebuilt.
struct Stamp {
    dev_t device = 0;
    ino_t inode = 0;
    timespec modified{};
    off_t size = -1;
    bool operator==(const Stamp& o) const {
        return device == o.device && inode == o.inode && modified.tv_sec == o.modified.tv_sec &&
               modified.tv_nsec == o.modified.tv_nsec && size == o.size;
    }
};

Stamp stamp_of(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return {};
    return {st.st_dev, st.st_ino, st.st_mtim, st.st_size};
}

// The NUL-terminated fields of a request.
std::vector<std::string> split_fields(const std::string& request) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t end; (end = request.find('\0', start)) != std::string::npos; start = end + 1)
        fields.push_back(request.substr(start, end - start));
    return fields;
}

class Agent {
public:
    explicit Agent(const fs::path& workdir)
        : m_clone(GitRepo::discover(workdir))
        , m_workdir(fs::weakly_canonical(m_clone.repo().workdir()))
        , m_git_dir(m_clone.repo().git_dir())
        , m_knot_dir(m_clone.knot_dir())
        , m_staged(m_git_dir) {
        if (fs::weakly_canonical(m_git_dir) != fs::weakly_canonical(m_clone.repo().common_dir()))
            throw Error("knot-agent serves a clone's main work tree, not a linked worktree");
        std::error_code ec;
        if (!fs::is_directory(m_knot_dir, ec))
            throw Error(m_knot_dir.string() + " does not exist: run git knot init first");
        m_program = self_path();
    }

    // Takes the clone's agent lock; false when another agent holds it.
    bool lock() {
        m_lock = OwnedFd(
            ::open((m_knot_dir / wire::k_lock_name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        if (m_lock.get() < 0)
            throw Error("cannot open " + (m_knot_dir / wire::k_lock_name).string() + ": " +
                        std::strerror(errno));
        return ::flock(m_lock.get(), LOCK_EX | LOCK_NB) == 0;
    }

    // Binds the socket, readable and writable by this user only. The name is bound relative to
    // <git dir>/knot, the agent's working directory, so a long path to the clone still fits.
    void listen() {
        if (::chdir(m_knot_dir.c_str()) != 0)
            throw Error("cannot enter " + m_knot_dir.string() + ": " + std::strerror(errno));
        ::unlink(wire::k_socket_name); // an agent that died left it; the lock says none runs
        m_socket = OwnedFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, wire::k_socket_name, sizeof wire::k_socket_name);
        const mode_t old_mask = ::umask(0077);
        const int bound =
            ::bind(m_socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
        ::umask(old_mask);
        if (m_socket.get() < 0 || bound != 0 || ::listen(m_socket.get(), 16) != 0)
            throw Error("cannot listen on " + (m_knot_dir / wire::k_socket_name).string() + ": " +
                        std::strerror(errno));
        m_socket_stamp = stamp_of(wire::k_socket_name);
    }

    int serve() {
        auto idle_since = std::chrono::steady_clock::now();
        while (!m_stop) {
            pollfd ready{m_socket.get(), POLLIN, 0};
            const int n = ::poll(&ready, 1, k_check_ms);
            if (n < 0 && errno != EINTR)
                throw Error(std::string("poll failed: ") + std::strerror(errno));
            if (n > 0) {
                OwnedFd client(::accept4(m_socket.get(), nullptr, nullptr, SOCK_CLOEXEC));
                if (client.get() >= 0) {
                    answer(client.get());
                    idle_since = std::chrono::steady_clock::now();
                }
            } else if (std::chrono::steady_clock::now() - idle_since > k_agent_idle) {
                break;
            }
            if (!still_wanted())
                break;
        }
        // Gone before a hook finds it: the next one runs without it and may start another.
        m_socket.close();
        ::unlink(wire::k_socket_name);
        return 0;
    }

private:
    static fs::path self_path() {
        std::error_code ec;
        return fs::read_symlink("/proc/self/exe", ec);
    }

    // False once the socket was removed or replaced, the program replaced (the kernel then
    // names it "... (deleted)"), the clone is gone, or knot.hookAgent is false.
    bool still_wanted() {
        if (!(stamp_of(wire::k_socket_name) == m_socket_stamp))
            return false;
        if (self_path() != m_program)
            return false;
        std::error_code ec;
        if (!fs::is_directory(m_git_dir, ec))
            return false;
        // knot.hookAgent set to false ends the agent now, not at the next commit.
        const Stamp config = stamp_of(m_git_dir / "config");
        if (!(config == m_config_stamp)) {
            m_config_stamp = config;
            try {
                if (agent_disabled(Clone(GitRepo::discover(m_workdir))))
                    return false;
            } catch (const std::exception&) {
                return false; // no longer a clone knot can read
            }
        }
        return true;
    }

    void answer(int fd) {
        struct ucred peer {};
        socklen_t size = sizeof peer;
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != ::geteuid())
            return; // the socket is 0600; this is a second guard
        // A hook sends its few fields at once: one that is slower than k_request_ms in all holds
        // the agent (and every other commit) no longer than that.
        timeval wait{k_request_seconds, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(k_request_ms);
        std::string request;
        char buffer[4096];
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd readable{fd, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0)
                return; // too slow (or poll failed): the hook runs without the agent
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return;
            if (n == 0)
                break;
            request.append(buffer, static_cast<std::size_t>(n));
            if (request.size() > wire::k_max_request)
                return;
        }
        const Answer reply = handle(split_fields(request));
        if (m_stop) {
            // Gone before the hook hears the answer: the next hook finds no agent.
            m_socket.close();
            ::unlink(wire::k_socket_name);
        }
        std::string out = reply.status + "\n" + reply.words;
        if (out.size() > wire::k_max_answer)
            out = std::string(wire::k_fallback) + "\n";
        const char* data = out.data();
        std::size_t left = out.size();
        while (left > 0) {
            const ssize_t n = ::send(fd, data, left, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return;
            data += n;
            left -= static_cast<std::size_t>(n);
        }
    }

    Answer handle(const std::vector<std::string>& fields) {
        if (fields.size() != 4 || fields[0] != wire::k_version || fields[1] != "pre-commit")
            return fallback();
        std::error_code ec;
        const fs::path cwd(fields[2]);
        if (!cwd.is_absolute() || fs::weakly_canonical(cwd, ec) != m_workdir || ec)
            return fallback();
        if (!still_wanted()) {
            m_stop = true;
            return fallback();
        }
        try {
            std::optional<Answer> settled = refresh_session();
            if (settled)
                return *settled;
            if (std::chrono::steady_clock::now() < m_slow_until)
                return fallback();
            const fs::path index = fields[3].empty() ? m_git_dir / "index" : cwd / fields[3];
            // Only a regular file: opening a FIFO or a device would block the agent.
            struct stat index_stat {};
            if (::stat(index.c_str(), &index_stat) != 0 || !S_ISREG(index_stat.st_mode))
                return fallback();
            const auto staged = m_staged.paths(index);
            if (!staged)
                return fallback();
            const auto started = std::chrono::steady_clock::now();
            std::ostringstream words;
            int status = 0;
            try {
                HookContext ctx(*m_session, "pre-commit", words);
                status = pre_commit_paths(ctx, *staged);
            } catch (const std::exception& e) {
                // As run_hook does: git goes on whatever happens to knot.
                words << "knot: warning: the pre-commit hook skipped its knot part: " << e.what()
                      << '\n';
                status = 0;
            }
            if (std::chrono::steady_clock::now() - started > k_slow_claim)
                m_slow_until = std::chrono::steady_clock::now() + k_slow_server_pause;
            return {status == 1 ? "1" : "0", words.str()};
        } catch (const std::exception&) {
            return fallback(); // git-knot will say what is wrong, as it always has
        }
    }

    // Keeps the room's session while the clone's config, key and token files are unchanged (a
    // stat of each); after any change, reads them again: knot.hookAgent turned off or the room
    // left end the agent, with the answer to give; otherwise a new session. Nothing when the
    // session is ready.
    std::optional<Answer> refresh_session() {
        const std::vector<Stamp> stamps = {stamp_of(m_clone.repo().common_dir() / "config"),
                                           stamp_of(m_clone.key_path()),
                                           stamp_of(m_clone.token_path())};
        if (m_session && stamps == m_stamps)
            return std::nullopt;
        m_session.reset();
        Clone fresh(GitRepo::discover(m_workdir));
        if (agent_disabled(fresh)) {
            m_stop = true;
            return fallback();
        }
        const std::optional<RoomConfig> room = fresh.room();
        if (!room) {
            m_stop = true; // left the room: no hook needs an agent here
            return Answer{"0", {}};
        }
        m_session = std::make_unique<Session>(std::move(fresh), *room, hook_session_options());
        m_stamps = stamps;
        return std::nullopt;
    }

    Clone m_clone;
    fs::path m_workdir;
    fs::path m_git_dir;
    fs::path m_knot_dir;
    StagedIndex m_staged;
    fs::path m_program;
    OwnedFd m_lock;
    OwnedFd m_socket;
    Stamp m_socket_stamp;
    std::unique_ptr<Session> m_session;
    std::vector<Stamp> m_stamps;
    std::chrono::steady_clock::time_point m_slow_until{};
    Stamp m_config_stamp;
    bool m_stop = false;
};

} // namespace

int run_agent(const fs::path& workdir) {
    std::signal(SIGPIPE, SIG_IGN);
    Agent agent(workdir);
    if (!agent.lock())
        return 0; // another agent serves this clone
    agent.listen();
    return agent.serve();
}

} // namespace knot
