// Test support for the hooks' tests: temporary repositories made by the real git, a clone of a
// bare origin, and commits of given files.
#pragma once

#include "libknot/git/git_command.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace knot::hook_test {

namespace fs = std::filesystem;

// A temporary directory, removed at the end, for git commands that ignore the machine's system
// config and commit as a test identity.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "knot-runner-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
        ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        for (const char* var : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
            ::setenv(var, "Test", 1);
        for (const char* var : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
            ::setenv(var, "t@example.com", 1);
    }
    ~TempDir() { fs::remove_all(path); }
};

inline std::string git(const std::vector<std::string>& args, const fs::path& dir) {
    auto out = run_git_checked(args, dir);
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

inline void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// Writes `files` (path -> content), stages them and commits; returns the new commit.
inline std::string commit(const fs::path& repo, const std::map<std::string, std::string>& files) {
    for (const auto& [path, text] : files)
        write(repo / path, text);
    git({"add", "-A"}, repo);
    git({"commit", "-q", "--no-verify", "-m", "c"}, repo);
    return git({"rev-parse", "HEAD"}, repo);
}

// A clone `work` of a bare `origin` holding one commit (a.txt, b.txt).
struct ClonedRepo {
    TempDir dir;
    fs::path origin, work;
    ClonedRepo() {
        origin = dir.path / "origin.git";
        work = dir.path / "work";
        git({"init", "-q", "--bare", origin.string()}, dir.path);
        git({"clone", "-q", origin.string(), work.string()}, dir.path);
        git({"symbolic-ref", "HEAD", "refs/heads/main"}, work);
        commit(work, {{"a.txt", "a"}, {"b.txt", "b"}});
        git({"push", "-q", "--no-verify", "origin", "HEAD:refs/heads/main"}, work);
        git({"fetch", "-q", "origin"}, work);
    }
};

} // namespace knot::hook_test
