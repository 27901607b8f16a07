// The hosted rooms' bare repositories through libgit2 (see git_store.hpp).
#include "git_store.hpp"

#include "api_error.hpp"
#include "forge_policy.hpp"
#include "log.hpp"
#include "git_handles.hpp"
#include "libknot/crypto.hpp"
#include "libknot/git_command.hpp"

#include <git2.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>

namespace knot::server {
namespace {

using namespace git;
using Odb = Owned<git_odb, git_odb_free>;
using Walk = Owned<git_revwalk, git_revwalk_free>;
using Object = Owned<git_object, git_object_free>;

ApiError missing_objects(const std::string& tip) {
    return ApiError(400, "missing_objects",
                    "the repository lacks objects that " + tip + " needs; the pack is incomplete");
}

// Opens a room's repository, or nothing when `create` is false and it does not exist yet.
Repository open_repo(const std::filesystem::path& path, bool create) {
    ensure_init();
    git_repository* repo = nullptr;
    if (std::filesystem::exists(path / "HEAD")) {
        check(git_repository_open_bare(&repo, path.c_str()), "open repository");
        return Repository(repo);
    }
    if (!create)
        return nullptr;
    static std::mutex creating;
    const std::lock_guard lock(creating);
    check(git_repository_init(&repo, path.c_str(), 1), "create repository");
    return Repository(repo);
}

Odb odb_of(git_repository* repo) {
    git_odb* odb = nullptr;
    check(git_repository_odb(&odb, repo), "object database");
    return Odb(odb);
}

// Every blob and tree below `tree_id` exists; trees already in `seen` were checked before.
// Checks that every object of the tree `tree_id` is present. Entries identical to those of
// `known` (the same path in a tree already known to be complete: the first parent's) are
// skipped, so the cost follows what changed, not the size of the repository.
void check_tree(git_repository* repo, git_odb* odb, const git_oid& tree_id, const git_tree* known,
                std::set<std::string>& seen, const std::string& tip) {
    if (!seen.insert(hex_of(tree_id)).second)
        return;
    git_tree* raw = nullptr;
    if (git_tree_lookup(&raw, repo, &tree_id) < 0)
        throw missing_objects(tip);
    const Tree tree(raw);
    for (std::size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
        const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);
        const git_oid* id = git_tree_entry_id(entry);
        const git_tree_entry* before =
            known ? git_tree_entry_byname(known, git_tree_entry_name(entry)) : nullptr;
        if (before && git_oid_equal(git_tree_entry_id(before), id))
            continue; // unchanged: complete already
        switch (git_tree_entry_type(entry)) {
        case GIT_OBJECT_TREE: {
            git_tree* known_sub = nullptr;
            if (before && git_tree_entry_type(before) == GIT_OBJECT_TREE)
                git_tree_lookup(&known_sub, repo, git_tree_entry_id(before));
            const Tree owned_sub(known_sub);
            check_tree(repo, odb, *id, known_sub, seen, tip);
            break;
        }
        case GIT_OBJECT_BLOB:
            if (!git_odb_exists(odb, id))
                throw missing_objects(tip);
            break;
        default: // a submodule's commit lives in another repository
            break;
        }
    }
}

Tree tree_of_entry(git_repository* repo, const git_tree_entry* entry) {
    if (!entry || git_tree_entry_type(entry) != GIT_OBJECT_TREE)
        return nullptr;
    git_tree* tree = nullptr;
    if (git_tree_lookup(&tree, repo, git_tree_entry_id(entry)) < 0)
        return nullptr;
    return Tree(tree);
}

// Adds to `files` the paths below `prefix` that differ between the trees `before` and `after`
// (either may be null: absent), until it holds `max`. Subtrees with the same oid on both sides
// are skipped, so the cost follows the change rather than the size of the tree (libgit2's
// git_diff_tree_to_tree reads every tree of both sides: tens of milliseconds at 50,000 files).
// A path that changes between file and folder is listed itself and with the files below it.
void diff_trees(git_repository* repo, const git_tree* before, const git_tree* after,
                const std::string& prefix, std::vector<std::string>& files, std::size_t max) {
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
            const Tree sub = tree_of_entry(repo, entry);
            const Tree other_sub = tree_of_entry(repo, match);
            if (sub || other_sub)
                diff_trees(repo, added ? other_sub.get() : sub.get(),
                           added ? sub.get() : other_sub.get(), prefix + name + "/", files, max);
            const bool entry_is_file = git_tree_entry_type(entry) != GIT_OBJECT_TREE;
            const bool match_is_file = match && git_tree_entry_type(match) != GIT_OBJECT_TREE;
            if ((entry_is_file || match_is_file) && files.size() < max)
                files.push_back(prefix + name);
        }
    };
    visit(after, before, true);
    visit(before, after, false);
}

} // namespace

bool is_oid(std::string_view text) {
    return text.size() == GIT_OID_HEXSZ &&
           text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool is_forge_url(std::string_view url) {
    if (url.empty() || url.size() > 1024 || url.front() == '-')
        return false;
    // git reads `<transport>::<address>` as a remote helper (ext:: runs commands); "::" inside
    // an IPv6 literal ("https://[::1]/x") is no such thing.
    if (const std::size_t helper = url.find("::"); helper != std::string_view::npos &&
        url.substr(0, helper).find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                "0123456789+.-") == std::string_view::npos)
        return false;
    for (const unsigned char c : url)
        if (c < 0x20 || c == 0x7f)
            return false;
    if (url.front() == '/')
        return true;
    for (const std::string_view scheme : {"file://", "http://", "https://", "ssh://", "git://"})
        if (url.rfind(scheme, 0) == 0)
            return url.size() > scheme.size();
    if (url.find("://") != std::string_view::npos)
        return false;
    // scp-like: a colon before any slash, after a host that is not empty.
    const std::size_t colon = url.find(':');
    const std::size_t slash = url.find('/');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= url.size() ||
        (slash != std::string_view::npos && slash < colon))
        return false;
    const std::string_view host = url.substr(0, colon);
    return host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                  "@._-[]") == std::string_view::npos;
}

GitStore::GitStore(std::filesystem::path repos_dir)
    : m_repos_dir(std::move(repos_dir)) {}

std::filesystem::path GitStore::repo_path(const std::string& room_id) const {
    return m_repos_dir / (room_id + ".git");
}

std::map<std::string, std::string> GitStore::refs(const std::string& room_id) const {
    std::map<std::string, std::string> out;
    const Repository repo = open_repo(repo_path(room_id), false);
    if (!repo)
        return out;
    git_reference_iterator* raw = nullptr;
    check(git_reference_iterator_glob_new(&raw, repo.get(), "refs/knot/*"), "list refs");
    const Owned<git_reference_iterator, git_reference_iterator_free> iterator(raw);
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, iterator.get()) == 0) {
        const Reference owned(ref);
        if (const git_oid* target = git_reference_target(ref))
            out[git_reference_name(ref)] = hex_of(*target);
    }
    return out;
}

std::filesystem::path GitStore::incoming_path(const std::string& room_id) const {
    std::filesystem::create_directories(m_repos_dir);
    open_repo(repo_path(room_id), true);
    const std::filesystem::path dir = repo_path(room_id) / "knot-incoming";
    std::filesystem::create_directories(dir);
    std::random_device random;
    return dir / ("pack-" + std::to_string(random()) + std::to_string(random()));
}

std::size_t GitStore::write_pack(const std::string& room_id,
                                 const std::filesystem::path& pack) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    const Odb odb = odb_of(repo.get());
    git_odb_writepack* writer = nullptr;
    check(git_odb_write_pack(&writer, odb.get(), nullptr, nullptr), "write pack");
    const std::unique_ptr<git_odb_writepack, void (*)(git_odb_writepack*)> owned(
        writer, [](git_odb_writepack* w) { w->free(w); });
    git_indexer_progress stats{};
    std::ifstream in(pack, std::ios::binary);
    std::array<char, 64 * 1024> buffer{};
    while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
        if (writer->append(writer, buffer.data(), static_cast<std::size_t>(in.gcount()), &stats) <
            0)
            throw ApiError(400, "bad_pack", "the pack is not valid: " + last_error());
    }
    if (writer->commit(writer, &stats) < 0)
        throw ApiError(400, "bad_pack", "the pack is not valid: " + last_error());
    return stats.total_objects;
}

void GitStore::check_tip(const std::string& room_id, const RefUpdate& update) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    const Odb odb = odb_of(repo.get());
    const git_oid tip = oid_of(update.new_oid);
    git_object* raw = nullptr;
    if (git_object_lookup(&raw, repo.get(), &tip, GIT_OBJECT_ANY) < 0)
        throw missing_objects(update.new_oid);
    const Object object(raw);
    if (git_object_type(object.get()) != GIT_OBJECT_COMMIT)
        throw ApiError(400, "not_a_commit", update.new_oid + " is not a commit");

    // Commits reachable from the existing refs were checked when those refs moved.
    git_revwalk* walk_raw = nullptr;
    check(git_revwalk_new(&walk_raw, repo.get()), "revwalk");
    const Walk walk(walk_raw);
    check(git_revwalk_push(walk.get(), &tip), "revwalk");
    git_revwalk_hide_glob(walk.get(), "refs/knot/*");
    std::set<std::string> seen;
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
        check_tree(repo.get(), odb.get(), *git_commit_tree_id(commit), parent_tree, seen,
                   update.new_oid);
    }
    if (code != GIT_ITEROVER)
        throw missing_objects(update.new_oid);

    if (update.force || update.old_oid == k_zero_oid || update.old_oid == update.new_oid)
        return;
    const git_oid old = oid_of(update.old_oid);
    if (git_graph_descendant_of(repo.get(), &tip, &old) != 1)
        throw ApiError(409, "non_fast_forward",
                       update.new_oid + " does not descend from " + update.old_oid +
                           "; push with force to replace " + update.ref);
}

std::vector<std::string> GitStore::move_ref(const std::string& room_id, const RefUpdate& update,
                                            std::size_t max_files) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    const git_oid tip = oid_of(update.new_oid);
    git_reference* raw = nullptr;
    int code = 0;
    if (update.old_oid == k_zero_oid) {
        code = git_reference_create(&raw, repo.get(), update.ref.c_str(), &tip, 0, "knot push");
    } else {
        const git_oid old = oid_of(update.old_oid);
        code = git_reference_create_matching(&raw, repo.get(), update.ref.c_str(), &tip, 1, &old,
                                             "knot push");
    }
    if (code == GIT_EEXISTS || code == GIT_EMODIFIED || code == GIT_ENOTFOUND ||
        code == GIT_ELOCKED)
        throw ApiError(409, "stale_old",
                       update.ref + " is no longer at " + update.old_oid + "; fetch and retry");
    check(code, "update ref");
    git_reference_free(raw);

    // The changed paths, for teammates' notices.
    std::vector<std::string> files;
    auto tree_of = [&](const std::string& hex) -> Tree {
        if (hex == k_zero_oid)
            return nullptr;
        const git_oid id = oid_of(hex);
        git_commit* commit = nullptr;
        if (git_commit_lookup(&commit, repo.get(), &id) < 0)
            return nullptr;
        const Commit owned(commit);
        git_tree* tree = nullptr;
        if (git_commit_tree(&tree, commit) < 0)
            return nullptr;
        return Tree(tree);
    };
    const Tree old_tree = tree_of(update.old_oid);
    const Tree new_tree = tree_of(update.new_oid);
    diff_trees(repo.get(), old_tree.get(), new_tree.get(), "", files, max_files);
    std::sort(files.begin(), files.end());
    return files;
}

std::string GitStore::fetch_from_forge(const std::string& room_id, const ForgeTarget& target,
                                       const std::string& ref) const {
    std::filesystem::create_directories(m_repos_dir);
    open_repo(repo_path(room_id), true);
    const std::string git_dir = "--git-dir=" + repo_path(room_id).string();
    // Outside refs/knot/, so a concurrent list never shows it; removed whatever happens.
    const std::string landing = "refs/knot-forge/" + random_hex(8);
    std::vector<std::string> args = {git_dir};
    args.insert(args.end(), target.git_options.begin(), target.git_options.end());
    args.insert(args.end(), {"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--",
                             target.url, "+" + ref + ":" + landing});
    const GitResult fetched = run_git(args, m_repos_dir);
    const GitResult landed =
        run_git({git_dir, "rev-parse", "--verify", "-q", landing + "^{commit}"}, m_repos_dir);
    run_git({git_dir, "update-ref", "-d", landing}, m_repos_dir);
    if (fetched.status != 0 || landed.status != 0) {
        log_line("forge fetch for " + room_id + " failed: " +
                 fetched.err.substr(0, fetched.err.find('\n')));
        throw ApiError(502, "forge_unreachable",
                       "the server could not fetch " + ref +
                           " from the room's forge (unreachable, refused, or no such ref)");
    }
    return landed.out.substr(0, landed.out.find('\n'));
}

GitStore::PackRequest GitStore::plan_pack(const std::string& room_id,
                                          const std::vector<std::string>& wants,
                                          const std::vector<std::string>& haves) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    git_revwalk* walk_raw = nullptr;
    check(git_revwalk_new(&walk_raw, repo.get()), "revwalk");
    const Walk walk(walk_raw);
    PackRequest request;
    for (const std::string& want : wants) {
        const git_oid id = oid_of(want);
        git_commit* commit = nullptr;
        if (git_commit_lookup(&commit, repo.get(), &id) < 0)
            throw ApiError(400, "unknown_object", "the room's repository has no commit " + want);
        git_commit_free(commit);
        check(git_revwalk_push(walk.get(), &id), "revwalk");
        request.wants.push_back(want);
    }
    for (const std::string& have : haves) {
        const git_oid id = oid_of(have);
        git_commit* commit = nullptr;
        if (git_commit_lookup(&commit, repo.get(), &id) < 0)
            continue; // the client's own work, unknown here
        git_commit_free(commit);
        check(git_revwalk_hide(walk.get(), &id), "revwalk");
        request.haves.push_back(have);
    }
    // Trees and blobs travel with commits: no commit to send means nothing to send.
    git_oid next;
    request.empty = git_revwalk_next(&next, walk.get()) == GIT_ITEROVER;
    return request;
}

void GitStore::write_pack_to(const std::string& room_id, const PackRequest& request,
                             std::ostream& out) const {
    std::string revisions;
    for (const auto& want : request.wants)
        revisions += want + "\n";
    for (const auto& have : request.haves)
        revisions += "^" + have + "\n";
    const GitResult result =
        run_git_piped({"--git-dir=" + repo_path(room_id).string(), "pack-objects", "--stdout",
                       "--revs", "-q", "--delta-base-offset"},
                      m_repos_dir, revisions, [&](const char* data, std::size_t size) {
                          out.write(data, static_cast<std::streamsize>(size));
                      });
    if (result.status != 0)
        throw Error("git pack-objects failed for " + room_id + ": " +
                    result.err.substr(0, result.err.find('\n')));
}

} // namespace knot::server
