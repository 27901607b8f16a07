// The libgit2 calls knot needs (see git_repo.hpp).
#include "git_repo.hpp"

#include "error.hpp"

#include <fstream>
#include <git2.h>
#include <mutex>
#include <sstream>
#include <utility>

namespace knot {
namespace {

void git_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { git_libgit2_init(); });
}

std::string last_git_error() {
    const git_error* e = git_error_last();
    return e && e->message ? e->message : "unknown libgit2 error";
}

void check(int rc, std::string_view what) {
    if (rc < 0)
        throw Error(std::string(what) + ": " + last_git_error());
}

struct ConfigHandle {
    git_config* config = nullptr;
    ~ConfigHandle() { git_config_free(config); }
};

std::optional<std::string> get_string(git_config* config, std::string_view key) {
    git_buf buf = GIT_BUF_INIT;
    const int rc = git_config_get_string_buf(&buf, config, std::string(key).c_str());
    if (rc == GIT_ENOTFOUND)
        return std::nullopt;
    check(rc, "cannot read git config " + std::string(key));
    std::string value(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    return value;
}

} // namespace

GitRepo::GitRepo(git_repository* repo) : m_repo(repo) {}
GitRepo::~GitRepo() { git_repository_free(m_repo); }
GitRepo::GitRepo(GitRepo&& other) noexcept : m_repo(std::exchange(other.m_repo, nullptr)) {}
GitRepo& GitRepo::operator=(GitRepo&& other) noexcept {
    std::swap(m_repo, other.m_repo);
    return *this;
}

GitRepo GitRepo::discover(const std::filesystem::path& start) {
    git_init_once();
    git_repository* repo = nullptr;
    if (git_repository_open_ext(&repo, start.c_str(), 0, nullptr) < 0)
        throw Error("not a git repository (or any parent up to /): run this inside a clone");
    if (git_repository_is_bare(repo)) {
        git_repository_free(repo);
        throw Error("this is a bare repository: run git knot inside a clone with a work tree");
    }
    return GitRepo(repo);
}

std::filesystem::path GitRepo::workdir() const {
    return std::filesystem::path(git_repository_workdir(m_repo)).lexically_normal();
}

std::filesystem::path GitRepo::git_dir() const {
    return std::filesystem::path(git_repository_path(m_repo)).lexically_normal();
}

std::filesystem::path GitRepo::common_dir() const {
    return std::filesystem::path(git_repository_commondir(m_repo)).lexically_normal();
}

bool GitRepo::has_commits() const {
    const int rc = git_repository_head_unborn(m_repo);
    check(rc, "cannot read HEAD");
    return rc == 0;
}

std::string GitRepo::head_branch() const {
    git_reference* head = nullptr;
    if (git_reference_lookup(&head, m_repo, "HEAD") < 0)
        return "";
    std::string name;
    if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
        name = git_reference_symbolic_target(head);
    git_reference_free(head);
    return name;
}

std::optional<std::string> GitRepo::config_get(std::string_view key) const {
    ConfigHandle all;
    check(git_repository_config_snapshot(&all.config, m_repo), "cannot read git config");
    ConfigHandle local;
    if (git_config_open_level(&local.config, all.config, GIT_CONFIG_LEVEL_LOCAL) < 0)
        return std::nullopt;
    return get_string(local.config, key);
}

std::optional<std::string> GitRepo::config_get_any(std::string_view key) const {
    ConfigHandle all;
    check(git_repository_config_snapshot(&all.config, m_repo), "cannot read git config");
    return get_string(all.config, key);
}

void GitRepo::config_set(std::string_view key, std::string_view value) {
    ConfigHandle all;
    check(git_repository_config(&all.config, m_repo), "cannot open git config");
    ConfigHandle local;
    check(git_config_open_level(&local.config, all.config, GIT_CONFIG_LEVEL_LOCAL),
          "cannot open the repository's git config");
    check(git_config_set_string(local.config, std::string(key).c_str(),
                                std::string(value).c_str()),
          "cannot set git config " + std::string(key));
}

void GitRepo::config_unset(std::string_view key) {
    ConfigHandle all;
    check(git_repository_config(&all.config, m_repo), "cannot open git config");
    ConfigHandle local;
    check(git_config_open_level(&local.config, all.config, GIT_CONFIG_LEVEL_LOCAL),
          "cannot open the repository's git config");
    const int rc = git_config_delete_entry(local.config, std::string(key).c_str());
    if (rc != GIT_ENOTFOUND)
        check(rc, "cannot unset git config " + std::string(key));
}

std::optional<std::string> GitRepo::remote_url(std::string_view name) const {
    git_remote* remote = nullptr;
    if (git_remote_lookup(&remote, m_repo, std::string(name).c_str()) < 0)
        return std::nullopt;
    const char* url = git_remote_url(remote);
    std::optional<std::string> result = url ? std::optional<std::string>(url) : std::nullopt;
    git_remote_free(remote);
    return result;
}

std::vector<std::string> GitRepo::remote_names() const {
    git_strarray names{};
    check(git_remote_list(&names, m_repo), "cannot list remotes");
    std::vector<std::string> out(names.strings, names.strings + names.count);
    git_strarray_dispose(&names);
    return out;
}

void GitRepo::set_remote(std::string_view name, std::string_view url,
                         std::string_view fetch_refspec, std::string_view push_refspec) {
    const std::string n(name);
    if (remote_url(name))
        check(git_remote_delete(m_repo, n.c_str()), "cannot replace remote " + n);
    git_remote* remote = nullptr;
    check(git_remote_create_with_fetchspec(&remote, m_repo, n.c_str(), std::string(url).c_str(),
                                           std::string(fetch_refspec).c_str()),
          "cannot add remote " + n);
    git_remote_free(remote);
    if (!push_refspec.empty())
        check(git_remote_add_push(m_repo, n.c_str(), std::string(push_refspec).c_str()),
              "cannot set the push refspec of remote " + n);
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
