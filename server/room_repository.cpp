// One room's bare repository through libgit2 (see room_repository.hpp).
#include "room_repository.hpp"

#include "git_handles.hpp"

#include <optional>
#include <stdexcept>

namespace knot::server {
namespace {

using namespace git;

bool is_nothing(const std::string& oid) {
    return oid.empty() || oid.find_first_not_of('0') == std::string::npos;
}

Repository open_existing(const std::filesystem::path& path) {
    ensure_init();
    git_repository* repo = nullptr;
    check(git_repository_open_bare(&repo, path.c_str()), "open repository");
    return Repository(repo);
}

std::optional<git_oid> subtree_of(const git_tree_entry* entry) {
    if (!entry || git_tree_entry_type(entry) != GIT_OBJECT_TREE)
        return std::nullopt;
    return *git_tree_entry_id(entry);
}

Tree tree_at(git_repository* repo, const std::optional<git_oid>& id) {
    git_tree* tree = nullptr;
    if (!id || git_tree_lookup(&tree, repo, &*id) < 0)
        return nullptr;
    return Tree(tree);
}

// The tree of commit `hex`, nothing when it names no commit of the repository.
std::optional<git_oid> commit_tree_id(git_repository* repo, const std::string& hex) {
    if (is_nothing(hex))
        return std::nullopt;
    const git_oid id = oid_of(hex);
    git_commit* commit = nullptr;
    if (git_commit_lookup(&commit, repo, &id) < 0)
        return std::nullopt;
    const Commit owned(commit);
    return *git_commit_tree_id(commit);
}

} // namespace

RoomRepository::RoomRepository(const std::filesystem::path& data_dir, const std::string& room_id)
    : m_path(repos_dir(data_dir) / (room_id + ".git")) {}

RoomRepository::RoomRepository(std::filesystem::path path)
    : m_path(std::move(path)) {}

std::filesystem::path RoomRepository::repos_dir(const std::filesystem::path& data_dir) {
    return data_dir / "repos";
}

std::vector<RoomRepository> RoomRepository::all(const std::filesystem::path& data_dir) {
    std::vector<RoomRepository> out;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(repos_dir(data_dir), error))
        if (entry.path().extension() == ".git")
            out.emplace_back(entry.path());
    return out;
}

bool RoomRepository::compare_and_swap(const std::string& ref, const std::string& expected,
                                      const std::string& target, const std::string& reason) const {
    const Repository repo = open_existing(m_path);
    const git_oid to = oid_of(target);
    git_reference* raw = nullptr;
    int code = 0;
    if (is_nothing(expected)) {
        code = git_reference_create(&raw, repo.get(), ref.c_str(), &to, 0, reason.c_str());
    } else {
        const git_oid from = oid_of(expected);
        code = git_reference_create_matching(&raw, repo.get(), ref.c_str(), &to, 1, &from,
                                             reason.c_str());
    }
    const Reference reference(raw);
    // EEXISTS: created meanwhile; EMODIFIED: moved; ENOTFOUND: deleted; ELOCKED: another writer
    // is moving it right now. Each is a race lost, which the caller answers as such.
    if (code == GIT_EEXISTS || code == GIT_EMODIFIED || code == GIT_ENOTFOUND ||
        code == GIT_ELOCKED)
        return false;
    check(code, ("move " + ref).c_str());
    return true;
}

std::vector<std::string> RoomRepository::changed_paths(const std::string& before,
                                                       const std::string& after,
                                                       std::size_t max) const {
    const Repository owned_repo = open_existing(m_path);
    git_repository* repo = owned_repo.get();
    struct Frame {
        std::optional<git_oid> before;
        std::optional<git_oid> after;
        std::string prefix;
    };
    std::vector<std::string> files;
    std::vector<Frame> stack;
    stack.push_back({commit_tree_id(repo, before), commit_tree_id(repo, after), ""});
    while (!stack.empty() && files.size() < max) {
        const Frame frame = std::move(stack.back());
        stack.pop_back();
        const Tree old_tree = tree_at(repo, frame.before);
        const Tree new_tree = tree_at(repo, frame.after);
        const auto visit = [&](const git_tree* tree, const git_tree* other, bool added) {
            const std::size_t count = tree ? git_tree_entrycount(tree) : 0;
            for (std::size_t i = 0; i < count && files.size() < max; ++i) {
                const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
                const char* name = git_tree_entry_name(entry);
                const git_tree_entry* match = other ? git_tree_entry_byname(other, name) : nullptr;
                if (!added && match)
                    continue; // present on both sides: compared when `after` was visited
                if (match && git_oid_equal(git_tree_entry_id(match), git_tree_entry_id(entry)) &&
                    git_tree_entry_filemode(match) == git_tree_entry_filemode(entry))
                    continue;
                const auto sub = subtree_of(entry);
                const auto other_sub = subtree_of(match);
                if (sub || other_sub)
                    stack.push_back({added ? other_sub : sub, added ? sub : other_sub,
                                     frame.prefix + name + "/"});
                const bool entry_is_file = git_tree_entry_type(entry) != GIT_OBJECT_TREE;
                const bool match_is_file = match && git_tree_entry_type(match) != GIT_OBJECT_TREE;
                if (entry_is_file || match_is_file)
                    files.push_back(frame.prefix + name);
            }
        };
        visit(new_tree.get(), old_tree.get(), true);
        visit(old_tree.get(), new_tree.get(), false);
    }
    return files;
}

} // namespace knot::server
