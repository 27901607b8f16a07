// GitStore's questions about single paths of pushed commits: which locked paths a push changes,
// and whether two commits hold the same entry at a path (see git_store.hpp). Each answer costs a
// lookup per path component, whatever the size of the trees.
#include "git_store.hpp"
#include "git_store_repo.hpp"
#include "integration_git.hpp"

#include <optional>

namespace knot::server {
namespace {

using namespace git;
using Entry = Owned<git_tree_entry, git_tree_entry_free>;

// The tree of commit `hex`, nothing when it is all zeros or not in the repository.
Tree commit_tree(git_repository* repo, const std::string& hex) {
    if (!is_oid(hex) || hex == k_zero_oid)
        return nullptr;
    const git_oid id = oid_of(hex);
    git_commit* commit = nullptr;
    if (git_commit_lookup(&commit, repo, &id) < 0)
        return nullptr;
    const Commit owned(commit);
    git_tree* tree = nullptr;
    if (git_commit_tree(&tree, commit) < 0)
        return nullptr;
    return Tree(tree);
}

// The entry at `path` below `tree`, nothing when either is absent.
Entry entry_at(const git_tree* tree, const std::string& path) {
    git_tree_entry* entry = nullptr;
    if (!tree || git_tree_entry_bypath(&entry, tree, path.c_str()) < 0)
        return nullptr;
    return Entry(entry);
}

bool same(const git_tree_entry* a, const git_tree_entry* b) {
    if (!a || !b)
        return a == b;
    return git_tree_entry_filemode_raw(a) == git_tree_entry_filemode_raw(b) &&
           git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b));
}

// The room's repository with the push's quarantined objects visible.
Repository open_with(const std::filesystem::path& path, const Quarantine* quarantine) {
    Repository repo = open_repo(path, true);
    if (quarantine) {
        const Odb odb = odb_of(repo.get());
        check(git_odb_add_disk_alternate(odb.get(), quarantine->dir().c_str()), "quarantine");
    }
    return repo;
}

// The commit a push's change is measured from (see changed_among), "" for an empty tree.
std::string change_base(git_repository* repo, const RefUpdate& update) {
    git_oid integration;
    if (git_reference_name_to_id(&integration, repo, std::string(k_integration_ref).c_str()) < 0)
        return update.old_oid;
    const git_oid tip = oid_of(update.new_oid);
    git_oid base;
    const int found = git_merge_base(&base, repo, &integration, &tip);
    if (found == GIT_ENOTFOUND)
        return "";
    check(found, "merge base");
    return hex_of(base);
}

} // namespace

std::vector<std::string> GitStore::changed_among(const std::string& room_id,
                                                 const RefUpdate& update,
                                                 const std::vector<std::string>& paths,
                                                 const Quarantine* quarantine) const {
    std::vector<std::string> changed;
    if (paths.empty())
        return changed;
    const Repository repo = open_with(repo_path(room_id), quarantine);
    const Tree after = commit_tree(repo.get(), update.new_oid);
    const Tree before = commit_tree(repo.get(), change_base(repo.get(), update));
    for (const std::string& path : paths)
        if (!same(entry_at(before.get(), path).get(), entry_at(after.get(), path).get()))
            changed.push_back(path);
    return changed;
}

bool GitStore::same_entry(const std::string& room_id, const std::string& a, const std::string& b,
                          const std::string& path, const Quarantine* quarantine) const {
    const Repository repo = open_with(repo_path(room_id), quarantine);
    const Tree first = commit_tree(repo.get(), a);
    const Tree second = commit_tree(repo.get(), b);
    return first && second &&
           same(entry_at(first.get(), path).get(), entry_at(second.get(), path).get());
}

} // namespace knot::server
