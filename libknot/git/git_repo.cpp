// One clone as the porcelain sees it (see git_repo.hpp).
#include "libknot/git/git_repo.hpp"

#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_config_file.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace knot {
namespace {

namespace fs = std::filesystem;

std::string first_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.pop_back();
    return line;
}

fs::path resolve(const fs::path& base, const std::string& relative) {
    const fs::path p(relative);
    return (p.is_absolute() ? p : base / p).lexically_normal();
}

// Finds the work tree and git dir the way git does for the common layouts: a .git directory,
// or a .git file pointing elsewhere (worktrees, submodules). Anything else is left to git.
bool discover_natively(fs::path dir, fs::path& workdir, fs::path& git_dir) {
    if (std::getenv("GIT_WORK_TREE") || std::getenv("GIT_COMMON_DIR"))
        return false;
    if (const char* given = std::getenv("GIT_DIR")) {
        // git sets GIT_DIR for the hooks and remote helpers it runs. The common case, a clone's
        // own <top>/.git, is read here; anything else is left to git.
        fs::path path = resolve(dir, given);
        if (path.filename().empty())
            path = path.parent_path();
        std::error_code ec;
        if (path.filename() != ".git" || !fs::exists(path / "HEAD", ec))
            return false;
        workdir = path.parent_path();
        git_dir = path;
        return true;
    }
    for (;; dir = dir.parent_path()) {
        std::error_code ec;
        const fs::path dot_git = dir / ".git";
        const auto status = fs::status(dot_git, ec);
        if (fs::is_directory(status)) {
            if (!fs::exists(dot_git / "HEAD", ec))
                return false;
            workdir = dir;
            git_dir = dot_git;
            return true;
        }
        if (fs::is_regular_file(status)) {
            const std::string line = first_line(dot_git);
            if (line.rfind("gitdir: ", 0) != 0)
                return false;
            workdir = dir;
            git_dir = resolve(dir, line.substr(8));
            return true;
        }
        if (fs::exists(dir / "HEAD", ec) && fs::exists(dir / "objects", ec))
            return false; // inside a git dir or a bare repository
        if (dir == dir.root_path() || dir.empty())
            return false;
    }
}

} // namespace

GitRepo GitRepo::discover(const std::filesystem::path& start) {
    if (auto repo = discover_if_any(start))
        return std::move(*repo);
    throw Error("not a git repository (or any parent up to /): run this inside a clone");
}

std::optional<GitRepo> GitRepo::discover_if_any(const std::filesystem::path& start) {
    GitRepo repo;
    fs::path workdir, git_dir;
    if (discover_natively(start, workdir, git_dir)) {
        repo.m_workdir = workdir.lexically_normal();
        repo.m_git_dir = git_dir.lexically_normal();
        const fs::path commondir_file = git_dir / "commondir";
        std::error_code ec;
        repo.m_common_dir = fs::exists(commondir_file, ec)
                                ? resolve(git_dir, first_line(commondir_file))
                                : repo.m_git_dir;
    } else {
        const GitResult found = run_git({"rev-parse", "--is-bare-repository", "--show-toplevel",
                                         "--absolute-git-dir", "--git-common-dir"},
                                        start);
        std::istringstream lines(found.out);
        std::string bare, top, dir, common;
        std::getline(lines, bare);
        // git answers --is-bare-repository before it fails for want of a work tree.
        if (bare == "true")
            throw Error("this is a bare repository: run git knot inside a clone with a work tree");
        if (bare == "false" && found.status != 0)
            throw Error("this is inside a git directory: run git knot in the clone's work tree");
        if (found.status != 0)
            return std::nullopt;
        std::getline(lines, top);
        std::getline(lines, dir);
        std::getline(lines, common);
        repo.m_workdir = fs::path(top).lexically_normal();
        repo.m_git_dir = fs::path(dir).lexically_normal();
        repo.m_common_dir = resolve(start, common);
    }
    if (repo.config_get("core.bare").value_or("false") == "true")
        throw Error("this is a bare repository: run git knot inside a clone with a work tree");
    return repo;
}

std::string GitRepo::git(const std::vector<std::string>& args) const {
    return run_git_checked(args, m_workdir);
}

std::filesystem::path GitRepo::workdir() const {
    return m_workdir;
}
std::filesystem::path GitRepo::git_dir() const {
    return m_git_dir;
}
std::filesystem::path GitRepo::common_dir() const {
    return m_common_dir;
}

bool GitRepo::has_commits() const {
    return run_git({"rev-parse", "-q", "--verify", "HEAD^{commit}"}, m_workdir).status == 0;
}

std::optional<std::filesystem::path> GitRepo::worktree_of(std::string_view branch) const {
    // Porcelain records are "worktree <path>" followed by "branch <ref>" (or "detached").
    std::istringstream lines(git({"worktree", "list", "--porcelain"}));
    std::string path;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("worktree ", 0) == 0)
            path = line.substr(9);
        else if (line.rfind("branch ", 0) == 0 && line.substr(7) == branch && !path.empty())
            return fs::path(path);
    }
    return std::nullopt;
}

std::optional<std::string> GitRepo::config_get(std::string_view key) const {
    if (!m_local_config)
        m_local_config =
            std::make_shared<GitConfigFile>(GitConfigFile::read(m_common_dir / "config"));
    if (!m_local_config->has_includes())
        return m_local_config->get(key);
    const GitResult result = run_git({"config", "--local", "--get", std::string(key)}, m_workdir);
    if (result.status != 0)
        return std::nullopt;
    return chomp(result.out);
}

std::optional<std::string> GitRepo::config_get_any(std::string_view key) const {
    const GitResult result = run_git({"config", "--get", std::string(key)}, m_workdir);
    if (result.status != 0)
        return std::nullopt;
    return chomp(result.out);
}

void GitRepo::config_set(std::string_view key, std::string_view value) {
    forget_config();
    git({"config", "--local", std::string(key), std::string(value)});
}

void GitRepo::config_unset(std::string_view key) {
    forget_config();
    const GitResult result =
        run_git({"config", "--local", "--unset-all", std::string(key)}, m_workdir);
    if (result.status != 0 && result.status != 5) // 5: the key was not set
        throw Error("cannot unset git config " + std::string(key) + ": " + chomp(result.err));
}

std::optional<std::string> GitRepo::remote_url(std::string_view name) const {
    return config_get("remote." + std::string(name) + ".url");
}

std::vector<std::string> GitRepo::remote_names() const {
    std::istringstream lines(git({"remote"}));
    std::vector<std::string> names;
    for (std::string line; std::getline(lines, line);)
        if (!line.empty())
            names.push_back(line);
    return names;
}

void GitRepo::set_remote(std::string_view name, std::string_view url,
                         std::string_view fetch_refspec, std::string_view push_refspec) {
    forget_config();
    const std::string n(name);
    if (remote_url(name))
        git({"remote", "remove", n});
    forget_config();
    git({"remote", "add", n, std::string(url)});
    git({"config", "--local", "--replace-all", "remote." + n + ".fetch",
         std::string(fetch_refspec)});
    if (!push_refspec.empty())
        git({"config", "--local", "--replace-all", "remote." + n + ".push",
             std::string(push_refspec)});
}

void GitRepo::add_exclude(std::string_view pattern) {
    const auto path = common_dir() / "info" / "exclude";
    std::filesystem::create_directories(path.parent_path());
    std::string text;
    {
        std::ifstream in(path);
        std::stringstream buf;
        buf << in.rdbuf();
        text = buf.str();
    }
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line == pattern)
            return;
    std::ofstream out(path, std::ios::app);
    if (!text.empty() && text.back() != '\n')
        out << '\n';
    out << pattern << '\n';
    if (!out)
        throw Error("cannot write " + path.string());
}

} // namespace knot
