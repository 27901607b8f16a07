// Test support: reverting what the lying disk never synced (see lying_disk_revert.hpp).
#include "lying_disk_revert.hpp"

#include "lying_disk_log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace knot::test {
namespace {

using lying_disk::RecordHeader;
using lying_disk::RecordKind;

// One recorded change: put `data` back at `offset`, then truncate to `old_size`.
struct Change {
    RecordHeader header;
    std::string path;
    std::string data;
};

using Inode = std::pair<std::uint64_t, std::uint64_t>;

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read the undo log " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error("lying disk revert: " + what + " " + path + ": " +
                             std::strerror(errno));
}

// Undoes `change` when its path still names the file it was made to. Returns whether it did.
bool undo(const Change& change) {
    const int fd = ::open(change.path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return false;
        fail("cannot open", change.path);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_dev != change.header.dev || st.st_ino != change.header.ino) {
        ::close(fd);
        return false;
    }
    std::size_t done = 0;
    while (done < change.data.size()) {
        const ssize_t n = ::pwrite(fd, change.data.data() + done, change.data.size() - done,
                                   change.header.offset + static_cast<off_t>(done));
        if (n <= 0) {
            ::close(fd);
            fail("cannot restore", change.path);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::ftruncate(fd, change.header.old_size) != 0) {
        ::close(fd);
        fail("cannot truncate", change.path);
    }
    ::close(fd);
    return true;
}

} // namespace

std::filesystem::path lying_disk_library() {
    return std::filesystem::path(KNOT_BUILD_DIR) / "tests" / "support" / "libknot_lying_disk.so";
}

std::map<std::string, std::optional<std::string>>
lying_disk_environment(const std::filesystem::path& data_dir, const std::filesystem::path& log,
                       LyingDiskMode mode, const std::filesystem::path& crash_file) {
    std::map<std::string, std::optional<std::string>> environment{
        {"LD_PRELOAD", lying_disk_library().string()},
        {"KNOT_LYING_DISK_DIR", std::filesystem::weakly_canonical(data_dir).string()},
        {"KNOT_LYING_DISK_LOG", log.string()},
        {"KNOT_LYING_DISK_MODE",
         mode == LyingDiskMode::drop_unsynced ? "drop-unsynced" : "ignore-fsync"}};
    if (!crash_file.empty())
        environment["KNOT_LYING_DISK_CRASH"] = crash_file.string();
    return environment;
}

void arm_lying_disk_crash(const std::filesystem::path& crash_file, const std::string& suffix,
                          int count) {
    const auto temporary = crash_file.string() + ".new";
    std::ofstream(temporary) << suffix << ' ' << count << '\n';
    std::filesystem::rename(temporary, crash_file);
}

RevertReport revert_unsynced_writes(const std::filesystem::path& log) {
    const std::string bytes = read_all(log);
    RevertReport report;
    std::vector<Change> changes;
    // Per file, the seq below which its changes are durable (synced) or unreachable (gone).
    std::map<Inode, std::uint64_t> synced_below, gone_below;
    std::size_t at = 0;
    while (bytes.size() - at >= sizeof(RecordHeader)) {
        RecordHeader header;
        std::memcpy(&header, bytes.data() + at, sizeof header);
        if (header.magic != lying_disk::k_magic)
            throw std::runtime_error("the undo log " + log.string() + " is corrupt at byte " +
                                     std::to_string(at));
        const std::size_t size = sizeof header + header.path_size + header.data_size;
        if (bytes.size() - at < size)
            break;
        const char* body = bytes.data() + at + sizeof header;
        const Inode inode{header.dev, header.ino};
        switch (header.kind) {
        case RecordKind::undo:
            changes.push_back({header, std::string(body, header.path_size),
                               std::string(body + header.path_size, header.data_size)});
            break;
        case RecordKind::synced:
            synced_below[inode] = std::max(synced_below[inode], header.seq);
            break;
        case RecordKind::gone:
            gone_below[inode] = std::max(gone_below[inode], header.seq);
            break;
        case RecordKind::crash:
            report.crashed = true;
            break;
        }
        at += size;
    }
    report.changes = static_cast<std::int64_t>(changes.size());
    for (auto change = changes.rbegin(); change != changes.rend(); ++change) {
        const Inode inode{change->header.dev, change->header.ino};
        if (change->header.seq < synced_below[inode]) {
            ++report.synced;
            continue;
        }
        if (change->header.seq < gone_below[inode] || !undo(*change))
            continue;
        ++report.reverted;
        report.bytes_restored += static_cast<std::int64_t>(change->data.size());
    }
    return report;
}

} // namespace knot::test
