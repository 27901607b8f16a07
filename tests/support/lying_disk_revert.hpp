// Test support: the other half of the lying disk (lying_disk.cpp): after the server it was
// preloaded into was killed, undoes every change to the watched files that no fsync covered,
// leaving them as a power cut would have.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace knot::test {

// What a revert found in the undo log and did.
struct RevertReport {
    std::int64_t changes = 0;  // changes recorded (writes and truncations)
    std::int64_t synced = 0;   // of them, made durable by a later fsync
    std::int64_t reverted = 0; // undone: never synced
    std::int64_t bytes_restored = 0;
    bool crashed = false; // the lying disk killed the server itself (KNOT_LYING_DISK_CRASH)
};

// How the lying disk treats fsync (KNOT_LYING_DISK_MODE).
enum class LyingDiskMode { drop_unsynced, ignore_fsync };

// The path of the lying disk's library, built beside the tests.
std::filesystem::path lying_disk_library();

// The environment that preloads the lying disk into a server watching `data_dir`, logging to
// `log`; with `crash_file`, the crash it arms (see lying_disk.cpp) once that file exists.
std::map<std::string, std::optional<std::string>>
lying_disk_environment(const std::filesystem::path& data_dir, const std::filesystem::path& log,
                       LyingDiskMode mode, const std::filesystem::path& crash_file = {});

// Arms the crash: the server kills itself right after its `count`-th write from now on to a
// watched file whose name ends in `suffix` ("-wal", ".db"). The file appears at once, whole.
void arm_lying_disk_crash(const std::filesystem::path& crash_file, const std::string& suffix,
                          int count);

// Undoes, newest first, every change `log` records that no later fsync of the same file covered
// (of a file still at its path: a deleted file's changes are gone with it). The process that
// wrote the log must have exited. A record cut short at the end of the log is the change that
// was about to be made when the process died, which never was: it is ignored. Throws
// std::runtime_error when the log cannot be read or a file cannot be restored.
RevertReport revert_unsynced_writes(const std::filesystem::path& log);

} // namespace knot::test
