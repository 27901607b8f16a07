// Test support: the undo log the lying disk (lying_disk.cpp, preloaded into a server) appends to
// and lying_disk_revert.cpp reads after the server was killed. One process writes it, the same
// machine reads it: native byte order and layout.
#pragma once

#include <cstdint>

namespace knot::test::lying_disk {

inline constexpr std::uint32_t k_magic = 0x4b53444cu; // "LDSK"

enum class RecordKind : std::uint32_t {
    // A change about to be made to a file: putting `data` back at `offset` and truncating the
    // file to `old_size` undoes it. Followed by `path_size` bytes of path, then the data.
    undo = 1,
    // fsync or fdatasync of the file returned: its undo records with a seq below `seq` are on the
    // disk. Linux makes the whole inode durable, whichever descriptor wrote it.
    synced = 2,
    // The file was unlinked: its earlier undo records name content no path reaches any more.
    gone = 3,
    // The lying disk killed the process itself (KNOT_LYING_DISK_CRASH), right after a write.
    crash = 4,
};

// Every record starts with this header (56 bytes, no padding).
struct RecordHeader {
    std::uint32_t magic = k_magic;
    RecordKind kind = RecordKind::undo;
    std::uint64_t seq = 0; // undo: its own number, from 0; synced: see above
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::int64_t offset = 0;
    std::int64_t old_size = 0;
    std::uint32_t path_size = 0;
    std::uint32_t data_size = 0;
};

static_assert(sizeof(RecordHeader) == 56, "the undo log's header has no padding");

} // namespace knot::test::lying_disk
