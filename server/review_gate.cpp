// The review gate: modes, the review's life and its verdicts (see review_gate.hpp).
#include "review_gate.hpp"

#include "libknot/base/url.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/strict_json.hpp"
#include "log.hpp"
#include "review_material.hpp"
#include "review_services.hpp"
#include "store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace knot::server {
namespace {

using nlohmann::json;

constexpr std::chrono::seconds k_webhook_timeout{10};
constexpr std::int64_t k_max_model_seconds = 600;

GateOutcome outcome_of(const ReviewRecord& review) {
    GateOutcome outcome;
    outcome.kind = GateOutcome::Kind::verdict;
    outcome.verdict = verdict_from_word(review.verdict).value_or(Verdict::warn);
    outcome.reason = review.reason;
    outcome.review_id = review.id;
    outcome.reviewer = reviewer_label(review);
    outcome.verified = review.verified;
    outcome.advisory = review.state == "timed_out";
    return outcome;
}

void park(Transaction& transaction, RunRecord& run, const ReviewRecord& review) {
    run.status = "reviewing";
    run.summary = "waiting for review " + review.id + " (" + review.mode + ")";
    transaction.update_run(run);
}

json requested_event(const ReviewRecord& review, const std::string& agent_name) {
    return {{"review", review.id},
            {"run", review.run},
            {"agent", agent_name},
            {"mode", review.mode},
            {"candidate", review.candidate_oid},
            {"deadline", review.deadline}};
}

// The server's model answers at once, in the run: one write for the request (none when the
// request exists: a server stopped during the call asks again), the call, one for the verdict,
// signed with the server's key.
GateOutcome review_by_model(const GateEnvironment& env, RunRecord& run, ReviewRecord review,
                            const std::string& model, std::int64_t timeout, bool requested) {
    if (!requested)
        env.store.write([&](Transaction& transaction) {
            transaction.insert_review(review);
            transaction.append_event(run.room_id, "review.requested", env.server_agent_id,
                                     review.requested_at,
                                     requested_event(review, run.agent_name).dump());
        });
    ReviewAnswer answer;
    try {
        const ReviewMaterial material{run.agent_name, review.intent, review.diff_stat,
                                      review_diff(env.repo, run.base_oid, run.candidate_oid)};
        answer = read_review_answer(ask_model(
            env.options.anthropic_base_url, env.options.anthropic_key, model,
            review_prompt(material), std::chrono::seconds(std::min(timeout, k_max_model_seconds))));
    } catch (const std::exception& error) {
        log_line("review: " + review.id + " of room " + run.room_id + ": " + error.what());
        answer = {Verdict::warn, one_line_reason(std::string("the server's model could not review "
                                                             "it: ") +
                                                 error.what())};
    }
    const std::int64_t now = unix_now();
    review.state = "answered";
    review.verdict = std::string(verdict_word(answer.verdict));
    review.reason = answer.reason;
    review.reviewer = "server";
    review.verified = true;
    review.statement = review_statement(run.room_id, review.id, review.candidate_oid,
                                        answer.verdict, answer.reason, now);
    review.signature = env.server_identity.sign(review.statement);
    env.store.write([&](Transaction& transaction) {
        // The deadline may have passed during the call: the sweeper's WARN stands then.
        const std::optional<ReviewRecord> current = transaction.find_review(run.room_id, review.id);
        if (current && current->state != "pending" && current->state != "claimed") {
            review = *current;
            return;
        }
        conclude_review(transaction, review, now, env.server_agent_id);
    });
    return outcome_of(review);
}

// Where the webhook is told to answer: the tunnel `git knot up` started after this server, when
// there is one (the server cannot know it when it starts), else the server's own URL.
std::string public_url_of(const ReviewOptions& options) {
    if (options.tunnel_record.empty())
        return options.public_url;
    std::ifstream in(options.tunnel_record);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        const nlohmann::json record = parse_strict_json(text.substr(0, 4096), 4);
        if (record.is_object() && record.contains("url") && record["url"].is_string()) {
            std::string url = record["url"].get<std::string>();
            while (!url.empty() && url.back() == '/')
                url.pop_back();
            if (const auto parsed = parse_url(url); parsed && parsed->path.empty())
                return url;
        }
    } catch (const StrictJsonError&) {
    }
    return options.public_url;
}

// The webhook is told of the review with a credential that answers this review only; the run
// waits. A webhook that cannot be reached gives a WARN at once rather than a wait to the timeout.
GateOutcome review_by_webhook(const GateEnvironment& env, RunRecord& run, ReviewRecord review) {
    const std::string credential = random_hex(32);
    review.credential_sha256 = sha256_hex(credential);
    env.store.write([&](Transaction& transaction) {
        transaction.insert_review(review);
        park(transaction, run, review);
        transaction.append_event(run.room_id, "review.requested", env.server_agent_id,
                                 review.requested_at,
                                 requested_event(review, run.agent_name).dump());
    });
    const std::string diff = review_diff(env.repo, run.base_oid, run.candidate_oid);
    const std::string server_url = public_url_of(env.options);
    const std::string respond_path =
        "/v1/rooms/" + run.room_id + "/reviews/" + review.id + "/respond";
    const json payload = {
        {"review_id", review.id},
        {"room_id", run.room_id},
        {"agent_name", run.agent_name},
        {"diff_stat", review.diff_stat},
        {"intent", review.intent},
        {"diff", diff},
        {"candidate", review.candidate_oid},
        {"deadline", review.deadline},
        {"knot_server", server_url},
        {"sign", !env.options.webhook_key.empty()},
        {"respond_url", server_url + respond_path},
        {"credential", credential},
        {"prompt", review_prompt({run.agent_name, review.intent, review.diff_stat, diff})}};
    try {
        // A change's bytes need not be UTF-8 (a Latin-1 file, a commit subject): they are sent
        // as U+FFFD rather than making the dump throw, which would turn the review into a WARN.
        post_webhook(env.options.webhook_url,
                     payload.dump(-1, ' ', false, json::error_handler_t::replace),
                     k_webhook_timeout);
        return {GateOutcome::Kind::waiting, Verdict::warn, "", review.id, "webhook", false, false};
    } catch (const std::exception& error) {
        log_line("review: " + review.id + " of room " + run.room_id + ": " + error.what());
        const std::int64_t now = unix_now();
        env.store.write([&](Transaction& transaction) {
            std::optional<ReviewRecord> current = transaction.find_review(run.room_id, review.id);
            if (!current || (current->state != "pending" && current->state != "claimed"))
                return; // answered meanwhile
            current->state = "answered";
            current->verdict = "WARN";
            current->reason = one_line_reason(std::string("the review webhook could not be "
                                                          "asked: ") +
                                              error.what());
            current->reviewer = "";
            current->verified = false;
            conclude_review(transaction, *current, now, env.server_agent_id);
        });
        return {GateOutcome::Kind::waiting, Verdict::warn, "", review.id, "webhook", false, false};
    }
}

} // namespace

std::string reviewer_label(const ReviewRecord& review) {
    if (review.state == "timed_out")
        return "nobody (timed out)";
    if (review.reviewer == "server")
        return "the server's model";
    if (review.reviewer == "webhook")
        return "webhook";
    if (review.reviewer.empty()) // the server answered for a webhook it could not reach
        return review.state == "answered" ? "the server" : "";
    return "peer " + (review.reviewer_name.empty() ? review.reviewer : review.reviewer_name);
}

std::int64_t peer_claim_seconds(std::int64_t timeout_seconds) {
    return std::clamp<std::int64_t>(timeout_seconds / 5, 3, 60);
}

std::string review_mode_for(const Reader& reader, const ReviewOptions& options,
                            const RunRecord& run, std::int64_t now) {
    const std::string mode = reader.review_settings(run.room_id).mode;
    if (mode == "server")
        return options.anthropic_key.empty() ? "" : "server";
    if (mode == "webhook")
        return options.webhook_url.empty() ? "" : "webhook";
    if (mode == "peers")
        return "peers";
    if (mode != "auto")
        return "";
    if (!options.anthropic_key.empty())
        return "server";
    if (!options.webhook_url.empty())
        return "webhook";
    if (reader.has_other_watcher(run.room_id, run.agent_id, now))
        return "peers";
    return "";
}

GateOutcome review_run(const GateEnvironment& env, RunRecord& run) {
    const std::int64_t now = unix_now();
    std::optional<ReviewRecord> existing;
    std::string mode;
    ReviewSettings settings;
    ReviewRecord review;
    env.store.read([&](const Reader& reader) {
        existing = reader.review_of_run(run.room_id, run.number);
        if (existing && existing->candidate_oid == run.candidate_oid)
            return;
        // A server stopped while asking its model merged the run again on restart: the same
        // base and push, but a new merge commit (its time differs). Nobody answered the open
        // request, so it is asked again, of the new candidate.
        if (existing && existing->mode == "server" && existing->state == "pending" &&
            existing->base_oid == run.base_oid) {
            existing->candidate_oid = run.candidate_oid;
            return;
        }
        existing.reset();
        mode = review_mode_for(reader, env.options, run, now);
        if (mode.empty())
            return;
        settings = reader.review_settings(run.room_id);
        review.intent = review_intent(reader, run, env.repo);
    });
    if (existing && (existing->state == "answered" || existing->state == "timed_out"))
        return outcome_of(*existing);
    if (existing && existing->mode == "server") { // the server stopped while asking its model
        settings = ReviewSettings{};
        env.store.read(
            [&](const Reader& reader) { settings = reader.review_settings(run.room_id); });
        return review_by_model(env, run, *existing,
                               settings.model.empty() ? env.options.default_model : settings.model,
                               std::max<std::int64_t>(1, existing->deadline - now), true);
    }
    if (existing) { // still open: the run waits again
        env.store.write([&](Transaction& transaction) { park(transaction, run, *existing); });
        return {GateOutcome::Kind::waiting, Verdict::warn, "", existing->id, "", false, false};
    }
    if (mode.empty())
        return {};
    review.room_id = run.room_id;
    review.id = "rev_" + random_hex(8);
    review.run = run.number;
    review.author_id = run.agent_id;
    review.mode = mode;
    review.base_oid = run.base_oid;
    review.candidate_oid = run.candidate_oid;
    review.diff_stat = review_diff_stat(env.repo, run.base_oid, run.candidate_oid);
    review.state = "pending";
    review.requested_at = now;
    review.deadline = now + settings.timeout_seconds;
    if (mode == "server")
        return review_by_model(env, run, review,
                               settings.model.empty() ? env.options.default_model : settings.model,
                               settings.timeout_seconds, false);
    if (mode == "webhook")
        return review_by_webhook(env, run, review);
    env.store.write([&](Transaction& transaction) {
        transaction.insert_review(review);
        park(transaction, run, review);
        transaction.append_event(run.room_id, "review.requested", env.server_agent_id, now,
                                 requested_event(review, run.agent_name).dump());
    });
    return {GateOutcome::Kind::waiting, Verdict::warn, "", review.id, "peers", false, false};
}

void conclude_review(Transaction& transaction, ReviewRecord& review, std::int64_t now,
                     const std::string& author) {
    review.answered_at = now;
    review.credential_sha256.clear(); // a webhook's credential answers once
    review.claim_expires = 0;
    transaction.update_review(review);
    if (!review.reviewer.empty() && review.reviewer != "server" && review.reviewer != "webhook" &&
        review.reviewer_name.empty())
        if (const auto agent = transaction.find_agent(review.room_id, review.reviewer))
            review.reviewer_name = agent->name;
    const bool timed_out = review.state == "timed_out";
    const json data = {{"review", review.id},
                       {"run", review.run},
                       {"mode", review.mode},
                       {"candidate", review.candidate_oid},
                       {"verdict", review.verdict},
                       {"reason", review.reason},
                       {"reviewer", reviewer_label(review)},
                       {"verified", review.verified},
                       {"advisory", timed_out}};
    transaction.append_event(review.room_id, timed_out ? "review.timeout" : "review.verdict",
                             author, now, data.dump(), review.statement, review.signature);
    transaction.resume_reviewed_run(review.room_id, review.run);
}

bool expire_due_reviews(Store& store, const std::string& server_agent_id) {
    const std::int64_t now = unix_now();
    std::vector<ReviewRecord> due;
    store.read([&](const Reader& reader) { due = reader.due_reviews(now); });
    bool resumed = false;
    for (const ReviewRecord& candidate : due) {
        store.write([&](Transaction& transaction) {
            std::optional<ReviewRecord> review =
                transaction.find_review(candidate.room_id, candidate.id);
            if (!review || (review->state != "pending" && review->state != "claimed"))
                return;
            const std::int64_t window = peer_claim_seconds(review->deadline - review->requested_at);
            const bool unclaimed =
                review->mode == "peers" && review->state == "pending" &&
                std::max(review->requested_at, review->claim_expires) + window <= now;
            if (review->deadline <= now || unclaimed) {
                review->state = "timed_out";
                review->verdict = "WARN";
                review->reason = review->deadline <= now
                                     ? "nobody reviewed it within " +
                                           std::to_string(review->deadline - review->requested_at) +
                                           " s: it goes on, advisory only"
                                     : "no peer took it within " + std::to_string(window) +
                                           " s: it goes on, advisory only";
                review->reviewer.clear();
                review->verified = false;
                review->statement.clear();
                review->signature.clear();
                conclude_review(transaction, *review, now, server_agent_id);
                resumed = true;
            } else if (review->state == "claimed" && review->claim_expires <= now) {
                const std::string peer = review->claimed_by;
                review->state = "pending";
                review->claimed_by.clear();
                review->claim_expires = now; // another peer has a claim window from now
                transaction.update_review(*review);
                transaction.append_event(
                    review->room_id, "review.released", server_agent_id, now,
                    json{{"review", review->id}, {"run", review->run}, {"peer", peer}}.dump());
            }
        });
    }
    return resumed;
}

} // namespace knot::server
