// The hosted rooms' bare repositories through libgit2 (see git_store.hpp).
#include "git_store.hpp"

#include "api_error.hpp"
#include "forge_policy.hpp"
#include "git_handles.hpp"
#include "git_store_repo.hpp"
#include "libknot/base/hex.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/crypto.hpp"
#include "log.hpp"
#include "room_repository.hpp"

#include <git2.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>

namespace knot::server {

namespace git {

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

} // namespace git

namespace {

using namespace git;
using Walk = Owned<git_revwalk, git_revwalk_free>;

// The name of a quarantine directory under objects/: start-up cleanup removes any it finds.
constexpr std::string_view k_quarantine_prefix = "knot-quarantine-";
// A fetch may want a commit at most this many commits behind a ref's tip.
constexpr std::size_t k_max_reachability_walk = 1'000'000;

// One mutex per room repository, for the whole process: the server is the only writer of its
// data directory (DataDir's lock), so this is all the exclusion a ref move needs.
std::mutex& room_mutex(const std::filesystem::path& repo) {
    static std::mutex guard;
    static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
    const std::lock_guard lock(guard);
    auto& slot = mutexes[repo.string()];
    if (!slot)
        slot = std::make_unique<std::mutex>();
    return *slot;
}

// git's first few error lines, for a person.
std::string git_reason(const std::string& err) {
    std::string out;
    std::size_t from = 0;
    for (int lines = 0; lines < 3 && from < err.size(); ++lines) {
        const std::size_t end = std::min(err.find('\n', from), err.size());
        if (!out.empty())
            out += "; ";
        out += err.substr(from, end - from);
        from = end + 1;
    }
    return out.empty() ? "git index-pack failed" : out;
}

} // namespace

bool is_oid(std::string_view text) {
    return is_lower_hex(text, GIT_OID_HEXSZ);
}

Quarantine::Quarantine(std::filesystem::path objects_dir)
    : m_objects(std::move(objects_dir))
    , m_dir(m_objects / (std::string(k_quarantine_prefix) + random_hex(8))) {
    std::filesystem::create_directories(m_dir / "pack");
}

Quarantine::~Quarantine() {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
}

void Quarantine::keep() {
    // index-pack names the pack after its content, so a name already present holds the same
    // objects: keeping it is enough. The .idx goes last: a reader finds a pack by its index.
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir / "pack"))
        files.push_back(entry.path());
    const auto rank = [](const std::filesystem::path& file) { return file.extension() == ".idx"; };
    std::stable_sort(files.begin(), files.end(),
                     [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    for (const auto& file : files) {
        const auto target = m_objects / "pack" / file.filename();
        if (!std::filesystem::exists(target))
            std::filesystem::rename(file, target);
    }
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
}

GitStore::GitStore(std::filesystem::path data_dir, GitLimits limits)
    : m_data_dir(std::move(data_dir))
    , m_repos_dir(RoomRepository::repos_dir(m_data_dir))
    , m_limits(limits) {}

std::filesystem::path GitStore::repo_path(const std::string& room_id) const {
    return RoomRepository(m_data_dir, room_id).path();
}

std::map<std::string, std::string> GitStore::refs(const std::string& room_id) const {
    std::map<std::string, std::string> out;
    const Repository repo = open_repo(repo_path(room_id), false);
    if (!repo)
        return out;
    const auto lock = lock_room(room_id);
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

std::vector<std::string> GitStore::rooms() const {
    std::vector<std::string> out;
    for (const RoomRepository& repository : RoomRepository::all(m_data_dir))
        out.push_back(repository.room_id());
    return out;
}

std::unique_ptr<Quarantine> GitStore::quarantine(const std::string& room_id) const {
    std::filesystem::create_directories(m_repos_dir);
    open_repo(repo_path(room_id), true);
    return std::make_unique<Quarantine>(repo_path(room_id) / "objects");
}

std::size_t
GitStore::index_pack(const Quarantine& quarantine,
                     const std::function<std::size_t(char*, std::size_t)>& input) const {
    PackScanner scanner(m_limits.pack);
    const auto scanned = [&](char* buffer, std::size_t size) {
        const std::size_t got = input(buffer, size);
        scanner.feed(buffer, got);
        return got;
    };
    // The repository is the quarantine's parent's parent: <repo>/objects/knot-quarantine-*.
    const std::filesystem::path repo = quarantine.dir().parent_path().parent_path();
    GitResult result;
    std::string printed; // "pack\t<hash>\n": the name the pack takes in objects/pack
    try {
        // --strict: fsck every object (names such as .git or .., modes, malformed commits and
        // trees, objects whose type does not match the entry naming them); badFilemode is only
        // a warning to git fsck unless raised. The pack is written into the quarantine.
        result = run_git_streamed({"--git-dir=" + repo.string(), "index-pack", "--stdin",
                                   "--strict=badFilemode=error",
                                   "--max-input-size=" + std::to_string(m_limits.max_pack_bytes),
                                   (quarantine.dir() / "pack" / "incoming.pack").string()},
                                  m_repos_dir, scanned, [&](const char* data, std::size_t size) {
                                      if (printed.size() < 256)
                                          printed.append(data, size);
                                  });
        if (result.status == 0) {
            // Whatever git left unread must be nothing: the scanner refuses a byte after the
            // pack's end, so this reads at most one buffer.
            std::array<char, 4096> rest{};
            while (scanned(rest.data(), rest.size()) > 0) {
            }
            scanner.finish();
        }
    } catch (const PackRefused& refused) {
        throw ApiError(refused.wire_code(), refused.what());
    }
    if (result.status != 0 &&
        result.err.find("did not receive expected object") != std::string::npos)
        throw ApiError(error_code::missing_objects,
                       "the repository lacks objects that the pack's commits and trees name; the "
                       "pack is incomplete (" +
                           git_reason(result.err) + ")");
    if (result.status != 0)
        throw ApiError(error_code::bad_pack, "the pack is not valid: " + git_reason(result.err));
    // Named as git names packs, so that keep() never meets another push's pack of that name
    // unless it holds the same objects.
    const std::size_t tab = printed.find('\t');
    const std::string hash = printed.substr(tab + 1, printed.find('\n') - tab - 1);
    if (tab == std::string::npos || hash.empty() || !is_lower_hex(hash))
        throw std::runtime_error("git index-pack printed no pack name: " + printed);
    const std::filesystem::path pack_dir = quarantine.dir() / "pack";
    for (const char* extension : {".pack", ".idx", ".rev"})
        if (std::filesystem::exists(pack_dir / ("incoming" + std::string(extension))))
            std::filesystem::rename(pack_dir / ("incoming" + std::string(extension)),
                                    pack_dir / ("pack-" + hash + extension));
    return scanner.object_count();
}

std::unique_lock<std::mutex> GitStore::lock_room(const std::string& room_id) const {
    return std::unique_lock(room_mutex(repo_path(room_id)));
}

void GitStore::check_ref_at(const std::string& room_id, const RefUpdate& update) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    git_oid current;
    const int code = git_reference_name_to_id(&current, repo.get(), update.ref.c_str());
    const bool at_old = update.old_oid == k_zero_oid
                            ? code == GIT_ENOTFOUND
                            : code == 0 && hex_of(current) == update.old_oid;
    if (!at_old)
        throw ApiError(error_code::stale_old,
                       update.ref + " is no longer at " + update.old_oid + "; fetch and retry");
}

void GitStore::move_ref(const std::string& room_id, const RefUpdate& update) const {
    if (!RoomRepository(m_data_dir, room_id)
             .compare_and_swap(update.ref, update.old_oid, update.new_oid, "knot push"))
        throw ApiError(error_code::stale_old,
                       update.ref + " is no longer at " + update.old_oid + "; fetch and retry");
}

bool GitStore::settle_ref(const std::string& room_id, const std::string& ref,
                          const std::string& commit) const {
    const Repository repo = open_repo(repo_path(room_id), false);
    if (!repo || !is_oid(commit))
        return false;
    const git_oid target = oid_of(commit);
    git_oid current;
    if (git_reference_name_to_id(&current, repo.get(), ref.c_str()) == 0 &&
        git_oid_equal(&current, &target))
        return false;
    const Odb odb = odb_of(repo.get());
    if (!git_odb_exists(odb.get(), &target))
        return false;
    git_reference* raw = nullptr;
    check(git_reference_create(&raw, repo.get(), ref.c_str(), &target, 1, "knot: recorded push"),
          "settle ref");
    git_reference_free(raw);
    return true;
}

std::string GitStore::fetch_from_forge(const std::string& room_id, const ForgeTarget& target,
                                       const std::string& ref) const {
    std::filesystem::create_directories(m_repos_dir);
    open_repo(repo_path(room_id), true);
    const std::string git_dir = RoomRepository(m_data_dir, room_id).git_dir_option();
    // Outside refs/knot/, so a concurrent list never shows it; removed whatever happens.
    const std::string landing = "refs/knot-forge/" + random_hex(8);
    // The host's forge rules (only that URL's protocol, no redirects, the address pinned), and
    // fsckObjects: the forge's objects get the checks a push's get (git has no limit on what a
    // forge sends; its index-pack runs in git's own process, never in the server's).
    std::vector<std::string> args = {git_dir};
    args.insert(args.end(), target.git_options.begin(), target.git_options.end());
    args.insert(args.end(), {"-c", "fetch.fsckObjects=true", "-c", "transfer.fsckObjects=true",
                             "-c", "fetch.fsck.badFilemode=error", "fetch", "--quiet", "--no-tags",
                             "--no-write-fetch-head", "--", target.url, "+" + ref + ":" + landing});
    const GitResult fetched = run_git(args, m_repos_dir);
    const GitResult landed =
        run_git({git_dir, "rev-parse", "--verify", "-q", landing + "^{commit}"}, m_repos_dir);
    run_git({git_dir, "update-ref", "-d", landing}, m_repos_dir);
    if (fetched.status != 0 || landed.status != 0) {
        log_line("forge fetch for " + room_id +
                 " failed: " + fetched.err.substr(0, fetched.err.find('\n')));
        throw ApiError(error_code::forge_unreachable,
                       "the server could not fetch " + ref +
                           " from the room's forge (unreachable, refused, or no such ref)");
    }
    return landed.out.substr(0, landed.out.find('\n'));
}

GitStore::PackRequest GitStore::plan_pack(const std::string& room_id,
                                          const std::vector<std::string>& wants,
                                          const std::vector<std::string>& haves) const {
    const Repository repo = open_repo(repo_path(room_id), true);
    const std::map<std::string, std::string> tips = refs(room_id);
    std::set<std::string> wanted;
    for (const std::string& want : wants) {
        const git_oid id = oid_of(want);
        git_commit* commit = nullptr;
        if (git_commit_lookup(&commit, repo.get(), &id) < 0)
            throw ApiError(error_code::unknown_object,
                           "the room's repository has no commit " + want);
        git_commit_free(commit);
        wanted.insert(want);
    }
    for (const auto& [ref, tip] : tips)
        wanted.erase(tip);
    if (!wanted.empty()) {
        // A want that is no ref's tip must be in a ref's history: objects that reached the
        // object database without being accepted (a refused push's) are never served. The
        // walk is libgit2's (a queue, no recursion) and stops after a bounded number of
        // commits.
        git_revwalk* reach_raw = nullptr;
        check(git_revwalk_new(&reach_raw, repo.get()), "revwalk");
        const Walk reach(reach_raw);
        for (const auto& [ref, tip] : tips) {
            const git_oid id = oid_of(tip);
            git_revwalk_push(reach.get(), &id);
        }
        git_oid next;
        for (std::size_t walked = 0; !wanted.empty() && walked < k_max_reachability_walk &&
                                     git_revwalk_next(&next, reach.get()) == 0;
             ++walked)
            wanted.erase(hex_of(next));
        if (!wanted.empty())
            throw ApiError(error_code::unknown_object,
                           "the room's refs do not reach commit " + *wanted.begin());
    }
    git_revwalk* walk_raw = nullptr;
    check(git_revwalk_new(&walk_raw, repo.get()), "revwalk");
    const Walk walk(walk_raw);
    PackRequest request;
    for (const std::string& want : wants) {
        const git_oid id = oid_of(want);
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
        run_git_piped({RoomRepository(m_data_dir, room_id).git_dir_option(), "pack-objects",
                       "--stdout", "--revs", "-q", "--delta-base-offset"},
                      m_repos_dir, revisions, [&](const char* data, std::size_t size) {
                          out.write(data, static_cast<std::streamsize>(size));
                      });
    if (result.status != 0)
        throw Error("git pack-objects failed for " + room_id + ": " +
                    result.err.substr(0, result.err.find('\n')));
}

} // namespace knot::server
