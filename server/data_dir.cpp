// The server's data directory (see data_dir.hpp).
#include "data_dir.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/base/hex.hpp"
#include "room_repository.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace knot::server {
namespace {

std::string errno_text() {
    return std::strerror(errno);
}

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.rfind(prefix, 0) == 0;
}

bool ends_with(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A loose-object folder (objects/ab): thousands of content-named files, none of them a lock.
bool is_loose_object_dir(const std::filesystem::path& dir) {
    const std::string name = dir.filename().string();
    return name.size() == 2 && std::isxdigit(static_cast<unsigned char>(name[0])) &&
           std::isxdigit(static_cast<unsigned char>(name[1])) &&
           dir.parent_path().filename() == "objects";
}

// Removes below `git_dir` every *.lock file, a push's quarantine and its incoming pack from
// before quarantines, and the temporary packs of git (tmp_*) and libgit2 (pack_git2_*).
std::size_t remove_git_leftovers(const std::filesystem::path& git_dir) {
    std::size_t removed = 0;
    std::vector<std::filesystem::path> doomed;
    std::error_code error;
    std::filesystem::recursive_directory_iterator it(git_dir, error), end;
    for (; !error && it != end; it.increment(error)) {
        const std::filesystem::path& path = it->path();
        const std::string name = path.filename().string();
        const bool is_dir = it->is_directory(error);
        if (is_dir && (name == "knot-incoming" || starts_with(name, "knot-quarantine-"))) {
            doomed.push_back(path);
            it.disable_recursion_pending();
        } else if (is_dir && is_loose_object_dir(path)) {
            it.disable_recursion_pending();
        } else if (!is_dir && (ends_with(name, ".lock") ||
                               (path.parent_path().filename() == "pack" &&
                                (starts_with(name, "tmp_") || starts_with(name, "pack_git2_"))))) {
            doomed.push_back(path);
        }
    }
    for (const auto& path : doomed) {
        std::error_code ignored;
        if (std::filesystem::remove_all(path, ignored) > 0)
            ++removed;
    }
    return removed;
}

} // namespace

DataDir::DataDir(std::filesystem::path path)
    : m_path(std::move(path)) {
    std::error_code error;
    if (!std::filesystem::exists(m_path, error)) {
        std::filesystem::create_directories(m_path, error);
        if (error)
            throw Error("cannot create the data directory " + m_path.string() + ": " +
                        error.message());
        ::chmod(m_path.c_str(), 0700);
    }
    if (!std::filesystem::is_directory(m_path, error))
        throw Error(m_path.string() + " is not a directory");
    const auto lock_path = m_path / "knot.lock";
    m_lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_lock_fd < 0)
        throw Error("cannot open " + lock_path.string() + ": " + errno_text());
    if (::flock(m_lock_fd, LOCK_EX | LOCK_NB) != 0) {
        const int lock_errno = errno;
        const std::string holder = read_file(lock_path);
        ::close(m_lock_fd);
        m_lock_fd = -1;
        if (lock_errno == EWOULDBLOCK) {
            std::string pid = holder.substr(0, holder.find_first_of("\n"));
            throw Error("another knot-server is using " + m_path.string() + " (pid " +
                        (pid.empty() ? "unknown" : pid) + ")");
        }
        throw Error("cannot lock " + lock_path.string() + ": " + std::strerror(lock_errno));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(m_lock_fd, 0) != 0)
        throw Error("cannot write " + lock_path.string() + ": " + errno_text());
    write_all(m_lock_fd, pid, lock_path);
}

DataDir::~DataDir() {
    if (m_lock_fd >= 0)
        ::close(m_lock_fd);
}

std::string DataDir::admin_token() const {
    const auto path = m_path / "admin.token";
    const std::string fresh = random_hex(32);
    if (write_new_file(path, fresh, 0600))
        return fresh;
    const std::string token(trim_whitespace_end(read_file(path)));
    if (!is_lower_hex(token, 64))
        throw Error(path.string() + " does not hold an admin token (64 hex digits); remove it to "
                                    "have a new one made");
    return token;
}

Identity DataDir::server_identity() const {
    const auto path = m_path / "server.key";
    if (std::filesystem::exists(path))
        return Identity::load(path);
    Identity identity = Identity::generate();
    identity.save(path);
    return identity;
}

void DataDir::write_server_json(const std::string& url, std::int64_t started) const {
    const auto path = m_path / "server.json";
    write_file_atomic(
        path, nlohmann::json{{"pid", ::getpid()}, {"url", url}, {"started", started}}.dump() + "\n",
        0600);
}

std::size_t DataDir::remove_crash_leftovers() const {
    std::size_t removed = 0;
    std::error_code error;
    for (const RoomRepository& repository : RoomRepository::all(m_path))
        removed += remove_git_leftovers(repository.path());
    for (const auto& entry : std::filesystem::directory_iterator(m_path / "scratch", error))
        if (std::filesystem::is_directory(entry.path() / "git"))
            removed += remove_git_leftovers(entry.path() / "git");
    return removed;
}

void DataDir::remove_server_json() const {
    std::error_code ignored;
    std::filesystem::remove(m_path / "server.json", ignored);
}

} // namespace knot::server
