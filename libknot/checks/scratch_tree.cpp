// Checking a candidate out for its checks with the real git (see scratch_tree.hpp).
#include "libknot/checks/scratch_tree.hpp"

#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace knot {
namespace {

namespace fs = std::filesystem;

// Directories kept open while ownership is handed over (index order shares prefixes); a path
// deeper than this opens the rest one directory at a time.
constexpr std::size_t k_max_open_dirs = 64;

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush())
        throw Error("cannot write " + path.string());
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// Makes `dir` a plain directory owned by `owner`: whatever else is there (a symlink, a file, a
// FIFO) is removed first, without following it.
void plain_directory(const fs::path& dir, ScratchOwner owner) {
    struct stat info {};
    if (::lstat(dir.c_str(), &info) == 0 && !S_ISDIR(info.st_mode)) {
        std::error_code error;
        fs::remove(dir, error);
        if (error)
            throw Error("cannot remove what a check left at " + dir.filename().string() + ": " +
                        error.message());
    }
    std::error_code error;
    fs::create_directory(dir, error);
    if (error)
        throw Error("cannot create the scratch directory " + dir.filename().string() + ": " +
                    error.message());
    if (::lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
        throw Error("the scratch directory " + dir.filename().string() + " is not a directory");
    if ((info.st_uid != owner.uid || info.st_gid != owner.gid) &&
        ::lchown(dir.c_str(), owner.uid, owner.gid) != 0)
        throw Error("cannot give the scratch directory " + dir.filename().string() +
                    " to the check's user: " + std::strerror(errno));
}

class Fd {
public:
    explicit Fd(int fd)
        : m_fd(fd) {}
    Fd(Fd&& other) noexcept
        : m_fd(other.m_fd) {
        other.m_fd = -1;
    }
    Fd& operator=(Fd&&) = delete;
    ~Fd() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

// Gives `name` in `dir` to `owner` unless it is theirs already; a symlink itself, never what
// it points at. True when it changed hands.
bool give(int dir, const std::string& name, ScratchOwner owner) {
    struct stat info {};
    if (::fstatat(dir, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
    if (info.st_uid == owner.uid && info.st_gid == owner.gid)
        return false;
    return ::fchownat(dir, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) == 0;
}

// Opens `name` in `dir` as a directory to work relative to, or -1 when it is anything else.
int open_directory(int dir, const std::string& name) {
    return ::openat(dir, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

std::vector<std::string> components(std::string_view path) {
    std::vector<std::string> parts;
    for (std::size_t start = 0; start <= path.size();) {
        const auto slash = std::min(path.find('/', start), path.size());
        if (slash > start)
            parts.emplace_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

} // namespace

ScratchTree::ScratchTree(fs::path root, fs::path repo, ScratchOwner owner, SandboxPolicy policy)
    : m_root(std::move(root))
    , m_repo(std::move(repo))
    , m_owner(owner)
    , m_policy(policy) {}

// The git directory is made again whenever it is incomplete. A sandboxed check cannot reach it;
// an unsandboxed one may delete anything it can.
void ScratchTree::prepare() const {
    const fs::path git_dir = m_root / "git";
    if (!fs::exists(git_dir / "HEAD") || !fs::exists(git_dir / "objects" / "info")) {
        fs::remove_all(git_dir);
        fs::create_directories(m_root);
        run_git_checked({"init", "--quiet", "--bare", git_dir.string()}, m_root);
        fs::create_directories(git_dir / "objects" / "info");
    }
    write_text(git_dir / "objects" / "info" / "alternates",
               fs::absolute(m_repo / "objects").string() + "\n");
    start_afresh_for_another_owner();
    for (const fs::path& dir : {work(), tree(), build(), home(), tmp()})
        plain_directory(dir, m_owner);
    const fs::path link = tree() / ".git";
    std::error_code ignored;
    fs::remove(link, ignored); // whatever a check put there, never written through
    if (m_policy == SandboxPolicy::unsandboxed)
        write_text(link, "gitdir: " + fs::absolute(git_dir).string() + "\n");
    run_git_checked({"--git-dir=" + git_dir.string(), "config", "core.bare", "false"}, m_root);
    run_git_checked(
        {"--git-dir=" + git_dir.string(), "config", "core.worktree", fs::absolute(tree()).string()},
        m_root);
}

// What work/ holds belongs to one user. When that changes (the host turned the sandbox on or
// off, or the server now runs as another user) the build output the old one left is not the
// new one's to change, so work/ starts afresh. So do the directories of the layout before
// work/ existed.
void ScratchTree::start_afresh_for_another_owner() const {
    const fs::path marker = m_root / "work.owner";
    const std::string owner = std::to_string(m_owner.uid) + ":" + std::to_string(m_owner.gid);
    std::ifstream in(marker);
    std::string recorded;
    std::getline(in, recorded);
    if (recorded == owner)
        return;
    for (const fs::path& stale :
         {work(), m_root / "tree", m_root / "build", m_root / "home", m_root / "tmp"})
        fs::remove_all(stale); // never follows a symlink
    write_text(marker, owner + "\n");
}

void ScratchTree::check_out(const std::string& commit) const {
    prepare();
    const std::string git_dir = "--git-dir=" + (m_root / "git").string();
    const std::string work_tree = "--work-tree=" + tree().string();
    // read-tree --reset -u is what reset --hard does: it compares each tracked file with the
    // index and rewrites only those that differ or are missing. Where a check put a symlink in
    // place of a tracked directory, git removes the link and makes the directory.
    GitResult result = run_git({git_dir, work_tree, "read-tree", "--reset", "-u", commit}, m_root);
    if (result.status != 0) { // a damaged index: start it afresh once
        std::error_code ignored;
        fs::remove(m_root / "git" / "index", ignored);
        result = run_git({git_dir, work_tree, "read-tree", "--reset", "-u", commit}, m_root);
    }
    if (result.status != 0)
        throw Error("cannot check out " + commit + " for its checks: " + first_line(result.err));
    run_git_checked({git_dir, "update-ref", "--no-deref", "HEAD", commit}, m_root);
    if (give_tracked_files()) {
        // A new owner is a new ctime and uid, which the index records: without a refresh the
        // next checkout would take every file given away for changed and write it again, and
        // the build would start over. Only the files given away are read again.
        run_git({git_dir, work_tree, "update-index", "-q", "--refresh"}, m_root);
    }
}

// git wrote the files it changed as this server's user, readable by it alone: they become the
// check's. Paths come from the index in its order, so consecutive ones share the directories
// kept open; files git did not touch are the owner's already and cost one fstatat. True when
// a file changed hands.
bool ScratchTree::give_tracked_files() const {
    if (m_owner.uid == ::geteuid() && m_owner.gid == ::getegid())
        return false;
    const std::string listing =
        run_git_checked({"--git-dir=" + (m_root / "git").string(), "ls-files", "-z"}, m_root);
    std::vector<std::pair<std::string, Fd>> open; // the directories of the last path
    open.emplace_back("",
                      Fd(::open(tree().c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)));
    if (open.front().second.get() < 0)
        throw Error(std::string("cannot open the scratch tree: ") + std::strerror(errno));
    bool given = false;
    for (std::size_t start = 0; start < listing.size();) {
        const auto end = std::min(listing.find('\0', start), listing.size());
        const auto parts = components(std::string_view(listing).substr(start, end - start));
        start = end + 1;
        if (parts.empty())
            continue;
        const std::size_t dirs = parts.size() - 1;
        std::size_t same = 0; // leading directories shared with the last path
        while (same + 1 < open.size() && same < dirs && open[same + 1].first == parts[same])
            ++same;
        while (open.size() > same + 1)
            open.pop_back();
        std::vector<Fd> deep; // past k_max_open_dirs: held for this path only
        int at = open.back().second.get();
        bool reachable = true;
        for (std::size_t i = same; i < dirs; ++i) {
            give(at, parts[i], m_owner);
            Fd next(open_directory(at, parts[i]));
            reachable = next.get() >= 0; // not a directory (any more): nothing below to give
            at = next.get();
            if (!reachable)
                break;
            if (open.size() < k_max_open_dirs && deep.empty())
                open.emplace_back(parts[i], std::move(next));
            else
                deep.push_back(std::move(next));
        }
        if (reachable)
            given = give(at, parts.back(), m_owner) || given;
    }
    return given;
}

} // namespace knot
