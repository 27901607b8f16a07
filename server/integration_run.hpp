// One integration run from merge to verdict: merge the pushed tip onto refs/knot/integration,
// check the candidate in the room's scratch tree, ask the review gate, then advance the ref
// (compare-and-swap) or hold it, recording the outcome and its event in one write.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

namespace knot {
class Identity;
}

namespace knot::server {

class CheckSandbox;
struct ReviewOptions;
class Store;
struct ForgePolicy;
struct RunRecord;

struct RunEnvironment {
    Store& store;
    std::filesystem::path data_dir;
    std::string server_agent_id;     // the author of the run's events and chat messages
    const std::atomic<bool>& cancel; // the server is stopping: the run goes back to the queue
    std::filesystem::path log_path;  // where the check log goes
    const CheckSandbox& sandbox;     // how checks are confined, or why they are refused
    const ForgePolicy& forge_policy; // checked before the integration ref goes to the forge
    const ReviewOptions& review;     // the server's review modes
    const Identity& server_identity; // signs the server model's verdicts
};

// Takes `run` (already marked running) to its end. Never throws: an internal failure ends the
// run with status `error` and an integration.error event.
void run_integration(const RunEnvironment& environment, RunRecord run);

} // namespace knot::server
