// Repository paths (see repo_path.hpp).
#include "repo_path.hpp"

#include "error.hpp"

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
        start = end + 1;
    }
    return std::nullopt;
}

std::string normalise_repo_path(std::string_view input, const std::filesystem::path& cwd,
                                const std::filesystem::path& workdir) {
    const std::string shown(input);
    if (input.find('\0') != std::string_view::npos)
        throw UsageError("path contains a NUL byte");
    if (input.empty())
        throw UsageError("an empty path names no file");
    std::filesystem::path given(shown);
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
