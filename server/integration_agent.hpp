// The integration agent: worker threads that take each accepted push through merge, checks and
// the review gate, and move refs/knot/integration only when all of them pass. The queue lives in
// the store (integration_runs), so a restart resumes it; one room runs one integration at a
// time, rooms run side by side up to the number of workers.
#pragma once

#include "check_sandbox.hpp"
#include "forge_policy.hpp"
#include "libknot/protocol/identity.hpp"
#include "review_gate.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace knot::server {

class Store;
struct RunRecord;

class IntegrationAgent {
public:
    // `server_agent_id` is the id of the server's own agent, the author of the agent's events.
    // `sandbox` is how checks run: sandboxed unless the host turned it off.
    IntegrationAgent(Store& store, std::filesystem::path data_dir, std::string server_agent_id,
                     int workers = 2, SandboxPolicy sandbox = SandboxPolicy::sandboxed);
    // Stops the workers (see stop).
    ~IntegrationAgent();
    IntegrationAgent(const IntegrationAgent&) = delete;
    IntegrationAgent& operator=(const IntegrationAgent&) = delete;

    // Recovers from a crash (runs left running are queued again; checks a killed server left
    // behind are killed), probes the check sandbox (a line in the log says what it found) and
    // starts the workers.
    void start();
    // Tells the workers a run was queued.
    void wake();
    // Kills running checks, puts their runs back in the queue and joins the workers.
    void stop();

    // The host's forge rules, checked again before each push of the integration ref to a forge.
    // Call before start().
    void set_forge_policy(ForgePolicy policy) { m_forge_policy = std::move(policy); }
    // The server's review modes and the key its model's verdicts are signed with. Call before
    // start().
    void set_review(ReviewOptions options, Identity server_identity) {
        m_review = std::move(options);
        m_server_identity = std::make_unique<Identity>(std::move(server_identity));
    }

    // Where run `number` of `room_id` keeps its check log.
    std::filesystem::path log_path(const std::string& room_id, std::int64_t number) const;

private:
    void work();
    void process(RunRecord run);
    void kill_orphaned_checks() const;
    void maintain(const std::string& room_id) const;

    Store& m_store;
    std::filesystem::path m_data_dir;
    std::string m_server_agent_id;
    int m_worker_count;
    ForgePolicy m_forge_policy;
    ReviewOptions m_review;
    std::unique_ptr<Identity> m_server_identity;
    SandboxPolicy m_sandbox_policy;
    std::unique_ptr<CheckSandbox> m_sandbox; // probed by start()

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::uint64_t m_generation = 0; // bumped by wake()
    bool m_stopping = false;
    std::atomic<bool> m_cancel{false};
    std::vector<std::string> m_busy_rooms;
    std::vector<std::thread> m_workers;
};

} // namespace knot::server
