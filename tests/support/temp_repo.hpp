// Test support: a repository made by `git init -b main` in a temporary directory, with git run
// through libknot's run_git and the system's git config ignored.
#pragma once

#include "temp_dir.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace knot::test {

struct TempRepo {
    TempDir dir;
    std::filesystem::path path = dir.path();

    TempRepo();
    // `git <args>` with a test identity; REQUIREs success; returns the first line of output.
    std::string git(const std::vector<std::string>& args) const;
    // `git config --local <args>`.
    void config(const std::vector<std::string>& args) const;
    // Writes `text` to `file`, commits everything and returns the new commit.
    std::string commit(const std::string& file, const std::string& text) const;
};

} // namespace knot::test
