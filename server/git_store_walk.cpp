// GitStore's walks over pushed trees and commits: the checks a tip must pass and the paths a push
// changed (see git_store.hpp). Every walk keeps its own stack: a tree's depth is the pusher's
// choice, the server's stack is not.
#include "git_store.hpp"
#include "git_store_repo.hpp"

#include "api_error.hpp"
#include "integration_git.hpp"
#include "room_repository.hpp"
#include "tree_check.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

namespace knot::server {
namespace {

using namespace git;
using Walk = Owned<git_revwalk, git_revwalk_free>;
using Object = Owned<git_object, git_object_free>;

ApiError missing_objects(const std::string& tip) {
    return ApiError(error_code::missing_objects,
                    "the repository lacks objects that " + tip + " needs; the pack is incomplete");
}

std::string kind_name(git_object_t type) {
    return git_object_type2string(type);
}

struct OidHash {
    std::size_t operator()(const git_oid& oid) const {
        std::size_t out = 0;
        std::memcpy(&out, oid.id, sizeof out);
        return out;
    }
};
struct OidEqual {
    bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};

// Checks the trees of one push's new commits, sharing what it has seen between them.
class TreeChecker {
public:
    TreeChecker(git_repository* repo, git_odb* odb, const GitLimits& limits, std::string tip)
        : m_repo(repo)
        , m_odb(odb)
        , m_limits(limits)
        , m_tip(std::move(tip)) {}

    // Every object below `root` is present, named and typed as git accepts. Entries identical
    // to those of `known` (the same path in a tree already accepted: the first parent's) are
    // skipped, so the cost follows what changed, not the size of the repository.
    void check(const git_oid& root, const git_tree* known) {
        struct Frame {
            git_oid tree;
            std::optional<git_oid> known;
            std::size_t depth;
        };
        std::vector<Frame> stack;
        stack.push_back({root, known ? std::optional(*git_tree_id(known)) : std::nullopt, 1});
        while (!stack.empty()) {
            const Frame frame = stack.back();
            stack.pop_back();
            // A tree shared at several depths is walked again only when met deeper than before,
            // so the depth limit holds for every path, not only for the first one found.
            const auto [seen, fresh] = m_depth.try_emplace(frame.tree, frame.depth);
            if (!fresh) {
                if (seen->second >= frame.depth)
                    continue;
                seen->second = frame.depth;
            }
            const Tree tree = lookup_tree(frame.tree);
            Tree known_tree;
            if (frame.known) {
                git_tree* raw = nullptr;
                if (git_tree_lookup(&raw, m_repo, &*frame.known) == 0)
                    known_tree.reset(raw);
            }
            const std::size_t count = git_tree_entrycount(tree.get());
            for (std::size_t i = 0; i < count; ++i) {
                const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);
                if (++m_entries > m_limits.max_tree_entries)
                    throw ApiError(error_code::tree_too_large,
                                   "the trees of " + m_tip + " have more than " +
                                       std::to_string(m_limits.max_tree_entries) +
                                       " entries to check; this server's limit for one push");
                const git_oid* id = git_tree_entry_id(entry);
                const git_tree_entry* before =
                    known_tree ? git_tree_entry_byname(known_tree.get(), git_tree_entry_name(entry))
                               : nullptr;
                if (before && git_oid_equal(git_tree_entry_id(before), id) &&
                    git_tree_entry_filemode_raw(before) == git_tree_entry_filemode_raw(entry))
                    continue; // unchanged: accepted already
                const EntryKind kind = checked_kind(entry);
                if (kind == EntryKind::commit)
                    continue; // a submodule's commit lives in another repository
                const git_object_t actual = type_of(*id);
                const git_object_t expected =
                    kind == EntryKind::tree ? GIT_OBJECT_TREE : GIT_OBJECT_BLOB;
                if (actual != expected)
                    throw bad_object(entry, "its mode says " + kind_name(expected) +
                                                " but it points at a " + kind_name(actual));
                if (kind != EntryKind::tree)
                    continue;
                if (frame.depth + 1 > m_limits.max_tree_depth)
                    throw ApiError(error_code::tree_too_deep,
                                   "a tree of " + m_tip + " nests more than " +
                                       std::to_string(m_limits.max_tree_depth) +
                                       " levels deep; this server refuses deeper trees");
                std::optional<git_oid> known_sub;
                if (before && git_tree_entry_type(before) == GIT_OBJECT_TREE)
                    known_sub = *git_tree_entry_id(before);
                stack.push_back({*id, known_sub, frame.depth + 1});
            }
        }
    }

private:
    Tree lookup_tree(const git_oid& id) const {
        git_tree* raw = nullptr;
        if (git_tree_lookup(&raw, m_repo, &id) < 0)
            throw missing_objects(m_tip);
        return Tree(raw);
    }

    git_object_t type_of(const git_oid& id) const {
        std::size_t size = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if (git_odb_read_header(&size, &type, m_odb, &id) < 0)
            throw missing_objects(m_tip);
        return type;
    }

    EntryKind checked_kind(const git_tree_entry* entry) const {
        if (const auto why = bad_entry_name(git_tree_entry_name(entry)))
            throw bad_object(entry, "it has " + *why);
        const auto kind =
            entry_kind(static_cast<std::uint32_t>(git_tree_entry_filemode_raw(entry)));
        if (!kind)
            throw bad_object(entry, "its mode is not one git accepts");
        return *kind;
    }

    ApiError bad_object(const git_tree_entry* entry, const std::string& why) const {
        std::string name = git_tree_entry_name(entry);
        for (char& c : name)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                c = '?';
        return ApiError(error_code::bad_object, "a tree of " + m_tip + " has an entry '" + name +
                                                    "' that git refuses: " + why);
    }

    git_repository* m_repo;
    git_odb* m_odb;
    const GitLimits& m_limits;
    std::string m_tip;
    std::unordered_map<git_oid, std::size_t, OidHash, OidEqual> m_depth;
    std::uint64_t m_entries = 0;
};

} // namespace

void GitStore::check_tip(const std::string& room_id, const RefUpdate& update,
                         const Quarantine* quarantine) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    const Odb odb = odb_of(repo.get());
    if (quarantine)
        check(git_odb_add_disk_alternate(odb.get(), quarantine->dir().c_str()), "quarantine");
    const git_oid tip = oid_of(update.new_oid);
    git_object* raw = nullptr;
    if (git_object_lookup(&raw, repo.get(), &tip, GIT_OBJECT_ANY) < 0)
        throw missing_objects(update.new_oid);
    const Object object(raw);
    if (git_object_type(object.get()) != GIT_OBJECT_COMMIT)
        throw ApiError(error_code::not_a_commit, update.new_oid + " is not a commit");

    // Commits reachable from the existing refs were checked when those refs moved. libgit2's
    // revwalk keeps its own queue: no recursion on the length of the history.
    git_revwalk* walk_raw = nullptr;
    check(git_revwalk_new(&walk_raw, repo.get()), "revwalk");
    const Walk walk(walk_raw);
    check(git_revwalk_push(walk.get(), &tip), "revwalk");
    git_revwalk_hide_glob(walk.get(), "refs/knot/*");
    TreeChecker trees(repo.get(), odb.get(), m_limits, update.new_oid);
    git_oid id;
    int code = 0;
    while ((code = git_revwalk_next(&id, walk.get())) == 0) {
        git_commit* commit = nullptr;
        if (git_commit_lookup(&commit, repo.get(), &id) < 0)
            throw missing_objects(update.new_oid);
        const Commit owned(commit);
        // The first parent is either reachable from a ref (checked when that ref moved) or
        // itself in this walk, so its tree is complete once the walk ends.
        git_commit* parent = nullptr;
        git_tree* parent_tree = nullptr;
        if (git_commit_parentcount(commit) > 0) {
            if (git_commit_parent(&parent, commit, 0) < 0)
                throw missing_objects(update.new_oid);
            if (git_commit_tree(&parent_tree, parent) < 0) {
                git_commit_free(parent);
                throw missing_objects(update.new_oid);
            }
        }
        const Commit owned_parent(parent);
        const Tree owned_parent_tree(parent_tree);
        trees.check(*git_commit_tree_id(commit), parent_tree);
    }
    if (code != GIT_ITEROVER)
        throw missing_objects(update.new_oid);

    if (update.force || update.old_oid == k_zero_oid || update.old_oid == update.new_oid)
        return;
    const git_oid old = oid_of(update.old_oid);
    if (git_graph_descendant_of(repo.get(), &tip, &old) != 1)
        throw ApiError(error_code::non_fast_forward,
                       update.new_oid + " does not descend from " + update.old_oid +
                           "; push with force to replace " + update.ref);
}

std::vector<std::string> GitStore::changed_files(const std::string& room_id,
                                                 const RefUpdate& update,
                                                 std::size_t max_files) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    std::string before;
    git_oid integration;
    if (git_reference_name_to_id(&integration, repo.get(),
                                 std::string(k_integration_ref).c_str()) == 0) {
        const git_oid tip = oid_of(update.new_oid);
        git_oid base;
        before =
            hex_of(git_merge_base(&base, repo.get(), &tip, &integration) == 0 ? base : integration);
    } else {
        before = update.old_oid; // all zeros for a new ref: an empty tree
    }
    std::vector<std::string> files =
        RoomRepository(repo_path(room_id)).changed_paths(before, update.new_oid, max_files);
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace knot::server
