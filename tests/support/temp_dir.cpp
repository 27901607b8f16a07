// Test support: temporary directories (see temp_dir.hpp).
#include "temp_dir.hpp"

#include <stdexcept>
#include <stdlib.h>

namespace knot::test {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "knot-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    m_path = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

} // namespace knot::test
