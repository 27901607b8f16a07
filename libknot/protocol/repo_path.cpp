// Repository paths (see repo_path.hpp).
#include "libknot/protocol/repo_path.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/hex.hpp"
#include "libknot/base/utf8.hpp"

#include <ostream>
#include <set>

namespace knot {

std::optional<std::string> invalid_repo_path(std::string_view path) {
    if (path.empty())
        return "a path cannot be empty";
    if (path.size() > k_max_repo_path_bytes)
        return "a path has at most 1024 bytes";
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f)
            return "a path cannot contain NUL or control characters";
    // JSON, and so the protocol, carries text: a name git stores as other bytes has no form in it.
    if (!is_valid_utf8(path))
        return "a path must be UTF-8 text (knot's protocol carries no other bytes)";
    if (path.front() == '/')
        return "a path is relative to the top of the repository, not absolute";
    if (path.back() == '/')
        return "a path cannot end with '/'";
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        const auto segment = path.substr(start, end - start);
        if (segment.empty())
            return "a path cannot contain '//'";
        if (segment == "." || segment == "..")
            return "a path cannot contain '.' or '..' segments";
        if (segment.size() > k_max_repo_path_segment_bytes)
            return "a path segment has at most 255 bytes";
        // The repository's own files are nobody's to lock (git itself never tracks them).
        if (ascii_equal_ignoring_case(segment, ".git"))
            return "a path cannot be in a .git directory";
        start = end + 1;
    }
    return std::nullopt;
}

std::string printable_path(std::string_view path) {
    constexpr std::size_t k_shown_characters = 80;
    std::string out;
    std::size_t at = 0;
    for (std::size_t shown = 0; at < path.size() && shown < k_shown_characters; ++shown) {
        const std::size_t start = at;
        const auto point = next_code_point(path, at);
        const std::string_view sequence = point ? path.substr(start, at - start) : "";
        const bool printable = point && is_valid_utf8(sequence) && *point >= 0x20 &&
                               *point != 0x7f && !(*point >= 0x80 && *point < 0xa0);
        if (printable) {
            out += sequence;
            continue;
        }
        // One escape per byte: a character that is not text, or a byte that starts none.
        at = point ? at : start + 1;
        for (std::size_t i = start; i < at; ++i)
            out += "\\x" + to_hex(path.substr(i, 1));
    }
    if (at < path.size())
        out += "... (" + std::to_string(path.size()) + " bytes)";
    return out;
}

std::vector<std::string> lockable_paths(std::vector<std::string> paths, std::ostream& warnings) {
    constexpr std::size_t k_named = 10;
    std::size_t left_out = 0;
    std::erase_if(paths, [&](const std::string& path) {
        const auto why = invalid_repo_path(path);
        if (why && ++left_out <= k_named)
            warnings << "knot: warning: '" << printable_path(path)
                     << "' is left out of the lock check: " << *why << '\n';
        return why.has_value();
    });
    if (left_out > k_named)
        warnings << "knot: warning: " << left_out - k_named
                 << " more paths are left out of the lock check\n";
    return paths;
}

std::string normalise_repo_path(std::string_view input, const std::filesystem::path& cwd,
                                const std::filesystem::path& workdir) {
    const std::string shown = printable_path(input);
    if (input.find('\0') != std::string_view::npos)
        throw UsageError("path contains a NUL byte");
    if (input.empty())
        throw UsageError("an empty path names no file");
    std::filesystem::path given{std::string(input)};
    const auto absolute = (given.is_absolute() ? given : cwd / given).lexically_normal();
    const auto top = workdir.lexically_normal();
    auto relative = absolute.lexically_relative(top).generic_string();
    while (!relative.empty() && relative.back() == '/')
        relative.pop_back();
    if (relative.empty() || relative == ".")
        throw UsageError("'" + shown + "' is the whole repository, not a path in it");
    if (relative == ".." || relative.rfind("../", 0) == 0)
        throw UsageError("'" + shown + "' is outside the repository (" + top.string() + ")");
    if (auto why = invalid_repo_path(relative))
        throw UsageError("'" + shown + "': " + *why);
    return relative;
}

std::vector<std::string> normalise_repo_paths(const std::vector<std::string>& inputs,
                                              const std::filesystem::path& cwd,
                                              const std::filesystem::path& workdir) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& input : inputs) {
        auto path = normalise_repo_path(input, cwd, workdir);
        if (seen.insert(path).second)
            out.push_back(std::move(path));
    }
    if (out.size() > k_max_paths_per_request)
        throw UsageError("at most 1000 paths at a time");
    return out;
}

} // namespace knot
