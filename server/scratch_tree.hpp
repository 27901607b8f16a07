// The persistent scratch work tree an integration run checks a candidate in:
// <data>/scratch/<room>/ holds tree/ (the files), git/ (its own index and HEAD, borrowing the
// room repository's objects), build/ ($KNOT_BUILD_DIR), home/ and tmp/. Moving between commits
// rewrites only the files that differ, so builds stay incremental; whatever a checker removed or
// changed among the tracked files is restored; untracked build output is kept.
#pragma once

#include <filesystem>
#include <string>

namespace knot::server {

class ScratchTree {
public:
    ScratchTree(std::filesystem::path root, std::filesystem::path repo);

    // Makes tree() hold exactly `commit`'s tracked files, (re)creating whatever is missing.
    // Throws knot::Error with git's message when it cannot.
    void check_out(const std::string& commit) const;

    std::filesystem::path tree() const { return m_root / "tree"; }
    std::filesystem::path build() const { return m_root / "build"; }
    std::filesystem::path home() const { return m_root / "home"; }
    std::filesystem::path tmp() const { return m_root / "tmp"; }

private:
    void prepare() const;

    std::filesystem::path m_root;
    std::filesystem::path m_repo;
};

} // namespace knot::server
