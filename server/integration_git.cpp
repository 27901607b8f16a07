// Merging for the integration agent through libgit2 (see integration_git.hpp).
#include "integration_git.hpp"

#include "git_handles.hpp"
#include "room_repository.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

namespace knot::server {
namespace {

using namespace git;

constexpr std::size_t k_binary_probe = 8000; // as git: a NUL in the first 8000 bytes

Repository open(const std::filesystem::path& path) {
    ensure_init();
    git_repository* repo = nullptr;
    check(git_repository_open_bare(&repo, path.c_str()), "open repository");
    return Repository(repo);
}

Commit commit_of(git_repository* repo, const std::string& hex) {
    const git_oid oid = oid_of(hex);
    git_commit* commit = nullptr;
    check(git_commit_lookup(&commit, repo, &oid), "look up commit");
    return Commit(commit);
}

Tree tree_of(const git_commit* commit) {
    git_tree* tree = nullptr;
    check(git_commit_tree(&tree, commit), "read commit tree");
    return Tree(tree);
}

Tree tree_at(git_repository* repo, const git_oid* oid) {
    git_tree* tree = nullptr;
    check(git_tree_lookup(&tree, repo, oid), "read tree");
    return Tree(tree);
}

bool same(const git_tree_entry* a, const git_tree_entry* b) {
    if (!a || !b)
        return a == b;
    return git_tree_entry_filemode(a) == git_tree_entry_filemode(b) &&
           git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b));
}

bool is_tree(const git_tree_entry* entry) {
    return entry && git_tree_entry_type(entry) == GIT_OBJECT_TREE;
}

bool is_plain_file(const git_tree_entry* entry) {
    if (!entry)
        return false;
    const git_filemode_t mode = git_tree_entry_filemode(entry);
    return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

const git_tree_entry* entry_named(const git_tree* tree, const std::string& name) {
    return tree ? git_tree_entry_byname(tree, name.c_str()) : nullptr;
}

// The three-way tree merge that reads only what differs. Returns nothing when it meets a case
// it leaves to libgit2's full merge: a conflict, a possible rename, binary or special files.
class TreeMerger {
public:
    explicit TreeMerger(git_repository* repo)
        : m_repo(repo) {}

    // The merged tree of `base`, `ours` and `theirs`, or nothing when a path needs the full
    // merge. Folders both sides changed are merged with an explicit stack of frames, each
    // finishing after the folders below it: no recursion on the depth of a pushed tree.
    std::optional<git_oid> trees(const git_tree* base, const git_tree* ours,
                                 const git_tree* theirs) {
        std::vector<Frame> stack;
        stack.push_back(frame(base, ours, theirs, Tree(), Tree(), Tree()));
        std::optional<git_oid> finished; // the tree the frame just popped wrote
        while (!stack.empty()) {
            if (finished) {
                Frame& parent = stack.back();
                check(git_treebuilder_insert(nullptr, parent.builder.get(),
                                             parent.names[parent.next - 1].c_str(), &*finished,
                                             GIT_FILEMODE_TREE),
                      "tree insert");
                finished.reset();
            }
            const auto step = advance(stack.back());
            if (step == Step::give_up)
                return std::nullopt;
            if (step == Step::descend) {
                if (stack.size() >= k_max_merge_depth)
                    return std::nullopt; // libgit2's merge decides, within the pushes' limits
                Frame& parent = stack.back();
                const std::string& name = parent.names[parent.next - 1];
                const git_tree_entry* b = entry_named(parent.base, name);
                const git_tree_entry* o = entry_named(parent.ours, name);
                const git_tree_entry* t = entry_named(parent.theirs, name);
                Tree sub_base = is_tree(b) ? tree_at(m_repo, git_tree_entry_id(b)) : nullptr;
                Tree sub_ours = tree_at(m_repo, git_tree_entry_id(o));
                Tree sub_theirs = tree_at(m_repo, git_tree_entry_id(t));
                const git_tree *pb = sub_base.get(), *po = sub_ours.get(), *pt = sub_theirs.get();
                stack.push_back(frame(pb, po, pt, std::move(sub_base), std::move(sub_ours),
                                      std::move(sub_theirs)));
                continue;
            }
            git_oid out;
            check(git_treebuilder_write(&out, stack.back().builder.get()), "write tree");
            stack.pop_back();
            finished = out;
        }
        return finished;
    }

private:
    // Deeper than any tree a push may bring (GitLimits::max_tree_depth): a guard, not a rule.
    static constexpr std::size_t k_max_merge_depth = 4096;

    // One folder being merged: its three sides (owned below the top), the builder of its
    // result, the names to look at and how far it got.
    struct Frame {
        const git_tree* base;
        const git_tree* ours;
        const git_tree* theirs;
        Tree owned[3];
        TreeBuilder builder;
        std::vector<std::string> names;
        std::size_t next = 0;
    };

    enum class Step { done, descend, give_up };

    Frame frame(const git_tree* base, const git_tree* ours, const git_tree* theirs, Tree owned_base,
                Tree owned_ours, Tree owned_theirs) {
        Frame out{base,    ours,
                  theirs,  {std::move(owned_base), std::move(owned_ours), std::move(owned_theirs)},
                  nullptr, {},
                  0};
        git_treebuilder* raw = nullptr;
        check(git_treebuilder_new(&raw, m_repo, ours), "tree builder");
        out.builder.reset(raw);
        std::set<std::string> names;
        for (const git_tree* tree : {base, theirs})
            if (tree)
                for (std::size_t i = 0; i < git_tree_entrycount(tree); ++i)
                    names.insert(git_tree_entry_name(git_tree_entry_byindex(tree, i)));
        out.names.assign(names.begin(), names.end());
        return out;
    }

    // Merges the frame's names until one needs its folders merged first (descend: the name is
    // names[next - 1]), all are merged (done) or one needs the full merge (give_up).
    Step advance(Frame& f) {
        while (f.next < f.names.size()) {
            const std::string& name = f.names[f.next++];
            const git_tree_entry* b = entry_named(f.base, name);
            const git_tree_entry* o = entry_named(f.ours, name);
            const git_tree_entry* t = entry_named(f.theirs, name);
            if (same(o, t) || same(b, t))
                continue; // ours already holds the result
            if (same(b, o)) {
                if (t)
                    check(git_treebuilder_insert(nullptr, f.builder.get(), name.c_str(),
                                                 git_tree_entry_id(t), git_tree_entry_filemode(t)),
                          "tree insert");
                else
                    check(git_treebuilder_remove(f.builder.get(), name.c_str()), "tree remove");
                continue;
            }
            if (is_tree(o) && is_tree(t))
                return Step::descend;
            if (!(is_plain_file(b) && is_plain_file(o) && is_plain_file(t)))
                return Step::give_up;
            const git_filemode_t mode = merged_mode(b, o, t);
            const std::optional<git_oid> merged = file(b, o, t);
            if (!merged)
                return Step::give_up;
            check(git_treebuilder_insert(nullptr, f.builder.get(), name.c_str(), &*merged, mode),
                  "tree insert");
        }
        return Step::done;
    }

    static git_filemode_t merged_mode(const git_tree_entry* b, const git_tree_entry* o,
                                      const git_tree_entry* t) {
        const git_filemode_t base = git_tree_entry_filemode(b);
        const git_filemode_t ours = git_tree_entry_filemode(o);
        const git_filemode_t theirs = git_tree_entry_filemode(t);
        return ours == base ? theirs : ours; // both changed it: they agree (only two modes)
    }

    // The line-level merge of a file both sides changed, or nothing when the changes overlap
    // or the file is binary.
    std::optional<git_oid> file(const git_tree_entry* b, const git_tree_entry* o,
                                const git_tree_entry* t) {
        const Blob base = blob(b), ours = blob(o), theirs = blob(t);
        git_merge_file_input inputs[3];
        const git_blob* blobs[3] = {base.get(), ours.get(), theirs.get()};
        for (int i = 0; i < 3; ++i) {
            git_merge_file_input_init(&inputs[i], GIT_MERGE_FILE_INPUT_VERSION);
            inputs[i].ptr = static_cast<const char*>(git_blob_rawcontent(blobs[i]));
            inputs[i].size = static_cast<std::size_t>(git_blob_rawsize(blobs[i]));
            if (std::memchr(inputs[i].ptr, 0, std::min(inputs[i].size, k_binary_probe)))
                return std::nullopt;
        }
        git_merge_file_result result{};
        check(git_merge_file(&result, &inputs[0], &inputs[1], &inputs[2], nullptr), "merge file");
        std::optional<git_oid> out;
        if (result.automergeable) {
            git_oid written;
            const int code = git_blob_create_from_buffer(&written, m_repo, result.ptr, result.len);
            git_merge_file_result_free(&result);
            check(code, "write blob");
            out = written;
        } else {
            git_merge_file_result_free(&result);
        }
        return out;
    }

    Blob blob(const git_tree_entry* entry) {
        git_blob* raw = nullptr;
        check(git_blob_lookup(&raw, m_repo, git_tree_entry_id(entry)), "read blob");
        return Blob(raw);
    }

    git_repository* m_repo;
};

std::string hex_or_empty(const git_index_entry* entry) {
    return entry ? hex_of(entry->id) : std::string();
}

// libgit2's own merge, rename detection included: the slow, general path.
MergeOutcome full_merge(git_repository* repo, const git_commit* ours, const git_commit* theirs,
                        git_oid& tree_out) {
    git_merge_options options = GIT_MERGE_OPTIONS_INIT;
    git_index* raw = nullptr;
    check(git_merge_commits(&raw, repo, ours, theirs, &options), "merge");
    const Index index(raw);
    MergeOutcome outcome;
    if (git_index_has_conflicts(index.get())) {
        outcome.kind = MergeOutcome::Kind::conflict;
        git_index_conflict_iterator* iterator = nullptr;
        check(git_index_conflict_iterator_new(&iterator, index.get()), "conflicts");
        const git_index_entry *ancestor = nullptr, *our = nullptr, *their = nullptr;
        while (git_index_conflict_next(&ancestor, &our, &their, iterator) == 0) {
            const git_index_entry* any = our ? our : their ? their : ancestor;
            outcome.conflicts.push_back(
                {any->path, hex_or_empty(ancestor), hex_or_empty(our), hex_or_empty(their)});
        }
        git_index_conflict_iterator_free(iterator);
        return outcome;
    }
    check(git_index_write_tree_to(&tree_out, index.get(), repo), "write merged tree");
    outcome.kind = MergeOutcome::Kind::merged;
    return outcome;
}

} // namespace

IntegrationRepo::IntegrationRepo(std::filesystem::path repo)
    : m_repo(std::move(repo)) {}

std::string IntegrationRepo::integration() const {
    if (!std::filesystem::exists(m_repo / "HEAD"))
        return {};
    const Repository repo = open(m_repo);
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo.get(), std::string(k_integration_ref).c_str()) < 0)
        return {};
    return hex_of(oid);
}

std::vector<std::string> IntegrationRepo::top_level_names(const std::string& commit) const {
    const Repository repo = open(m_repo);
    const Commit head = commit_of(repo.get(), commit);
    const Tree tree = tree_of(head.get());
    std::vector<std::string> names;
    for (std::size_t i = 0; i < git_tree_entrycount(tree.get()); ++i)
        names.emplace_back(git_tree_entry_name(git_tree_entry_byindex(tree.get(), i)));
    return names;
}

bool IntegrationRepo::contains(const std::string& commit, const std::string& ancestor) const {
    if (commit == ancestor)
        return true;
    const Repository repo = open(m_repo);
    const git_oid descendant = oid_of(commit), older = oid_of(ancestor);
    return git_graph_descendant_of(repo.get(), &descendant, &older) == 1;
}

MergeOutcome IntegrationRepo::merge(const std::string& base, const std::string& tip,
                                    const std::string& message) const {
    MergeOutcome outcome;
    if (base.empty()) {
        outcome.kind = MergeOutcome::Kind::start;
        outcome.candidate = tip;
        return outcome;
    }
    if (contains(base, tip)) {
        outcome.kind = MergeOutcome::Kind::up_to_date;
        outcome.candidate = base;
        return outcome;
    }
    const Repository repo = open(m_repo);
    const Commit ours = commit_of(repo.get(), base);
    const Commit theirs = commit_of(repo.get(), tip);

    git_oid tree_id;
    bool merged_fast = false;
    git_oidarray bases{};
    const int found =
        git_merge_bases(&bases, repo.get(), git_commit_id(ours.get()), git_commit_id(theirs.get()));
    if (found != GIT_ENOTFOUND) // unrelated histories merge as if from an empty tree
        check(found, "merge base");
    if (bases.count <= 1) {
        Commit merge_base;
        if (bases.count == 1)
            merge_base = commit_of(repo.get(), hex_of(bases.ids[0]));
        const Tree base_tree = merge_base ? tree_of(merge_base.get()) : nullptr;
        const Tree our_tree = tree_of(ours.get());
        const Tree their_tree = tree_of(theirs.get());
        TreeMerger merger(repo.get());
        if (const auto tree = merger.trees(base_tree.get(), our_tree.get(), their_tree.get())) {
            tree_id = *tree;
            merged_fast = true;
        }
    }
    git_oidarray_dispose(&bases);
    if (!merged_fast) {
        outcome = full_merge(repo.get(), ours.get(), theirs.get(), tree_id);
        if (outcome.kind == MergeOutcome::Kind::conflict)
            return outcome;
    }
    const Tree tree = tree_at(repo.get(), &tree_id);
    git_signature* raw_signature = nullptr;
    check(git_signature_now(&raw_signature, "knot integration", "integration@knot.invalid"),
          "signature");
    const Signature signature(raw_signature);
    const git_commit* parents[] = {ours.get(), theirs.get()};
    git_oid commit_id;
    check(git_commit_create(&commit_id, repo.get(), nullptr, signature.get(), signature.get(),
                            "UTF-8", message.c_str(), tree.get(), 2, parents),
          "write merge commit");
    outcome.kind = MergeOutcome::Kind::merged;
    outcome.candidate = hex_of(commit_id);
    outcome.fast_path = merged_fast;
    return outcome;
}

bool IntegrationRepo::move(const std::string& expected, const std::string& target) const {
    return RoomRepository(m_repo).compare_and_swap(std::string(k_integration_ref), expected, target,
                                                   "knot: integrate");
}

} // namespace knot::server
