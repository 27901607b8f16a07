// Test support: the current directory moved into a clone for the code that opens the clone
// around it (Session, Clone::open, the remote helper), and moved back after.
#pragma once

#include <filesystem>

namespace knot::test {

// The current directory is `dir` while it lives.
class InDirectory {
public:
    explicit InDirectory(const std::filesystem::path& dir)
        : m_before(std::filesystem::current_path()) {
        std::filesystem::current_path(dir);
    }
    ~InDirectory() { std::filesystem::current_path(m_before); }
    InDirectory(const InDirectory&) = delete;
    InDirectory& operator=(const InDirectory&) = delete;

private:
    std::filesystem::path m_before;
};

} // namespace knot::test
