// The integration agent's workers and the pipeline of one run (see integration_agent.hpp).
#include "integration_agent.hpp"

#include "integration_run.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/protocol.hpp"
#include "log.hpp"
#include "room_repository.hpp"
#include "store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <sstream>

namespace knot::server {

IntegrationAgent::IntegrationAgent(Store& store, std::filesystem::path data_dir,
                                   std::string server_agent_id, int workers, SandboxPolicy sandbox)
    : m_store(store)
    , m_data_dir(std::move(data_dir))
    , m_server_agent_id(std::move(server_agent_id))
    , m_worker_count(std::max(1, workers))
    , m_sandbox_policy(sandbox) {}

IntegrationAgent::~IntegrationAgent() {
    stop();
}

std::filesystem::path IntegrationAgent::log_path(const std::string& room_id,
                                                 std::int64_t number) const {
    return m_data_dir / "runs" / room_id / (std::to_string(number) + ".log");
}

void IntegrationAgent::start() {
    if (!m_server_identity) // set_review was not called: verdicts are signed by a key of the run
        m_server_identity = std::make_unique<Identity>(Identity::generate());
    kill_orphaned_checks();
    m_sandbox = std::make_unique<CheckSandbox>(m_data_dir, m_sandbox_policy);
    log_line(m_sandbox->status_line());
    std::int64_t requeued = 0;
    m_store.write([&](Transaction& transaction) { requeued = transaction.requeue_running_runs(); });
    if (requeued > 0)
        log_line("integration: " + std::to_string(requeued) +
                 " run(s) interrupted by the last stop start again");
    const std::lock_guard lock(m_mutex);
    for (int i = 0; i < m_worker_count; ++i)
        m_workers.emplace_back([this] { work(); });
}

void IntegrationAgent::wake() {
    {
        const std::lock_guard lock(m_mutex);
        ++m_generation;
    }
    m_wake.notify_all();
}

void IntegrationAgent::stop() {
    {
        const std::lock_guard lock(m_mutex);
        if (m_stopping && m_workers.empty())
            return;
        m_stopping = true;
    }
    m_cancel = true;
    m_wake.notify_all();
    for (std::thread& worker : m_workers)
        worker.join();
    m_workers.clear();
}

// A check the server started survives the server's kill -9 (it runs in its own process group).
// Each running check's group id is kept in <scratch>/check.pgid; the group is killed here when
// its processes still carry that scratch tree's KNOT_SCRATCH, so a reused id is never hit.
void IntegrationAgent::kill_orphaned_checks() const {
    const std::filesystem::path scratch = m_data_dir / "scratch";
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(scratch, error)) {
        const std::filesystem::path marker = entry.path() / "check.pgid";
        std::ifstream in(marker);
        int pgid = 0;
        if (!(in >> pgid) || pgid <= 1)
            continue;
        std::ifstream environ("/proc/" + std::to_string(pgid) + "/environ", std::ios::binary);
        std::stringstream text;
        text << environ.rdbuf();
        if (text.str().find("KNOT_SCRATCH=" + entry.path().string() + '\0') != std::string::npos) {
            ::kill(-pgid, SIGKILL);
            log_line("integration: killed the checks a stopped server left running in " +
                     entry.path().string());
        }
        std::filesystem::remove(marker, error);
    }
}

void IntegrationAgent::work() {
    for (;;) {
        std::optional<RunRecord> run;
        {
            std::unique_lock lock(m_mutex);
            const std::uint64_t seen = m_generation;
            if (m_stopping)
                return;
            // Picked and marked running under the agent's lock: no two workers take one run.
            try {
                m_store.write([&](Transaction& transaction) {
                    run = transaction.next_queued_run(m_busy_rooms);
                    if (!run)
                        return;
                    run->status = "running";
                    run->started_at = unix_now();
                    ++run->attempts;
                    transaction.update_run(*run);
                    transaction.append_event(run->room_id, "integration.started", m_server_agent_id,
                                             run->started_at,
                                             nlohmann::json{{"run", run->number},
                                                            {"agent", run->agent_name},
                                                            {"ref", run->ref},
                                                            {"commit", run->commit_oid}}
                                                 .dump());
                });
            } catch (const std::exception& error) {
                log_line(std::string("error: integration queue: ") + error.what());
                run.reset();
            }
            if (!run) {
                m_wake.wait(lock, [&] { return m_stopping || m_generation != seen; });
                continue;
            }
            m_busy_rooms.push_back(run->room_id);
        }
        const std::string room = run->room_id;
        process(std::move(*run));
        {
            const std::lock_guard lock(m_mutex);
            m_busy_rooms.erase(std::find(m_busy_rooms.begin(), m_busy_rooms.end(), room));
            ++m_generation; // the room is free: its next run may start
        }
        m_wake.notify_all();
    }
}

void IntegrationAgent::process(RunRecord run) {
    const std::filesystem::path log = log_path(run.room_id, run.number);
    const std::string room = run.room_id;
    run_integration({m_store, m_data_dir, m_server_agent_id, m_cancel, log, *m_sandbox,
                     m_forge_policy, m_review, *m_server_identity},
                    std::move(run));
    maintain(room);
}

// Every push adds a pack to the room's repository; lookups slow down as packs pile up. git's
// own `gc --auto` (in the foreground, between this room's runs) does nothing until there are
// gc.autoPackLimit packs or enough loose objects, then repacks; objects no ref reaches are
// kept for two weeks, so a push whose pack is indexed but whose ref has not moved yet loses
// nothing.
void IntegrationAgent::maintain(const std::string& room_id) const {
    const RoomRepository repo(m_data_dir, room_id);
    const GitResult result =
        run_git({repo.git_dir_option(), "-c", "gc.autoDetach=false", "gc", "--auto", "--quiet"},
                m_data_dir);
    if (result.status != 0)
        log_line("integration: git gc --auto in " + repo.path().string() +
                 " failed: " + result.err.substr(0, result.err.find('\n')));
}

} // namespace knot::server
