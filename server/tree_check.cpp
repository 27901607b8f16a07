// The names and modes a pushed tree entry may have (see tree_check.hpp).
#include "tree_check.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/utf8.hpp"

#include <cctype>

namespace knot::server {
namespace {

// The rest of a name after ".git" or "git~1" that NTFS ignores: nothing, spaces and dots, then
// the end or an alternate data stream (":...").
bool ntfs_ignores_rest(std::string_view rest) {
    for (const char c : rest) {
        if (c == ':' || c == '\\')
            return true;
        if (c != ' ' && c != '.')
            return false;
    }
    return true;
}

bool is_ntfs_dotgit(std::string_view name) {
    if (ascii_starts_with_ignoring_case(name, ".git"))
        return ntfs_ignores_rest(name.substr(4));
    if (ascii_starts_with_ignoring_case(name, "git~1"))
        return ntfs_ignores_rest(name.substr(5));
    return false;
}

// Code points HFS+ drops when it compares names (zero-width joiners, direction marks...).
bool hfs_ignores(std::uint32_t code_point) {
    return (code_point >= 0x200c && code_point <= 0x200f) ||
           (code_point >= 0x202a && code_point <= 0x202e) ||
           (code_point >= 0x206a && code_point <= 0x206f) || code_point == 0xfeff;
}

// ".git" once the code points HFS+ ignores are dropped and case is folded. Malformed UTF-8 is
// not ".git" (HFS+ would refuse the name).
bool is_hfs_dotgit(std::string_view name) {
    std::string folded;
    std::size_t i = 0;
    while (i < name.size()) {
        const auto code_point = next_code_point(name, i);
        if (!code_point)
            return false;
        if (hfs_ignores(*code_point))
            continue;
        if (*code_point >= 0x80 || folded.size() == 4)
            return false;
        folded += static_cast<char>(std::tolower(static_cast<int>(*code_point)));
    }
    return folded == ".git";
}

} // namespace

std::optional<EntryKind> entry_kind(std::uint32_t raw_mode) {
    switch (raw_mode) {
    case 0040000:
        return EntryKind::tree;
    case 0100644:
    case 0100755:
    case 0120000:
        return EntryKind::blob;
    case 0160000:
        return EntryKind::commit;
    default:
        return std::nullopt;
    }
}

std::optional<std::string> bad_entry_name(std::string_view name) {
    if (name.empty())
        return "an empty name";
    if (name == "." || name == "..")
        return "the name '" + std::string(name) + "'";
    if (name.find('/') != std::string_view::npos)
        return "a name with '/'";
    if (name.find('\0') != std::string_view::npos)
        return "a name with a NUL byte";
    if (is_ntfs_dotgit(name) || is_hfs_dotgit(name))
        return "a name a file system takes for .git";
    return std::nullopt;
}

} // namespace knot::server
