// The staged paths through libgit2 (see staged_index.hpp).
#include "knot-agent/staged_index.hpp"

#include "libknot/base/error.hpp"

#include <git2.h>
#include <set>
#include <system_error>

namespace knot {
namespace {

namespace fs = std::filesystem;

// Frees a libgit2 object when it goes out of scope.
template <typename T, void (*Free)(T*)> struct Owned {
    T* ptr = nullptr;
    Owned() = default;
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    ~Owned() {
        if (ptr)
            Free(ptr);
    }
};

} // namespace

StagedIndex::StagedIndex(const fs::path& git_dir)
    : m_git_dir(git_dir) {
    git_libgit2_init();
    if (git_repository_open_ext(&m_repo, git_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) !=
        0) {
        const git_error* e = git_error_last();
        const std::string why = e && e->message ? e->message : "unknown error";
        git_libgit2_shutdown();
        throw Error("cannot open the repository at " + git_dir.string() + ": " + why);
    }
}

StagedIndex::~StagedIndex() {
    git_repository_free(m_repo);
    git_libgit2_shutdown();
}

std::optional<std::vector<std::string>> StagedIndex::paths(const fs::path& index_file) {
    std::error_code ec;
    if (fs::exists(m_git_dir / "MERGE_HEAD", ec) || ec)
        return std::nullopt;
    Owned<git_index, git_index_free> index;
    if (git_index_open(&index.ptr, index_file.c_str()) != 0)
        return std::nullopt;
    Owned<git_object, git_object_free> head_tree;
    const int found = git_revparse_single(&head_tree.ptr, m_repo, "HEAD^{tree}");
    if (found != 0 && found != GIT_ENOTFOUND && found != GIT_EUNBORNBRANCH)
        return std::nullopt;
    Owned<git_diff, git_diff_free> diff;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    options.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
    if (git_diff_tree_to_index(&diff.ptr, m_repo, reinterpret_cast<git_tree*>(head_tree.ptr),
                               index.ptr, &options) != 0)
        return std::nullopt;
    std::set<std::string> names;
    const std::size_t count = git_diff_num_deltas(diff.ptr);
    for (std::size_t i = 0; i < count; ++i) {
        const git_diff_delta* delta = git_diff_get_delta(diff.ptr, i);
        if (delta->old_file.path)
            names.insert(delta->old_file.path);
        if (delta->new_file.path)
            names.insert(delta->new_file.path);
    }
    return std::vector<std::string>(names.begin(), names.end());
}

} // namespace knot
