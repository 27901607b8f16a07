// What a tree entry pushed to a room may be: the names and modes `git fsck` accepts, so that no
// room serves a tree that writes outside its work tree or into .git when checked out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace knot::server {

// The kind of object a tree entry's mode says it points at.
enum class EntryKind { tree, blob, commit };

// The kind `raw_mode` (as written in the tree, e.g. 0100644) names, or nothing when git would
// call it a bad mode. Accepts 040000, 100644, 100755, 120000 and 160000 only.
std::optional<EntryKind> entry_kind(std::uint32_t raw_mode);

// Why `name` cannot name a tree entry, or nothing when it can: empty, ".", "..", a name with
// '/', a NUL, or one a file system would take for ".git": any case, NTFS spellings (trailing
// spaces or dots, "git~1", an alternate data stream) and HFS+ spellings (with the code points
// HFS+ ignores).
std::optional<std::string> bad_entry_name(std::string_view name);

} // namespace knot::server
