// `git knot bench`'s trials: a run's figures and the conditions it ran in, as one JSON line of a
// trials file, read back to print and to compare side by side.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knot {

struct BenchPlan;
struct BenchResult;

// Where and against what a run ran, as recorded with its figures.
struct BenchConditions {
    std::string server_version;
    std::string target;     // "local" for the throwaway server, else the room's URL
    std::string server_dir; // the throwaway server's data directory, "" for a room
    bool tls = false;
};

// The machine this runs on: {"cpu": model name, "cores": N, "kernel": "Linux 6.1.0-..."}.
nlohmann::json machine_conditions();

// The trial record of one run: {"id", "time", "conditions": {...}, "seconds", "ops": {"lock":
// {"count", "rate", "p50_ms", "p99_ms", "max_ms", "errors", "fanout": {"count", "p50_ms",
// "p99_ms", "max_ms", "missing"}}, ...}, "errors", "remains"}. Kinds the mix leaves out have no
// entry in "ops".
nlohmann::json trial_record(const std::string& id, const BenchPlan& plan,
                            const BenchConditions& conditions, const BenchResult& result);

// A trial read back: its number is its line in the file (from 1), which `--compare` accepts
// besides its id.
struct Trial {
    int number = 0;
    nlohmann::json record;
};

struct TrialFile {
    std::vector<Trial> trials;
    // One sentence per line that is not a trial ("trials.jsonl:3: not JSON ..."), skipped.
    std::vector<std::string> problems;
};

// Reads `path`; a missing file has no trials. A corrupt line is a problem, not an error.
TrialFile read_trials(const std::filesystem::path& path);

// Appends `record` as one line to `path` (creating its directory; after a last line without its
// line end, on a line of its own); returns its number.
int append_trial(const std::filesystem::path& path, const nlohmann::json& record);

// The trials `wanted` names (numbers or ids), in that order; nothing named: the last two.
// Throws knot::UsageError for a name no trial has, or when fewer than two trials result.
std::vector<Trial> pick_trials(const TrialFile& file, const std::vector<std::string>& wanted);

// Prints one trial's conditions and a line per operation.
void print_trial(std::ostream& out, const Trial& trial);

// Prints `trials` side by side: their conditions, then each operation's figures with each
// trial's ratio to the first (a rate above 1x is faster, a latency above 1x slower).
void print_comparison(std::ostream& out, const std::vector<Trial>& trials);

} // namespace knot
