// Tests of libknot/base/file.cpp: whole-file writes that a reader never sees half done.
#include "libknot/base/file.hpp"

#include "libknot/base/error.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace knot;
using knot::test::TempDir;
namespace fs = std::filesystem;

namespace {

unsigned mode_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

std::size_t entries_in(const fs::path& dir) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

} // namespace

TEST_CASE("an atomic write replaces the content, with its mode whatever the umask") {
    TempDir dir;
    const auto path = dir.path() / "token";
    const mode_t old_umask = ::umask(0077);
    write_file_atomic(path, "first\n", 0644);
    ::umask(old_umask);
    CHECK(read_file(path) == "first\n");
    CHECK(mode_of(path) == 0644);
    write_file_atomic(path, "second\n", 0600);
    CHECK(read_file(path) == "second\n");
    CHECK(mode_of(path) == 0600);
    CHECK(entries_in(dir.path()) == 1); // no temporary file left beside it
}

TEST_CASE("an atomic write that cannot happen leaves the old file and no temporary one") {
    TempDir dir;
    CHECK_THROWS_WITH(write_file_atomic(dir.path() / "missing" / "file", "x"),
                      Catch::StartsWith("cannot write " + (dir.path() / "missing").string()));
    const auto target = dir.path() / "a-directory";
    fs::create_directory(target);
    CHECK_THROWS_AS(write_file_atomic(target, "x"), Error); // rename over a directory fails
    CHECK(fs::is_directory(target));
    CHECK(entries_in(dir.path()) == 1);
}

TEST_CASE("a new file is written only when nothing is there yet") {
    TempDir dir;
    const auto path = dir.path() / "key";
    CHECK(write_new_file(path, "secret\n", 0600));
    CHECK(mode_of(path) == 0600);
    CHECK_FALSE(write_new_file(path, "another\n", 0600));
    CHECK(read_file(path) == "secret\n");
    CHECK_THROWS_WITH(write_new_file(dir.path() / "missing" / "key", "x", 0600),
                      Catch::StartsWith("cannot create "));
}

TEST_CASE("reading a file that is not there says which") {
    TempDir dir;
    CHECK_THROWS_WITH(read_file(dir.path() / "absent"),
                      "cannot read " + (dir.path() / "absent").string());
    write_file_atomic(dir.path() / "binary", std::string("a\0b", 3));
    CHECK(read_file(dir.path() / "binary") == std::string("a\0b", 3));
}
