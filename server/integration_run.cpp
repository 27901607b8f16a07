// The steps of one integration run (see integration_run.hpp).
#include "integration_run.hpp"

#include "check_sandbox.hpp"
#include "integration_forge.hpp"
#include "integration_git.hpp"
#include "libknot/checks/check_runner.hpp"
#include "libknot/checks/scratch_tree.hpp"
#include "libknot/protocol/protocol.hpp"
#include "log.hpp"
#include "review_gate.hpp"
#include "room_repository.hpp"
#include "store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>

namespace knot::server {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr int k_max_attempts = 5;
constexpr std::size_t k_max_listed_paths = 5;

std::int64_t ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string short_oid(const std::string& oid) {
    return oid.substr(0, 7);
}

// Thrown inside the advancing write when refs/knot/integration moved during the run (an undo):
// the write rolls back and the run is merged again onto the new state.
struct IntegrationMoved {};

class Pipeline {
public:
    Pipeline(const RunEnvironment& environment, RunRecord run)
        : m_env(environment)
        , m_run(std::move(run))
        , m_repo(repo_path()) {}

    void run() {
        try {
            steps();
        } catch (const std::exception& error) {
            log_line("error: integration run " + std::to_string(m_run.number) + " of room " +
                     m_run.room_id + ": " + error.what());
            // Members see fixed words: the error's own text can name the server's paths.
            const std::string shown = "the integration agent failed on run " +
                                      std::to_string(m_run.number) +
                                      " (the server's log has the reason)";
            try {
                finish("error", shown, "integration.error", {{"error", shown}}, {});
            } catch (const std::exception& again) {
                log_line(std::string("error: recording the failed run: ") + again.what());
            }
        }
    }

private:
    // "coder-1@abc1234": how runs name a push to people.
    std::string who() const {
        return (m_run.agent_name.empty() ? m_run.agent_id : m_run.agent_name) + "@" +
               short_oid(m_run.commit_oid);
    }

    json base_event() const {
        return json{{"run", m_run.number},
                    {"agent", m_run.agent_name},
                    {"ref", m_run.ref},
                    {"commit", m_run.commit_oid}};
    }

    void steps() {
        m_env.store.read(
            [&](const Reader& reader) { m_settings = reader.check_settings(m_run.room_id); });
        if (reviewed_candidate())
            return review(); // back from waiting for its review: merged and checked already
        m_run.base_oid = m_repo.integration();
        const auto merge_start = Clock::now();
        const MergeOutcome merge = m_repo.merge(m_run.base_oid, m_run.commit_oid, message());
        m_detail["merge_ms"] = ms_since(merge_start);
        m_detail["merge"] = merge.fast_path ? "tree" : "libgit2";
        if (merge.kind == MergeOutcome::Kind::up_to_date)
            return finish("up_to_date", who() + " is already part of refs/knot/integration",
                          "integration.skipped", {{"reason", "up_to_date"}}, {});
        if (merge.kind == MergeOutcome::Kind::conflict)
            return conflict(merge);
        m_run.candidate_oid = merge.candidate;
        if (!check())
            return;
        review();
    }

    // Whether this run waited for the review of a candidate that is still the one to advance
    // to: its verdict is in and refs/knot/integration has not moved since the merge.
    bool reviewed_candidate() {
        if (m_run.candidate_oid.empty())
            return false;
        std::optional<ReviewRecord> review;
        m_env.store.read([&](const Reader& reader) {
            review = reader.review_of_run(m_run.room_id, m_run.number);
        });
        if (!review || review->candidate_oid != m_run.candidate_oid ||
            (review->state != "answered" && review->state != "timed_out") ||
            m_repo.integration() != m_run.base_oid)
            return false;
        const json kept = json::parse(m_run.detail, nullptr, false);
        if (kept.is_object())
            m_detail = kept;
        return true;
    }

    // Step 3: the review gate. A run that must wait for its verdict is parked by the gate and
    // ends here; a worker takes it on when the verdict (or the timeout) puts it back in the queue.
    void review() {
        m_run.detail = m_detail.dump();
        const GateOutcome review = review_run(
            {m_env.store, m_env.review, m_env.server_identity, m_env.server_agent_id, repo_path()},
            m_run);
        if (review.kind == GateOutcome::Kind::waiting)
            return;
        if (review.kind == GateOutcome::Kind::unreviewed) {
            m_detail["review"] = {{"verdict", "PASS"}, {"reason", "no review mode is on"}};
            return advance();
        }
        m_detail["review"] = {
            {"id", review.review_id},      {"verdict", verdict_word(review.verdict)},
            {"reason", review.reason},     {"reviewer", review.reviewer},
            {"verified", review.verified}, {"advisory", review.advisory}};
        if (review.verdict == Verdict::fail)
            return finish("review_failed", who() + " failed review: " + review.reason,
                          "sync.review_failed",
                          {{"review", review.review_id},
                           {"reason", review.reason},
                           {"reviewer", review.reviewer}},
                          "Holding back " + who() + ": review " + review.review_id + " by " +
                              review.reviewer + " says FAIL: " + review.reason +
                              ". refs/knot/integration stays at " +
                              short_oid(m_run.base_oid.empty() ? "(none)" : m_run.base_oid) + ".");
        if (review.verdict == Verdict::warn)
            m_review_note = review.advisory ? " (review timed out: advisory)"
                                            : " (review warned: " + review.reason + ")";
        advance();
    }

    std::string message() const {
        return "Integrate " + who() + " (" + m_run.ref + ")\n\nMerged by knot's integration " +
               "agent, run " + std::to_string(m_run.number) +
               ".\nPushed commit: " + m_run.commit_oid + "\n";
    }

    void conflict(const MergeOutcome& merge) {
        json paths = json::array();
        std::string names;
        for (std::size_t i = 0; i < merge.conflicts.size(); ++i) {
            const MergeConflict& c = merge.conflicts[i];
            paths.push_back({{"path", c.path},
                             {"ancestor", c.ancestor},
                             {"ours", c.ours},
                             {"theirs", c.theirs}});
            if (i < k_max_listed_paths)
                names += (i ? ", " : "") + c.path;
        }
        if (merge.conflicts.size() > k_max_listed_paths)
            names +=
                " and " + std::to_string(merge.conflicts.size() - k_max_listed_paths) + " more";
        m_detail["conflicts"] = paths;
        finish("merge_conflict", who() + " conflicts with refs/knot/integration in " + names,
               "sync.merge_conflict", {{"integration", m_run.base_oid}, {"paths", paths}},
               "Merge conflict: " + who() + " (" + m_run.ref +
                   ") does not merge onto "
                   "refs/knot/integration " +
                   short_oid(m_run.base_oid) + " in " + names +
                   ". Fetch, merge refs/knot/integration and push again.");
    }

    // Step 2. False when the run ended here (failed, or cancelled and queued again).
    bool check() {
        if (m_settings.checks && m_settings.checks->empty()) {
            m_detail["checks"] = {{"source", "room settings"},
                                  {"verdict", "pass"},
                                  {"summary", "checks are off for this room"}};
            return true;
        }
        if (!m_settings.checks && !may_have_checks(m_repo.top_level_names(m_run.candidate_oid))) {
            m_detail["checks"] = {{"source", "none"},
                                  {"verdict", "pass"},
                                  {"summary", "nothing to check: no .knot/checks, no build files"}};
            return true; // a checkout of a large tree costs more than the merge itself
        }
        if (!m_env.sandbox.usable())
            return refuse_unconfined();
        const std::filesystem::path root = m_env.data_dir / "scratch" / m_run.room_id;
        const ScratchTree scratch(root, repo_path(), m_env.sandbox.owner(), m_env.sandbox.policy());
        const auto checkout_start = Clock::now();
        scratch.check_out(m_run.candidate_oid);
        m_detail["checkout_ms"] = ms_since(checkout_start);
        CheckPlan plan =
            plan_checks(m_settings.checks.value_or(std::vector<std::string>{}), scratch.tree());
        if (m_settings.checks)
            plan.source = "room settings";
        auto environment = scrubbed_environment(scratch.home(), scratch.tmp(), scratch.build());
        // Also what identifies the run's processes after a crash (kill_orphaned_checks): a
        // sandbox's bwrap keeps this environment, its command gets `inside`.
        environment["KNOT_SCRATCH"] = root.string();
        environment["KNOT_RUN"] = std::to_string(m_run.number);
        environment["KNOT_COMMIT"] = m_run.candidate_oid;
        CheckLimits limits;
        limits.time_limit = std::chrono::seconds(m_settings.time_limit_seconds);
        limits.cancel = &m_env.cancel;
        limits.on_start = [marker = root / "check.pgid"](int pgid) {
            std::ofstream(marker, std::ios::trunc) << pgid << "\n";
        };
        if (m_env.sandbox.policy() == SandboxPolicy::sandboxed) {
            const std::string inside_root(k_sandbox_root);
            auto inside = environment;
            inside["HOME"] = inside_root + "/home";
            inside["TMPDIR"] = "/tmp";
            inside["KNOT_BUILD_DIR"] = inside_root + "/build";
            inside["KNOT_SCRATCH"] = inside_root;
            limits.confinement = m_env.sandbox.confinement(scratch.work(), inside);
        }
        CheckOutcome outcome =
            run_checks(plan, scratch.tree(), environment, limits, m_env.log_path);
        std::error_code ignored;
        std::filesystem::remove(root / "check.pgid", ignored);
        if (outcome.verdict == CheckVerdict::pass && !std::filesystem::exists(scratch.tree())) {
            // What passed is not what was checked out: nothing vouches for the candidate.
            outcome.verdict = CheckVerdict::fail;
            outcome.summary = "the checks removed the scratch work tree; the next run makes it "
                              "again";
        }
        json names = json::array();
        for (const CheckCommand& command : plan.commands)
            names.push_back(command.name);
        m_detail["check_ms"] = outcome.duration.count();
        m_detail["checks"] = {{"source", plan.source},
                              {"commands", names},
                              {"verdict", verdict_name(outcome.verdict)},
                              {"summary", outcome.summary},
                              {"sandbox", m_env.sandbox.policy() == SandboxPolicy::sandboxed
                                              ? "bubblewrap"
                                              : "off (the host's --unsandboxed-checks)"}};
        if (outcome.verdict == CheckVerdict::pass)
            return true;
        if (outcome.verdict == CheckVerdict::cancelled) {
            requeue("the server stopped during the checks; the run starts again");
            return false;
        }
        m_detail["failed_command"] = outcome.command_name;
        m_detail["exit_code"] = outcome.exit_code;
        finish("check_failed", who() + " failed its checks: " + outcome.summary,
               "sync.check_failed",
               {{"candidate", m_run.candidate_oid},
                {"verdict", verdict_name(outcome.verdict)},
                {"command", outcome.command_name},
                {"exit_code", outcome.exit_code},
                {"summary", outcome.summary},
                {"tail", outcome.tail}},
               "Checks failed for " + who() + " merged onto refs/knot/integration: " +
                   outcome.summary + ". refs/knot/integration stays at " +
                   short_oid(m_run.base_oid.empty() ? "(none)" : m_run.base_oid) +
                   ". Log: git knot check --log " + std::to_string(m_run.number));
        return false;
    }

    // A room's checks never run unconfined by accident: where the sandbox does not work the
    // run fails with what the host can do about it. False, as check() returns.
    bool refuse_unconfined() {
        const std::string summary =
            "checks refused: they run only in the sandbox, which does not work here: " +
            m_env.sandbox.problem();
        m_detail["checks"] = {{"source", "refused"}, {"verdict", "error"}, {"summary", summary}};
        finish("check_failed", who() + " was not checked: " + summary, "sync.check_failed",
               {{"candidate", m_run.candidate_oid},
                {"verdict", "error"},
                {"command", ""},
                {"exit_code", 0},
                {"summary", summary},
                {"tail", ""}},
               "Checks refused for " + who() +
                   ": this server cannot sandbox them, and it does not run a room's checks "
                   "unconfined. refs/knot/integration stays where it is. " +
                   m_env.sandbox.problem());
        return false;
    }

    std::filesystem::path repo_path() const {
        return RoomRepository(m_env.data_dir, m_run.room_id).path();
    }

    // Step 4: the ref moves in the same write as the run's record and its event.
    void advance() {
        const auto start = Clock::now();
        const std::int64_t now = unix_now();
        m_run.status = "integrated";
        m_run.summary = "integrated " + who() + m_review_note;
        m_run.finished_at = now;
        try {
            m_env.store.write([&](Transaction& transaction) {
                m_detail["advance_ms"] = ms_since(start);
                m_run.detail = m_detail.dump();
                m_run.duration_ms = ms_since(m_started);
                transaction.update_run(m_run);
                json data = base_event();
                data["integration"] = m_run.candidate_oid;
                data["previous"] = m_run.base_oid;
                data["message"] = m_run.summary;
                data["duration_ms"] = m_run.duration_ms;
                if (m_detail.contains("review"))
                    data["review"] = m_detail["review"];
                transaction.append_event(m_run.room_id, "sync.integrated", m_env.server_agent_id,
                                         now, data.dump());
                if (!m_repo.move(m_run.base_oid, m_run.candidate_oid))
                    throw IntegrationMoved{};
            });
        } catch (const IntegrationMoved&) {
            if (m_run.attempts >= k_max_attempts)
                throw std::runtime_error("refs/knot/integration kept moving during the run");
            requeue("refs/knot/integration moved during the run (an undo); merging again");
            return;
        }
        push_to_forge();
    }

    // Forge mode: the forge gets the new integration ref too, so teammates see it there with the
    // server down (integration_forge.hpp).
    void push_to_forge() {
        push_integration_to_forge(
            {m_env.store, m_env.forge_policy, m_env.data_dir, m_env.server_agent_id}, m_run.room_id,
            base_event());
    }

    void requeue(const std::string& why) {
        m_run.status = "queued";
        m_run.summary = why;
        m_run.detail = m_detail.dump();
        m_env.store.write([&](Transaction& transaction) { transaction.update_run(m_run); });
    }

    void finish(const std::string& status, const std::string& summary, const std::string& type,
                json data, const std::string& chat) {
        const std::int64_t now = unix_now();
        m_run.status = status;
        m_run.summary = summary;
        m_run.finished_at = now;
        m_run.duration_ms = ms_since(m_started);
        m_run.detail = m_detail.dump();
        json event = base_event();
        event.update(data);
        event["summary"] = summary;
        m_env.store.write([&](Transaction& transaction) {
            transaction.update_run(m_run);
            transaction.append_event(m_run.room_id, type, m_env.server_agent_id, now, event.dump());
            if (!chat.empty())
                transaction.append_event(m_run.room_id, "chat.message", m_env.server_agent_id, now,
                                         json{{"text", chat}}.dump());
        });
    }

    const RunEnvironment& m_env;
    RunRecord m_run;
    IntegrationRepo m_repo;
    json m_detail = json::object();
    CheckSettings m_settings;  // read as the run starts
    std::string m_review_note; // what the summary says of a WARN
    Clock::time_point m_started = Clock::now();
};

} // namespace

void run_integration(const RunEnvironment& environment, RunRecord run) {
    Pipeline(environment, std::move(run)).run();
}

} // namespace knot::server
