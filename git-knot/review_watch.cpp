// git knot review --watch: this agent fulfils the room's peer reviews with its own local AI.
// It tells the server it is watching (a peer counts as present for the next 90 s), claims each
// open request (one peer at a time reviews one request: the claim is atomic on the server, and
// lapses when its peer goes away), runs knot.reviewer with the prompt, and sends the verdict
// signed with its key. It wakes on review.requested and review.released events, and asks again
// every 20 s in any case.
#include "git-knot/review_watch.hpp"

#include "git-knot/ai_command.hpp"
#include "git-knot/server_errors.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "libknot/git/git_repo.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire.hpp"
#include "libknot/protocol/wire_reader.hpp"
#include "libknot/protocol/wire_review.hpp"
#include "libknot/review/review_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace knot::cli {

namespace {

constexpr std::chrono::seconds k_ask_again{20};
constexpr std::int64_t k_deadline_margin = 5;

std::atomic<bool> g_stop{false};
EventStream* g_stream = nullptr;

void stop_watching(int) {
    g_stop = true;
    if (g_stream)
        g_stream->stop();
}

// Wakes the loop when the room has news for reviewers, with the reviews the events name: the
// loop claims them at once rather than asking the server for the list first.
class Wakeup {
public:
    void notify(std::string review) {
        // Only a review id goes into a request's path.
        if (review.size() != 20 || review.rfind("rev_", 0) != 0 ||
            review.find_first_not_of("0123456789abcdef", 4) != std::string::npos)
            review.clear();
        {
            const std::lock_guard lock(m_mutex);
            if (m_reviews.size() < 100)
                m_reviews.push_back(std::move(review));
        }
        m_cv.notify_all();
    }
    // The reviews named since the last wait, after at most `at_most`.
    std::vector<std::string> wait(std::chrono::seconds at_most) {
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, at_most, [&] { return !m_reviews.empty() || g_stop.load(); });
        return std::exchange(m_reviews, {});
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::string> m_reviews;
};

// Reviews one claimed request. Returns false when the claim was lost or the review closed.
bool review_one(Session& session, const std::string& command, const std::string& id) {
    nlohmann::json claimed;
    try {
        claimed = session.client().post("/reviews/" + id + "/claim", nlohmann::json::object());
    } catch (const HttpError& error) {
        if (kind_of(error) == ServerErrorKind::refusal)
            return false; // another peer took it, or it closed: nothing to do
        throw;
    }
    const auto review = claimed.get<wire::Review>();
    const std::int64_t claim_seconds =
        std::max<std::int64_t>(3, claimed.value("claim_seconds", std::int64_t{60}));
    std::cout << "reviewing " << review.id << " (run " << review.run << " of "
              << terminal_text(review.agent) << ")\n"
              << std::flush;
    const ReviewMaterial material{review.agent, review.intent, review.diff_stat,
                                  review.diff.value_or("")};
    const std::int64_t left =
        std::max<std::int64_t>(10, review.deadline - unix_now() - k_deadline_margin);
    bool lost = false;
    const AiRun output = run_ai_command(
        command, review_prompt(material), std::chrono::seconds(left),
        std::chrono::seconds(claim_seconds / 3),
        [&] {
            try { // keep the claim while the reviewer thinks
                session.client().post("/reviews/" + review.id + "/claim", nlohmann::json::object());
            } catch (const HttpError&) {
                lost = true;
            }
        },
        g_stop);
    if (output.stopped)
        return false; // stopped by the user: the claim lapses and another peer takes it
    ReviewAnswer answer = read_review_answer(output.output);
    if (output.timed_out)
        answer = {Verdict::warn,
                  "the reviewer command did not answer within " + std::to_string(left) + " s"};
    else if (output.output.empty() && output.exit_code != 0)
        answer = {Verdict::warn,
                  "the reviewer command failed (exit " + std::to_string(output.exit_code) + ")"};
    try {
        send_verdict(session, review, answer.verdict, answer.reason);
    } catch (const HttpError& error) {
        if (kind_of(error) != ServerErrorKind::refusal)
            throw;
        std::cout << review.id << ": not sent: " << terminal_text(error.what()) << '\n'
                  << std::flush;
        return false;
    }
    std::cout << review.id << ": " << verdict_word(answer.verdict)
              << (answer.reason.empty() ? "" : ": " + terminal_text(answer.reason))
              << (lost ? " (claim lost)" : "") << '\n'
              << std::flush;
    return true;
}

} // namespace

int watch_reviews(Session& session, std::int64_t max_reviews) {
    const auto command = session.user_config("knot.reviewer");
    if (!command || command->empty())
        throw UsageError("no reviewer: set the command that reviews with your local AI, e.g. "
                         "git config knot.reviewer 'claude -p' (or 'codex exec', "
                         "'ollama run <model>'); it gets the prompt on standard input");
    std::signal(SIGPIPE, SIG_IGN); // a reviewer that stops reading its prompt ends no watch
    EventStream stream(session.room(), session.identity());
    g_stream = &stream;
    struct sigaction action {};
    action.sa_handler = stop_watching;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    Wakeup wakeup;
    const std::int64_t since = session.client().get("").get<wire::Room>().last_seq;
    std::thread follower([&] {
        try {
            stream.follow(since, [&](const nlohmann::json& frame) {
                const std::string type = json_text(frame, "type");
                const nlohmann::json data =
                    frame.contains("data") ? frame["data"] : nlohmann::json::object();
                if ((type == "review.requested" && json_text(data, "mode") == "peers") ||
                    type == "review.released")
                    wakeup.notify(json_text(data, "review"));
                return !g_stop.load();
            });
        } catch (const std::exception& error) {
            std::cerr << "knot: the event stream failed (" << error.what()
                      << "); asking every 20 s\n";
        }
    });
    std::cout << "watching the reviews of " << session.room().room << " with '" << *command
              << "' (Ctrl-C stops)\n"
              << std::flush;
    std::int64_t done = 0;
    int status = 0;
    std::vector<std::string> named; // by the events that woke the loop
    auto asked = std::chrono::steady_clock::time_point{};
    try {
        while (!g_stop && (max_reviews == 0 || done < max_reviews)) {
            std::vector<std::string> ids = std::exchange(named, {});
            // The list (and the server's note that this agent watches) at least every 20 s.
            if (ids.empty() || std::chrono::steady_clock::now() - asked >= k_ask_again) {
                const nlohmann::json answer =
                    session.client().post("/reviews/watch", nlohmann::json::object());
                asked = std::chrono::steady_clock::now();
                for (const auto& open :
                     wire::FieldReader(answer, "watch answer").objects<wire::Review>("reviews"))
                    if (std::find(ids.begin(), ids.end(), open.id) == ids.end())
                        ids.push_back(open.id);
            }
            bool any = false;
            for (const std::string& id : ids) {
                if (g_stop || (max_reviews != 0 && done >= max_reviews))
                    break;
                if (!id.empty() && review_one(session, *command, id)) {
                    ++done;
                    any = true;
                }
            }
            if (!any)
                named = wakeup.wait(k_ask_again);
        }
    } catch (...) {
        g_stop = true;
        stream.stop();
        follower.join();
        g_stream = nullptr;
        throw;
    }
    g_stop = true;
    stream.stop();
    follower.join();
    g_stream = nullptr;
    return status;
}

} // namespace knot::cli
