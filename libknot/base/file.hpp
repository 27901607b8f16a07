// Reading and writing whole files: a reader sees an old or a new file, never half of one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace knot {

// Writes `text` to `path` through a temporary file beside it (fsynced, then renamed over
// `path`), so a reader sees the old or the new content, never half of it, and a crash leaves
// one or the other. `mode` applies to the new file whatever the umask. Throws knot::Error with
// nothing left behind when it cannot.
void write_file_atomic(const std::filesystem::path& path, const std::string& text,
                       unsigned mode = 0644);

// Creates `path` (which must not exist) with `text`, fsynced, `mode` whatever the umask.
// Returns false, writing nothing, when `path` exists; throws knot::Error on any other failure.
bool write_new_file(const std::filesystem::path& path, const std::string& text, unsigned mode);

// Writes all of `text` to `fd`, retrying short writes; knot::Error names `path` when it fails.
void write_all(int fd, std::string_view text, const std::filesystem::path& path);

// The whole content of `path`; knot::Error when it cannot be read.
std::string read_file(const std::filesystem::path& path);

} // namespace knot
