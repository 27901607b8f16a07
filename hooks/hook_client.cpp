// knot-hook: the program `git knot init` installs as each git hook. A commit runs pre-commit, so
// this program is on the path of every commit: it needs only libc and starts in a fraction of a
// millisecond. For pre-commit it asks the clone's knot-agent (knot-agent/, over a 0600 Unix
// socket) to claim the staged paths' locks, and prints what the agent says; when no agent
// answers, and for every other hook, it runs the shim (hooks/shim.sh, embedded), which runs the
// hook that was there before and then `git-knot hook <name>`. Without git-knot on PATH the shim
// steps aside, so an uninstalled knot never blocks git.
#include "hooks/agent_wire.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace knot {
extern const std::string_view k_hook_shim;
} // namespace knot

namespace {

namespace wire = knot::agent_wire;

// The agent's answers wait for the room's server, which a hook waits for a few seconds at most
// per request; past this the agent is taken for stuck and the hook runs without it.
constexpr int k_answer_seconds = 30;

const char* base_name(const char* path) {
    const char* slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

bool is_directory(const char* path) {
    struct stat st {};
    return ::stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

// True when the hook that was there before knot (<hook>.knot-orig) is to run: the shim runs it.
bool has_chained_hook(const char* hook_path) {
    char path[PATH_MAX];
    const std::size_t length = std::strlen(hook_path);
    constexpr std::string_view suffix = ".knot-orig";
    if (length + suffix.size() + 1 > sizeof path)
        return true; // cannot tell: the shim can
    std::memcpy(path, hook_path, length);
    std::memcpy(path + length, suffix.data(), suffix.size());
    path[length + suffix.size()] = '\0';
    return ::access(path, X_OK) == 0;
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Appends `text` and its terminating NUL to `buffer` (capacity wire::k_max_request).
bool add_field(char* buffer, std::size_t& used, const char* text) {
    const std::size_t length = std::strlen(text) + 1;
    if (used + length > wire::k_max_request)
        return false;
    std::memcpy(buffer + used, text, length);
    used += length;
    return true;
}

// Asks the agent of the clone in the current directory to run pre-commit. Returns the hook's
// exit code, having printed the agent's words, or -1 when the hook must run without the agent.
int ask_agent(const char* hook) {
    if (std::getenv("GIT_DIR") != nullptr || !is_directory(".git/knot"))
        return -1; // a linked worktree, or a git dir elsewhere: git-knot finds it
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr)
        return -1;
    static char request[wire::k_max_request];
    std::size_t used = 0;
    const char* index = std::getenv("GIT_INDEX_FILE");
    if (!add_field(request, used, wire::k_version) || !add_field(request, used, hook) ||
        !add_field(request, used, cwd) || !add_field(request, used, index ? index : ""))
        return -1;

    // Non-blocking while connecting: an agent whose queue is full refuses at once (EAGAIN)
    // instead of holding the commit; then blocking, with the answer's time bounded.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    constexpr std::string_view socket_path = ".git/knot/agent.sock";
    static_assert(socket_path.size() < sizeof address.sun_path);
    std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        ::close(fd);
        return -1;
    }
    timeval wait{k_answer_seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
    if (!write_all(fd, request, used) || ::shutdown(fd, SHUT_WR) != 0) {
        ::close(fd);
        return -1;
    }
    static char answer[wire::k_max_answer];
    std::size_t got = 0;
    for (;;) {
        const ssize_t n = ::read(fd, answer + got, sizeof answer - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // the end, or a timeout: a whole first line decides below
        got += static_cast<std::size_t>(n);
        if (got == sizeof answer)
            break;
    }
    ::close(fd);
    const char* newline = static_cast<const char*>(std::memchr(answer, '\n', got));
    if (newline == nullptr)
        return -1;
    const std::string_view status(answer, static_cast<std::size_t>(newline - answer));
    if (status != "0" && status != "1")
        return -1; // k_fallback, or words this version does not know
    const char* words = newline + 1;
    write_all(STDERR_FILENO, words, got - static_cast<std::size_t>(words - answer));
    return status == "1" ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 1)
        return 0;
    const char* hook = base_name(argv[0]);
    if (std::strcmp(hook, "pre-commit") == 0 && !has_chained_hook(argv[0])) {
        const int status = ask_agent(hook);
        if (status >= 0)
            return status;
    }
    // git-knot starts the clone's agent when it learns the hook came from here (see
    // hooks/agent_starter.hpp), so the next commit asks the agent.
    ::setenv("KNOT_HOOK_CLIENT", "1", 1);
    // sh -c <shim> <hook path> <git's arguments>: the shim reads its name from $0, as when it is
    // the hook file itself.
    static char* args[256];
    if (argc > 250)
        return 0; // no hook git runs passes more than three
    int n = 0;
    args[n++] = const_cast<char*>("sh");
    args[n++] = const_cast<char*>("-c");
    args[n++] = const_cast<char*>(knot::k_hook_shim.data());
    for (int i = 0; i < argc; ++i)
        args[n++] = argv[i];
    args[n] = nullptr;
    ::execv("/bin/sh", args);
    return 0; // no shell: knot steps aside rather than block git
}
