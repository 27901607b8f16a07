// What git_store.cpp and git_store_walk.cpp share: opening a room's repository through libgit2.
// Private to those two files.
#pragma once

#include "git_handles.hpp"

#include <filesystem>

namespace knot::server::git {

using Odb = Owned<git_odb, git_odb_free>;

// Opens a room's repository, or nothing when `create` is false and it does not exist yet.
Repository open_repo(const std::filesystem::path& path, bool create);

Odb odb_of(git_repository* repo);

} // namespace knot::server::git
