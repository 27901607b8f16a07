// Test support: a disk that lies, preloaded into knot-server (LD_PRELOAD) by the durability test
// (tests/e2e/durability_test.cpp), so that a crash loses what a power cut would lose.
//
// A page cache holds every write until fsync puts it on the disk; a power cut drops what was not
// yet synced. This library records, before each change to a watched file, how to undo it, in an
// undo log (lying_disk_log.hpp); after the server was killed, revert_unsynced_writes
// (lying_disk_revert.hpp) undoes every change no fsync covered, newest first, and leaves the files
// as the disk would hold them after the power cut. Reads are not faked: the server sees its own
// writes, as it would through a real page cache.
//
// Environment (nothing watched, every call passed through, without KNOT_LYING_DISK_DIR):
//   KNOT_LYING_DISK_DIR    watched: regular files under it named *.db, *-wal or *-journal. Not
//                          *-shm: SQLite rebuilds the WAL index from the WAL when the first
//                          connection opens after a crash (it truncates the -shm file once it
//                          holds the DMS lock), so its content never matters after one.
//   KNOT_LYING_DISK_LOG    the undo log, appended to (created 0600).
//   KNOT_LYING_DISK_MODE   drop-unsynced (the default): fsync and fdatasync make the file's
//                          earlier changes durable; ignore-fsync: they return 0 and do nothing,
//                          a disk that lies about fsync too (the test's control).
//   KNOT_LYING_DISK_FAIL_SYNC  a path: once a file exists there, fsync and fdatasync of a
//                          watched file fail with EIO and sync nothing (a failing disk).
//   KNOT_LYING_DISK_CRASH  a file the test writes "<suffix> <k>" into (say "-wal 3") to arm a
//                          crash: from then on, right after the k-th write to a watched file
//                          whose name ends in <suffix>, the process kills itself with SIGKILL,
//                          which lands the crash inside a commit, with writes not yet synced.
//
// Interposed: write, pwrite, pwrite64, ftruncate, ftruncate64 (what Debian's libsqlite3 writes
// with: nm -D --undefined-only libsqlite3.so.0), fsync, fdatasync, and unlink (a deleted
// journal's records are dropped: no path reaches its content any more). Directory entries
// (creating, unlinking a file) count as durable at once, as does a file's existence: only data
// and sizes are reverted. Calls libc makes internally (fclose, fwrite) are not seen, and need not
// be: SQLite calls these through its own imports. A descriptor's path is read from
// /proc/self/fd/N and cached per descriptor with its device and inode, checked by fstat on each
// call, so a descriptor reused after a close this library never saw is looked up again. One mutex
// orders every watched change with its record. Not for sanitizer builds (tests/CMakeLists.txt
// does not build it there).
#include "lying_disk_log.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

using namespace knot::test::lying_disk;

using WriteFn = ssize_t (*)(int, const void*, size_t);
using PwriteFn = ssize_t (*)(int, const void*, size_t, off64_t);
using TruncateFn = int (*)(int, off64_t);
using SyncFn = int (*)(int);
using UnlinkFn = int (*)(const char*);

struct Real {
    WriteFn write;
    PwriteFn pwrite;
    PwriteFn pwrite64;
    TruncateFn ftruncate;
    TruncateFn ftruncate64;
    SyncFn fsync;
    SyncFn fdatasync;
    UnlinkFn unlink;
};

enum class Mode { pass_through, drop_unsynced, ignore_fsync };

// What a descriptor names: `state` 0 not looked up yet, 1 watched, 2 not watched.
struct FdEntry {
    int state;
    dev_t dev;
    ino_t ino;
    char path[PATH_MAX];
};

constexpr int k_cached_fds = 1024;

pthread_once_t g_once = PTHREAD_ONCE_INIT;
pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
Real g_real;
Mode g_mode = Mode::pass_through;
char g_dir[PATH_MAX];
char g_log_path[PATH_MAX];
char g_crash_path[PATH_MAX];
char g_fail_sync_path[PATH_MAX];
int g_log_fd = -1;
std::uint64_t g_seq = 0;
bool g_armed = false;
char g_crash_suffix[32];
long g_crash_left = 0;
FdEntry g_fds[k_cached_fds];
FdEntry g_scratch; // for descriptors past the cache

template <typename Fn> Fn real(const char* name) {
    return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

[[noreturn]] void die(const char* what) {
    char line[512];
    const int size =
        std::snprintf(line, sizeof line, "lying_disk: %s: %s\n", what, std::strerror(errno));
    if (g_real.write && size > 0)
        (void)g_real.write(2, line, static_cast<size_t>(size));
    std::abort();
}

void copy_env(const char* name, char* out, size_t size) {
    const char* value = std::getenv(name);
    if (value && std::strlen(value) < size)
        std::strcpy(out, value);
}

void initialize() {
    g_real = Real{real<WriteFn>("write"),          real<PwriteFn>("pwrite"),
                  real<PwriteFn>("pwrite64"),      real<TruncateFn>("ftruncate"),
                  real<TruncateFn>("ftruncate64"), real<SyncFn>("fsync"),
                  real<SyncFn>("fdatasync"),       real<UnlinkFn>("unlink")};
    const char* dir = std::getenv("KNOT_LYING_DISK_DIR");
    if (!dir || !*dir)
        return;
    // /proc/self/fd names the canonical path; the directory may not exist yet (the server makes
    // its data directory), so then it is taken as given.
    if (!realpath(dir, g_dir))
        copy_env("KNOT_LYING_DISK_DIR", g_dir, sizeof g_dir);
    copy_env("KNOT_LYING_DISK_LOG", g_log_path, sizeof g_log_path);
    copy_env("KNOT_LYING_DISK_CRASH", g_crash_path, sizeof g_crash_path);
    copy_env("KNOT_LYING_DISK_FAIL_SYNC", g_fail_sync_path, sizeof g_fail_sync_path);
    if (!*g_log_path)
        die("KNOT_LYING_DISK_DIR is set without KNOT_LYING_DISK_LOG");
    const char* mode = std::getenv("KNOT_LYING_DISK_MODE");
    if (!mode || !*mode || std::strcmp(mode, "drop-unsynced") == 0)
        g_mode = Mode::drop_unsynced;
    else if (std::strcmp(mode, "ignore-fsync") == 0)
        g_mode = Mode::ignore_fsync;
    else
        die("KNOT_LYING_DISK_MODE is drop-unsynced or ignore-fsync");
}

void ensure_initialized() {
    pthread_once(&g_once, initialize);
}

bool ends_with(const char* text, const char* suffix) {
    const size_t size = std::strlen(text), suffix_size = std::strlen(suffix);
    return size >= suffix_size && std::strcmp(text + size - suffix_size, suffix) == 0;
}

bool is_watched_path(const char* path) {
    const size_t dir_size = std::strlen(g_dir);
    return std::strncmp(path, g_dir, dir_size) == 0 && path[dir_size] == '/' &&
           (ends_with(path, ".db") || ends_with(path, "-wal") || ends_with(path, "-journal"));
}

// Appends one record with the real writev; the log is opened on the first.
void append(const RecordHeader& header, const char* path, const void* data) {
    if (g_log_fd < 0) {
        g_log_fd = open(g_log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (g_log_fd < 0)
            die(g_log_path);
    }
    iovec parts[3] = {{const_cast<RecordHeader*>(&header), sizeof header},
                      {const_cast<char*>(path), header.path_size},
                      {const_cast<void*>(data), header.data_size}};
    const size_t total = sizeof header + header.path_size + header.data_size;
    const ssize_t written = writev(g_log_fd, parts, 3);
    if (written < 0 || static_cast<size_t>(written) != total)
        die("cannot append to the undo log");
}

// With `fd` watched, returns its entry with g_mutex held; otherwise nullptr, unlocked.
FdEntry* lock_if_watched(int fd, struct stat& st) {
    if (g_mode == Mode::pass_through || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return nullptr;
    pthread_mutex_lock(&g_mutex);
    FdEntry& entry = fd >= 0 && fd < k_cached_fds ? g_fds[fd] : g_scratch;
    if (entry.state == 0 || entry.dev != st.st_dev || entry.ino != st.st_ino ||
        &entry == &g_scratch) {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        const ssize_t size = readlink(link, entry.path, sizeof entry.path - 1);
        entry.path[size > 0 ? size : 0] = '\0';
        entry.dev = st.st_dev;
        entry.ino = st.st_ino;
        entry.state = size > 0 && is_watched_path(entry.path) ? 1 : 2;
    }
    // The size again, under the mutex: another thread may have written since.
    if (entry.state == 1 && fstat(fd, &st) == 0)
        return &entry;
    pthread_mutex_unlock(&g_mutex);
    return nullptr;
}

// Records how to undo a change of `length` bytes at `offset` to the file of `entry`, whose size
// is `size`: the bytes it overwrites (those before the end of the file) and the size.
void record_change(const FdEntry& entry, int fd, off64_t offset, size_t length, off64_t size) {
    const off64_t end = offset + static_cast<off64_t>(length);
    const off64_t old_end = end < size ? end : size;
    const size_t data_size = old_end > offset ? static_cast<size_t>(old_end - offset) : 0;
    char* data = static_cast<char*>(std::malloc(data_size ? data_size : 1));
    if (!data)
        die("out of memory");
    // A descriptor opened for writing only cannot read: then the path is opened to read.
    const int reader = data_size && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY
                           ? open(entry.path, O_RDONLY | O_CLOEXEC)
                           : fd;
    size_t done = 0;
    while (done < data_size) {
        const ssize_t n =
            pread64(reader, data + done, data_size - done, offset + static_cast<off64_t>(done));
        if (n <= 0)
            die("cannot read what a write overwrites");
        done += static_cast<size_t>(n);
    }
    if (reader != fd)
        close(reader);
    RecordHeader header;
    header.kind = RecordKind::undo;
    header.seq = g_seq++;
    header.dev = entry.dev;
    header.ino = entry.ino;
    header.offset = offset;
    header.old_size = size;
    header.path_size = static_cast<std::uint32_t>(std::strlen(entry.path));
    header.data_size = static_cast<std::uint32_t>(data_size);
    append(header, entry.path, data);
    std::free(data);
}

// After a write to `entry`: arms the crash once its file exists, then counts down to it.
void maybe_crash(const FdEntry& entry) {
    if (!*g_crash_path)
        return;
    if (!g_armed) {
        const int fd = open(g_crash_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        char text[64] = {};
        const ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0 || std::sscanf(text, "%31s %ld", g_crash_suffix, &g_crash_left) != 2)
            die("KNOT_LYING_DISK_CRASH holds \"<suffix> <count>\"");
        g_armed = true;
    }
    if (!ends_with(entry.path, g_crash_suffix) || --g_crash_left != 0)
        return;
    RecordHeader header;
    header.kind = RecordKind::crash;
    header.seq = g_seq;
    append(header, "", nullptr);
    kill(getpid(), SIGKILL);
}

ssize_t watched_write(int fd, const void* buffer, size_t size, off64_t offset, bool positioned,
                      PwriteFn real_pwrite) {
    ensure_initialized();
    struct stat st;
    FdEntry* entry = lock_if_watched(fd, st);
    if (!entry)
        return positioned ? real_pwrite(fd, buffer, size, offset) : g_real.write(fd, buffer, size);
    if (!positioned)
        offset = (fcntl(fd, F_GETFL) & O_APPEND) ? st.st_size : lseek64(fd, 0, SEEK_CUR);
    record_change(*entry, fd, offset, size, st.st_size);
    const ssize_t written =
        positioned ? real_pwrite(fd, buffer, size, offset) : g_real.write(fd, buffer, size);
    const int error = errno;
    maybe_crash(*entry);
    pthread_mutex_unlock(&g_mutex);
    errno = error;
    return written;
}

int watched_truncate(int fd, off64_t length, TruncateFn real_truncate) {
    ensure_initialized();
    struct stat st;
    FdEntry* entry = lock_if_watched(fd, st);
    if (!entry)
        return real_truncate(fd, length);
    // Cutting the file records the bytes cut; growing it, only the old size.
    const size_t cut = length < st.st_size ? static_cast<size_t>(st.st_size - length) : 0;
    record_change(*entry, fd, length, cut, st.st_size);
    const int result = real_truncate(fd, length);
    pthread_mutex_unlock(&g_mutex);
    return result;
}

// Every change recorded before the sync began is durable once it returns; changes made while
// it ran may not be, so they stay revertible.
int watched_sync(int fd, SyncFn real_sync) {
    ensure_initialized();
    struct stat st;
    FdEntry* entry = lock_if_watched(fd, st);
    if (!entry)
        return real_sync(fd);
    RecordHeader header;
    header.kind = RecordKind::synced;
    header.seq = g_seq;
    header.dev = entry->dev;
    header.ino = entry->ino;
    pthread_mutex_unlock(&g_mutex);
    if (g_mode == Mode::ignore_fsync)
        return 0;
    if (*g_fail_sync_path && access(g_fail_sync_path, F_OK) == 0) {
        errno = EIO; // a failing disk: nothing synced, and the caller is told
        return -1;
    }
    const int result = real_sync(fd);
    if (result == 0) {
        pthread_mutex_lock(&g_mutex);
        append(header, "", nullptr);
        pthread_mutex_unlock(&g_mutex);
    }
    return result;
}

} // namespace

extern "C" {

ssize_t write(int fd, const void* buffer, size_t size) {
    return watched_write(fd, buffer, size, 0, false, nullptr);
}

ssize_t pwrite(int fd, const void* buffer, size_t size, off_t offset) {
    ensure_initialized();
    return watched_write(fd, buffer, size, offset, true, g_real.pwrite);
}

ssize_t pwrite64(int fd, const void* buffer, size_t size, off64_t offset) {
    ensure_initialized();
    return watched_write(fd, buffer, size, offset, true, g_real.pwrite64);
}

int ftruncate(int fd, off_t length) noexcept {
    ensure_initialized();
    return watched_truncate(fd, length, g_real.ftruncate);
}

int ftruncate64(int fd, off64_t length) noexcept {
    ensure_initialized();
    return watched_truncate(fd, length, g_real.ftruncate64);
}

int fsync(int fd) {
    ensure_initialized();
    return watched_sync(fd, g_real.fsync);
}

int fdatasync(int fd) {
    ensure_initialized();
    return watched_sync(fd, g_real.fdatasync);
}

int unlink(const char* path) noexcept {
    ensure_initialized();
    struct stat st;
    char resolved[PATH_MAX];
    if (g_mode == Mode::pass_through || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        !realpath(path, resolved) || !is_watched_path(resolved))
        return g_real.unlink(path);
    pthread_mutex_lock(&g_mutex);
    const int result = g_real.unlink(path);
    const int error = errno;
    if (result == 0) {
        // A new file may get the inode number: its descriptors are looked up again.
        for (FdEntry& entry : g_fds)
            if (entry.dev == st.st_dev && entry.ino == st.st_ino)
                entry.state = 0;
        RecordHeader header;
        header.kind = RecordKind::gone;
        header.seq = g_seq;
        header.dev = st.st_dev;
        header.ino = st.st_ino;
        append(header, "", nullptr);
    }
    pthread_mutex_unlock(&g_mutex);
    errno = error;
    return result;
}

} // extern "C"
