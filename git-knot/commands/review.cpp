// git knot review: the room's reviews, answering one by hand, the owner's review settings, and
// --watch, which fulfils peer reviews with this agent's own local AI (knot.reviewer).
#include "command.hpp"
#include "git-knot/review_watch.hpp"
#include "git-knot/server_errors.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"
#include "libknot/protocol/wire_review.hpp"
#include "libknot/review/review_text.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace knot::cli {

namespace {

std::string shown_verdict(const wire::Review& review) {
    if (!review.verdict)
        return review.state == "claimed" ? "(" + review.claimed_by + " reviewing)" : "(waiting)";
    std::string text = *review.verdict;
    if (review.advisory)
        text += " (timed out, advisory)";
    else if (!review.verified)
        text += " (unverified)";
    return text;
}

void print_list(const wire::Reviews& reviews) {
    std::cout << "review mode: " << reviews.settings.mode << " (timeout "
              << reviews.settings.timeout << " s"
              << (reviews.settings.server_key ? ", server key" : "")
              << (reviews.settings.webhook ? ", webhook" : "") << ")\n";
    if (reviews.reviews.empty()) {
        std::cout << "no reviews yet\n";
        return;
    }
    for (const wire::Review& review : reviews.reviews) {
        std::string line = review.id + "  run " + std::to_string(review.run) + "  " + review.agent +
                           "  " + review.mode + "  " + shown_verdict(review);
        if (!review.reviewer.empty() && review.verdict)
            line += "  by " + review.reviewer;
        if (!review.reason.empty())
            line += ": " + review.reason;
        std::cout << terminal_text(line) << '\n';
    }
}

// Everything of a review but its id comes from the room (a member's commit subjects, file
// names and contents): it reaches the terminal without control characters.
void print_one(const wire::Review& review) {
    std::string text = "review " + review.id + " of run " + std::to_string(review.run) + " by " +
                       review.agent + " (" + review.mode + ", " + review.state + ")\n";
    text += "verdict: " + shown_verdict(review);
    if (review.verdict && !review.reviewer.empty())
        text += " by " + review.reviewer;
    text += '\n';
    if (!review.reason.empty())
        text += "reason: " + review.reason + '\n';
    if (!review.intent.empty())
        text += "\nintent:\n" + review.intent + '\n';
    text += "\n" + review.diff_stat + '\n';
    if (review.diff)
        text += *review.diff;
    std::cout << terminal_text(text, true);
}

int answer_by_hand(Session& session, const std::string& id, Verdict verdict,
                   const std::string& reason, bool json) {
    try {
        const auto review = session.client().get("/reviews/" + id).get<wire::Review>();
        const wire::Review answered = send_verdict(session, review, verdict, reason);
        if (json)
            std::cout << nlohmann::json(answered).dump(2) << '\n';
        else
            std::cout << answered.id << ": " << verdict_word(verdict) << " sent (run "
                      << answered.run << " of " << answered.agent << ")\n";
    } catch (const HttpError& error) {
        rethrow_refusal(error, "; no verdict was sent");
    }
    return 0;
}

int change_settings(Session& session, const std::optional<std::string>& mode,
                    const std::optional<std::int64_t>& timeout,
                    const std::optional<std::string>& model, bool json) {
    nlohmann::json body = nlohmann::json::object();
    if (mode)
        body["mode"] = *mode;
    if (timeout)
        body["timeout_seconds"] = *timeout;
    if (model)
        body["model"] = *model;
    try {
        const auto settings =
            session.client().post("/reviews/settings", body).get<wire::ReviewSettings>();
        if (json)
            std::cout << nlohmann::json(settings).dump(2) << '\n';
        else
            std::cout << "review mode: " << settings.mode << ", timeout " << settings.timeout
                      << " s" << (settings.model.empty() ? "" : ", model " + settings.model)
                      << '\n';
    } catch (const HttpError& error) {
        rethrow_refusal(error, "; the settings are unchanged");
    }
    return 0;
}

int run(CLI::App& app, const std::vector<std::string>& args) {
    std::string id;
    bool json = false;
    bool watching = false;
    std::string approve;
    std::string reject;
    std::string reason;
    std::optional<std::string> mode;
    std::optional<std::int64_t> timeout;
    std::optional<std::string> model;
    std::int64_t max_reviews = 0;
    app.add_option("id", id, "A review to show with its change");
    app.add_flag("--json", json, "Print JSON");
    app.add_flag("--watch", watching,
                 "Review the room's peer requests with the command in knot.reviewer");
    app.add_option("--approve", approve, "Answer a review PASS, signed")->option_text("review-id");
    app.add_option("--reject", reject, "Answer a review FAIL, signed (needs --reason)")
        ->option_text("review-id");
    app.add_option("--reason", reason, "Why, one line")->option_text("text");
    app.add_option("--mode", mode,
                   "Owner: the room's review mode: auto, off, server, webhook or peers")
        ->option_text("mode");
    app.add_option("--timeout", timeout, "Owner: seconds a review may take before it is a WARN")
        ->option_text("seconds")
        ->check(at_least(1));
    app.add_option("--model", model, "Owner: the model the server's key asks")->option_text("name");
    app.add_option("--max-reviews", max_reviews, "With --watch: stop after this many verdicts")
        ->option_text("count")
        ->check(at_least(1));
    if (!parse_args(app, args))
        return 0;
    const int actions = (watching ? 1 : 0) + (approve.empty() ? 0 : 1) + (reject.empty() ? 0 : 1) +
                        ((mode || timeout || model) ? 1 : 0) + (id.empty() ? 0 : 1);
    if (actions > 1)
        throw UsageError("give one of <id>, --watch, --approve, --reject and the settings");
    if (!reject.empty() && one_line_reason(reason).empty())
        throw UsageError("--reject needs --reason: say what is wrong");
    if (max_reviews != 0 && !watching)
        throw UsageError("--max-reviews goes with --watch");
    Session session;
    if (watching)
        return watch_reviews(session, max_reviews);
    if (!approve.empty())
        return answer_by_hand(session, approve, Verdict::pass, one_line_reason(reason), json);
    if (!reject.empty())
        return answer_by_hand(session, reject, Verdict::fail, one_line_reason(reason), json);
    if (mode || timeout || model)
        return change_settings(session, mode, timeout, model, json);
    try {
        if (!id.empty()) {
            const auto review = session.client().get("/reviews/" + id).get<wire::Review>();
            if (json)
                std::cout << nlohmann::json(review).dump(2) << '\n';
            else
                print_one(review);
            return 0;
        }
        const nlohmann::json answer = session.client().get("/reviews");
        if (json)
            std::cout << answer.dump(2) << '\n';
        else
            print_list(answer.get<wire::Reviews>());
    } catch (const HttpError& error) {
        rethrow_refusal(error);
    }
    return 0;
}

const Registration registration{
    {"review", "List the room's reviews, answer one, or review peers' changes with your AI", run}};

} // namespace

} // namespace knot::cli
