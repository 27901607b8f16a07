// The local repository through libgit2 (see local_repo.hpp).
#include "local_repo.hpp"

#include "libknot/error.hpp"
#include "libknot/git_command.hpp"

#include <git2.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <set>

namespace knot::remote {
namespace {

std::string last_error() {
    const git_error* error = git_error_last();
    return error && error->message ? error->message : "unknown libgit2 error";
}

void check(int code, const std::string& what) {
    if (code < 0)
        throw Error(what + ": " + last_error());
}

std::string hex_of(const git_oid& oid) {
    std::array<char, GIT_OID_HEXSZ + 1> text{};
    git_oid_tostr(text.data(), text.size(), &oid);
    return text.data();
}

bool parse_oid(const std::string& hex, git_oid& oid) {
    return hex.size() == GIT_OID_HEXSZ && git_oid_fromstr(&oid, hex.c_str()) == 0;
}

} // namespace

LocalRepo::LocalRepo() {
    git_libgit2_init();
    const char* git_dir = std::getenv("GIT_DIR");
    if (git_dir && *git_dir)
        check(git_repository_open(&m_repo, git_dir), "cannot open the repository");
    else
        check(git_repository_open_ext(&m_repo, ".", 0, nullptr), "cannot open the repository");
}

LocalRepo::~LocalRepo() {
    git_repository_free(m_repo);
    git_libgit2_shutdown();
}

std::optional<std::string> LocalRepo::resolve(const std::string& name) const {
    git_object* object = nullptr;
    if (git_revparse_single(&object, m_repo, name.c_str()) < 0)
        return std::nullopt;
    git_object* commit = nullptr;
    const int code = git_object_peel(&commit, object, GIT_OBJECT_COMMIT);
    git_object_free(object);
    if (code < 0)
        return std::nullopt;
    std::string hex = hex_of(*git_object_id(commit));
    git_object_free(commit);
    return hex;
}

bool LocalRepo::has(const std::string& oid) const {
    git_oid id;
    if (!parse_oid(oid, id))
        return false;
    git_odb* odb = nullptr;
    check(git_repository_odb(&odb, m_repo), "object database");
    const bool found = git_odb_exists(odb, &id) == 1;
    git_odb_free(odb);
    return found;
}

std::vector<std::string> LocalRepo::tips() const {
    std::set<std::string> tips;
    git_reference_iterator* iterator = nullptr;
    check(git_reference_iterator_new(&iterator, m_repo), "list refs");
    git_reference* ref = nullptr;
    while (git_reference_next(&ref, iterator) == 0) {
        git_object* commit = nullptr;
        if (git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) == 0) {
            tips.insert(hex_of(*git_object_id(commit)));
            git_object_free(commit);
        }
        git_reference_free(ref);
    }
    git_reference_iterator_free(iterator);
    return {tips.begin(), tips.end()};
}

std::string LocalRepo::pack_for(const std::string& tip, const std::vector<std::string>& hide,
                                Progress progress) const {
    git_oid id;
    if (!parse_oid(tip, id) || !has(tip))
        throw Error("cannot build the pack: " + tip + " is not in this repository");
    // git's own pack-objects: it walks only the trees that changed (its sparse walk) and reuses
    // stored deltas, where libgit2's packbuilder reads every tree of the hidden commits, which
    // made a one-file push grow with the size of the repository.
    std::string revisions = tip + "\n";
    for (const std::string& oid : hide)
        if (git_oid hidden; parse_oid(oid, hidden) && has(oid))
            revisions += "^" + oid + "\n";
    std::string pack;
    const std::string git_dir = git_repository_path(m_repo);
    std::vector<std::string> args = {"--git-dir=" + git_dir, "pack-objects", "--stdout", "--revs",
                                     "--delta-base-offset"};
    std::function<void(const char*, std::size_t)> show;
    if (progress == Progress::shown) {
        // The meters git push shows, "Writing objects" included (--all-progress with --stdout).
        args.insert(args.end(), {"--progress", "--all-progress"});
        show = [](const char* data, std::size_t size) {
            std::cerr.write(data, static_cast<std::streamsize>(size));
            std::cerr.flush();
        };
    } else {
        args.push_back("-q");
    }
    const GitResult made = run_git_piped(
        args, git_dir, revisions,
        [&](const char* data, std::size_t size) { pack.append(data, size); }, show);
    if (made.status != 0)
        throw Error("cannot build the pack: " + made.err.substr(0, made.err.find('\n')));
    // Nothing to send is an empty body, not a pack of no objects (header: "PACK", version, count).
    if (pack.size() >= 12 && pack.compare(8, 4, std::string(4, '\0')) == 0)
        pack.clear();
    return pack;
}

namespace {

// libgit2's indexer progress, drawn as git draws its "Receiving objects" meter.
int show_receiving(const git_indexer_progress* stats, void*) {
    if (stats->total_objects > 0)
        std::fprintf(stderr, "\rReceiving objects: %3u%% (%u/%u)",
                     stats->received_objects * 100 / stats->total_objects, stats->received_objects,
                     stats->total_objects);
    return 0;
}

} // namespace

void LocalRepo::write_pack(const std::string& pack, Progress progress) const {
    if (pack.empty())
        return;
    git_odb* odb = nullptr;
    check(git_repository_odb(&odb, m_repo), "object database");
    git_odb_writepack* writer = nullptr;
    const bool shown = progress == Progress::shown;
    int code = git_odb_write_pack(&writer, odb, shown ? show_receiving : nullptr, nullptr);
    git_indexer_progress stats{};
    if (code == 0)
        code = writer->append(writer, pack.data(), pack.size(), &stats);
    if (code == 0)
        code = writer->commit(writer, &stats);
    if (writer)
        writer->free(writer);
    git_odb_free(odb);
    if (shown)
        std::fprintf(stderr, code == 0 ? ", done.\n" : "\n");
    check(code, "the server sent a pack that is not valid");
}

} // namespace knot::remote
