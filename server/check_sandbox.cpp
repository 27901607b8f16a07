// The check sandbox: bwrap's arguments, the user, the limits and the probe (see check_sandbox.hpp).
#include "check_sandbox.hpp"

#include "libknot/base/process.hpp"
#include "libknot/checks/check_plan.hpp"

#include <fstream>
#include <pwd.h>
#include <sstream>
#include <system_error>
#include <unistd.h>

namespace knot::server {
namespace {

namespace fs = std::filesystem;

// Per process, as address space: a C++ compiler or linker fits; a runaway allocation does not.
constexpr std::uint64_t k_max_memory_bytes = 4ull << 30;
// Every process of the sandbox's user (nobody), all running checks together.
constexpr std::uint64_t k_max_processes = 512;
constexpr std::uint64_t k_max_file_bytes = 4ull << 30;
// Per process; the run's own time limit (a room setting) ends the run as a whole.
constexpr std::uint64_t k_max_cpu_seconds = 1800;
// /dev/shm (POSIX shared memory, semaphores) is memory: bounded.
constexpr std::string_view k_shm_bytes = "67108864";
// The uid and gid of nobody and nogroup when the system has no such names.
constexpr uid_t k_nobody = 65534;

const char* const k_fix =
    "the host can install bubblewrap (Debian: apt-get install bubblewrap) and allow "
    "unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and "
    "user.max_user_namespaces > 0), or, for a trusted single-room server only, restart "
    "knot-server with --unsandboxed-checks";

// Top-level entries of / the sandbox does not take from the host: it mounts its own /proc,
// /dev, /tmp and /run, and /knot is the run's.
bool replaced_at_top(const std::string& name) {
    return name == "proc" || name == "dev" || name == "tmp" || name == "run" || name == "knot" ||
           name == "lost+found";
}

// Whether `path` is `outer` or below it (both absolute and normal).
bool is_inside(const fs::path& path, const fs::path& outer) {
    auto at = path.begin();
    for (const auto& part : outer) {
        if (at == path.end() || *at != part)
            return false;
        ++at;
    }
    return true;
}

// bwrap's arguments for the host's files: every top-level entry read-only (symlinks such as
// /bin -> usr/bin made again), new /proc and /dev, small empty /run and /dev/shm, and
// `hidden` (the data directory; the server's home when it is not root) covered by empty
// read-only tmpfs. The root itself and /dev are made read-only at the end (confinement()): the
// only memory a check can fill is /dev/shm's 64 MiB.
std::vector<std::string> host_mounts(const std::vector<fs::path>& hidden) {
    std::vector<std::string> args;
    std::vector<std::string> bound;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/", error)) {
        const std::string name = entry.path().filename().string();
        if (replaced_at_top(name))
            continue;
        const std::string path = "/" + name;
        if (entry.is_symlink(error)) {
            args.insert(args.end(),
                        {"--symlink", fs::read_symlink(entry.path(), error).string(), path});
        } else {
            args.insert(args.end(), {"--ro-bind", path, path});
            bound.push_back(name);
        }
    }
    args.insert(args.end(), {"--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size",
                             std::string(k_shm_bytes), "--tmpfs", "/dev/shm", "--perms", "0755",
                             "--size", "65536", "--tmpfs", "/run"});
    std::vector<fs::path> covered;
    for (const fs::path& path : hidden) {
        // Only what the bound entries show needs covering (a data directory under /tmp is not
        // visible at all); a path inside one already hidden is covered with it.
        const auto first = path.begin() == path.end() ? fs::path() : *std::next(path.begin());
        bool shown = false;
        for (const std::string& name : bound)
            shown = shown || first == name;
        for (const fs::path& outer : covered)
            shown = shown && !is_inside(path, outer);
        if (!shown ||
            !fs::exists(path, error)) // bwrap cannot make a mount point in a read-only bind
            continue;
        covered.push_back(path);
        args.insert(args.end(), {"--perms", "0000", "--size", "4096", "--tmpfs", path.string()});
        args.insert(args.end(), {"--remount-ro", path.string()});
    }
    return args;
}

// The data directory as the kernel resolves it, so a symlink on the way does not let it show
// under its other name.
fs::path resolved(const fs::path& path) {
    std::error_code error;
    const fs::path real = fs::weakly_canonical(fs::absolute(path), error);
    return error ? fs::absolute(path) : real;
}

// The last non-empty line of `text`, with `data_dir` replaced (bwrap's errors name paths).
std::string last_line(std::string text, const std::string& data_dir) {
    for (std::size_t at; !data_dir.empty() && (at = text.find(data_dir)) != std::string::npos;)
        text.replace(at, data_dir.size(), "<data>");
    std::istringstream lines(text);
    std::string line, last;
    while (std::getline(lines, line))
        if (!line.empty() && line.rfind("knot: ", 0) != 0 && line.rfind("$ ", 0) != 0)
            last = line;
    return last;
}

} // namespace

CheckSandbox::CheckSandbox(const fs::path& data_dir, SandboxPolicy policy,
                           const std::string& program)
    : m_policy(policy) {
    m_owner = {::getuid(), ::getgid()};
    if (m_policy == SandboxPolicy::unsandboxed)
        return;
    if (::geteuid() == 0) {
        // Root's files (0600 keys, /etc/shadow) must stay out of a check's reach, so it runs as
        // nobody. bwrap itself runs as root without a user namespace (one made by root would
        // map the check back to root), so that it can bind directories only root may reach
        // (the data directory is 0700); setpriv then drops to nobody inside, for good.
        const passwd* nobody = ::getpwnam("nobody");
        m_owner = {nobody ? nobody->pw_uid : k_nobody, nobody ? nobody->pw_gid : k_nobody};
        m_switch_user = true;
    }
    std::vector<fs::path> hidden;
    if (!m_switch_user) {
        // A server running as a person's user: their files (keys, tokens, other clones) are
        // readable by that user, so the home directory goes too.
        if (const passwd* self = ::getpwuid(::getuid());
            self && self->pw_dir && *self->pw_dir && std::string(self->pw_dir) != "/")
            hidden.push_back(resolved(self->pw_dir));
    }
    hidden.push_back(resolved(data_dir));
    m_mounts = host_mounts(hidden);
    if (program.find('/') != std::string::npos) {
        if (::access(program.c_str(), X_OK) == 0)
            m_program = program;
    } else if (const auto found = find_on_path(program)) {
        m_program = found->string();
    }
    if (m_program.empty()) {
        m_problem = "bubblewrap (bwrap) is not installed on the server; " + std::string(k_fix);
        return;
    }
    if (m_switch_user) {
        const auto setpriv = find_on_path("setpriv");
        if (!setpriv) {
            m_problem = "setpriv (util-linux), which drops a check's root, is not installed on "
                        "the server; " +
                        std::string(k_fix);
            return;
        }
        m_setpriv = setpriv->string();
    }
    probe(data_dir);
}

// The probe runs the real thing: the same arguments, user and limits as a run, in a scratch
// directory of its own.
void CheckSandbox::probe(const fs::path& data_dir) {
    const fs::path root = data_dir / "sandbox-probe";
    const fs::path work = root / "work";
    std::error_code error;
    fs::remove_all(root, error);
    for (const char* dir : {"tree", "build", "home", "tmp"})
        fs::create_directories(work / dir, error);
    if (error) {
        m_problem = "the sandbox's probe could not prepare its directory (" + error.message() +
                    "); " + k_fix;
        return;
    }
    for (const fs::path& dir : {work, work / "tree", work / "build", work / "home", work / "tmp"})
        if (::lchown(dir.c_str(), m_owner.uid, m_owner.gid) != 0) {
            m_problem = "the sandbox's probe could not give its directory to the sandbox's user";
            return;
        }
    CheckLimits limits;
    limits.time_limit = std::chrono::seconds(30);
    limits.confinement = confinement(work, {{"PATH", "/usr/bin:/bin"}});
    // Fails when the sandbox would let a check run as root.
    const CheckPlan plan{"probe", {{"probe", "test \"$(id -u)\" != 0"}}};
    try {
        const CheckOutcome outcome =
            run_checks(plan, work / "tree", {}, limits, root / "probe.log");
        if (outcome.verdict != CheckVerdict::pass) {
            std::ifstream in(root / "probe.log");
            std::stringstream log;
            log << in.rdbuf();
            std::string why = last_line(log.str(), resolved(data_dir).string());
            if (why.empty())
                why = outcome.summary;
            m_problem = "bubblewrap cannot make the sandbox on this server (" + why + "); " + k_fix;
        }
    } catch (const std::exception& failure) {
        m_problem = std::string("the sandbox's probe failed (") + failure.what() + "); " + k_fix;
    }
    fs::remove_all(root, error);
}

std::string CheckSandbox::status_line() const {
    if (m_policy == SandboxPolicy::unsandboxed)
        return "check sandbox: OFF (--unsandboxed-checks): pushed checks run with this server's "
               "rights; only for a trusted single-room server";
    if (!m_problem.empty())
        return "check sandbox: unavailable, checks will be refused: " + m_problem;
    return "check sandbox: on (bubblewrap " + m_program + (m_switch_user ? ", as nobody" : "") +
           "; no network, only the run's scratch directory writable)";
}

CheckConfinement CheckSandbox::confinement(const fs::path& work,
                                           const std::map<std::string, std::string>& inside) const {
    const std::string root(k_sandbox_root);
    CheckConfinement confinement;
    auto& args = confinement.wrapper;
    // No network but its own loopback, its own PIDs (so nothing outlives it: killing it ends
    // them all), IPC and hostname.
    args = {m_program,       "--unshare-net", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--hostname",    "knot-check",    "--unshare-cgroup-try"};
    if (m_switch_user)
        args.insert(args.end(), {"--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"});
    else // no user namespace may be made inside: the kernel's surface for a local exploit
        args.insert(args.end(), {"--unshare-user", "--disable-userns"});
    // When the server dies (kill -9 included) everything in the sandbox dies with it. Its own
    // session: no terminal of the server's to push keystrokes into (TIOCSTI).
    args.insert(args.end(), {"--die-with-parent", "--new-session"});
    args.insert(args.end(), m_mounts.begin(), m_mounts.end());
    args.insert(args.end(), {"--bind", work.string(), root, "--bind", (work / "tmp").string(),
                             "/tmp", "--remount-ro", "/dev", "--remount-ro", "/", "--chdir",
                             root + "/tree", "--clearenv"});
    for (const auto& [name, value] : inside)
        args.insert(args.end(), {"--setenv", name, value});
    args.push_back("--");
    if (m_switch_user) {
        // Dropping root clears every capability; with no_new_privs no setuid program (su,
        // mount) gives any back.
        args.insert(args.end(), {m_setpriv, "--reuid=" + std::to_string(m_owner.uid),
                                 "--regid=" + std::to_string(m_owner.gid), "--clear-groups",
                                 "--no-new-privs", "--inh-caps=-all", "--"});
        // Counted per user, so it only bites once the check is nobody (root is exempt).
        confinement.max_processes = k_max_processes;
    }
    confinement.max_memory_bytes = k_max_memory_bytes;
    confinement.max_file_bytes = k_max_file_bytes;
    confinement.max_cpu_seconds = k_max_cpu_seconds;
    confinement.shown_dir = root + "/tree";
    confinement.description =
        "sandboxed: no network; writable only " + root + " and /tmp; per process at most " +
        std::to_string(k_max_memory_bytes >> 30) + " GiB of memory, " +
        std::to_string(k_max_file_bytes >> 30) + " GiB per file, " +
        std::to_string(k_max_cpu_seconds) + " s of CPU" +
        (m_switch_user ? "; " + std::to_string(k_max_processes) + " processes" : "");
    return confinement;
}

} // namespace knot::server
