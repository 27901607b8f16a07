// The review requests of a room: the list and one review with its change, a peer's watch and
// claim, a member's signed verdict, a webhook's answer with its one-review credential, and the
// owner's review settings. docs/protocol.md, "Reviews".
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_review.hpp"
#include "libknot/review/review_text.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/review_gate.hpp"
#include "server/review_material.hpp"
#include "server/room_repository.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace knot::server {
namespace {

constexpr std::int64_t k_default_reviews = 20;
constexpr std::int64_t k_max_reviews = 200;
constexpr std::int64_t k_max_timeout = 86400;
constexpr std::size_t k_max_model_chars = 100;
constexpr std::int64_t k_statement_window = 300;

const ReviewOptions& options_of(const ServerContext& context) {
    static const ReviewOptions none;
    return context.review ? *context.review : none;
}

wire::Review review_view(const Reader& reader, const ReviewRecord& review) {
    wire::Review out;
    out.id = review.id;
    out.run = review.run;
    out.agent = review.author_name;
    out.agent_id = review.author_id;
    out.mode = review.mode;
    out.state = review.state;
    if (!review.base_oid.empty())
        out.base = review.base_oid;
    out.candidate = review.candidate_oid;
    out.intent = review.intent;
    out.diff_stat = review.diff_stat;
    out.requested_at = review.requested_at;
    out.deadline = review.deadline;
    if (!review.claimed_by.empty()) {
        const auto peer = reader.find_agent(review.room_id, review.claimed_by);
        out.claimed_by = peer ? peer->name : review.claimed_by;
    }
    if (!review.verdict.empty())
        out.verdict = review.verdict;
    out.reason = review.reason;
    out.reviewer = reviewer_label(review);
    if (review.reviewer != "server" && review.reviewer != "webhook")
        out.reviewer_id = review.reviewer;
    out.verified = review.verified;
    out.advisory = review.state == "timed_out";
    out.statement = review.statement;
    out.signature = review.signature;
    out.answered_at = review.answered_at;
    return out;
}

wire::ReviewSettings settings_view(const ReviewSettings& settings, const ReviewOptions& options) {
    return {settings.mode, settings.timeout_seconds, settings.model, !options.anthropic_key.empty(),
            !options.webhook_url.empty()};
}

ReviewRecord review_of(const Reader& reader, const Request& request, const std::string& room_id) {
    std::optional<ReviewRecord> review = reader.find_review(room_id, request.param("review"));
    if (!review)
        throw ApiError(error_code::unknown_review,
                       "there is no review " + request.param("review") + " in this room");
    return *review;
}

// The review with its change: the diff is read from the room's repository outside the store.
nlohmann::json shown_with_diff(const ServerContext& context, const std::string& room_id,
                               wire::Review view) {
    view.diff = review_diff(RoomRepository(context.data_dir, room_id).path(),
                            view.base.value_or(""), view.candidate);
    return view;
}

void wake(const ServerContext& context) {
    if (context.wake_integration)
        context.wake_integration();
}

Response list_reviews(const Request& request, ServerContext& context) {
    const std::int64_t limit = query_integer(request, "limit", k_default_reviews);
    if (limit < 1 || limit > k_max_reviews)
        throw bad_request("limit", "must be an integer from 1 to 200");
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        wire::Reviews out;
        out.settings = settings_view(reader.review_settings(room.id), options_of(context));
        for (const ReviewRecord& review : reader.reviews(room.id, limit))
            out.reviews.push_back(review_view(reader, review));
        return nlohmann::json(out);
    });
}

Response show_review(const Request& request, ServerContext& context) {
    wire::Review view;
    std::string room_id;
    context.store.read([&](const Reader& reader) {
        room_id = authenticate_room(reader, request).id;
        view = review_view(reader, review_of(reader, request, room_id));
    });
    return Response::json(200, shown_with_diff(context, room_id, view));
}

Response watch_reviews(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    body_object(request);
    const ReviewOptions& options = options_of(context);
    return call.answer(200, [&](Transaction& transaction) {
        transaction.watch_reviews(call.room().id, call.agent().id,
                                  call.now() + options.watch_seconds);
        nlohmann::json reviews = nlohmann::json::array();
        for (const ReviewRecord& review :
             transaction.claimable_reviews(call.room().id, call.agent().id, call.now()))
            reviews.push_back(review_view(transaction, review));
        return nlohmann::json{{"reviews", reviews}, {"watch_seconds", options.watch_seconds}};
    });
}

// A review still open to `agent`: not its own change, not answered, not claimed by a peer whose
// claim is still alive.
void check_open_to(const ReviewRecord& review, const AgentRecord& agent, std::int64_t now) {
    if (review.author_id == agent.id)
        throw ApiError(error_code::own_change,
                       "review " + review.id + " is of your own change: another agent reviews it");
    if (review.state != "pending" && review.state != "claimed")
        throw ApiError(
            error_code::review_closed,
            "review " + review.id + " is already " +
                (review.state == "timed_out" ? "timed out" : "answered (" + review.verdict + ")"));
    if (review.state == "claimed" && review.claimed_by != agent.id && review.claim_expires > now)
        throw ApiError(error_code::review_claimed,
                       "review " + review.id + " is being reviewed by another peer");
}

Response claim_review(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    body_object(request);
    wire::Review view;
    std::int64_t claim_seconds = 0;
    bool renewal = false;
    call.write([&](Transaction& transaction) {
        ReviewRecord review = review_of(transaction, request, call.room().id);
        check_open_to(review, call.agent(), call.now());
        // A fifth of the review's time, so a peer that goes away leaves time for another.
        claim_seconds = peer_claim_seconds(review.deadline - review.requested_at);
        if (review.mode != "peers")
            throw ApiError(error_code::review_closed, "review " + review.id + " goes to the " +
                                                          review.mode + ", not to peers");
        renewal = review.state == "claimed" && review.claimed_by == call.agent().id;
        review.state = "claimed";
        review.claimed_by = call.agent().id;
        review.claim_expires = call.now() + claim_seconds;
        transaction.update_review(review);
        if (!renewal)
            call.append_event(
                transaction, "review.claimed",
                {{"review", review.id}, {"run", review.run}, {"peer", call.agent().name}});
        view = review_view(transaction, review);
    });
    // A renewal (every few seconds while a peer's reviewer runs) does not read the diff again.
    nlohmann::json answer =
        renewal ? nlohmann::json(view) : shown_with_diff(context, call.room().id, view);
    answer["claim_seconds"] = claim_seconds;
    return Response::json(200, answer);
}

Verdict verdict_field(const nlohmann::json& body) {
    const std::string word = required_text(body, "verdict", 4, 4);
    const auto verdict = verdict_from_word(word);
    if (!verdict || word != verdict_word(*verdict))
        throw bad_request("verdict", "must be PASS, WARN or FAIL");
    return *verdict;
}

Response give_verdict(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    const Verdict verdict = verdict_field(body);
    const std::string reason = optional_text(body, "reason", 0, k_max_review_reason).value_or("");
    const auto timestamp = body.find("timestamp");
    if (timestamp == body.end() || !timestamp->is_number_integer() ||
        std::abs(timestamp->get<std::int64_t>() - call.now()) > k_statement_window)
        throw bad_request("timestamp", "must be the time of the verdict, within 5 minutes");
    const std::string signature = required_text(body, "signature", 1, 200);
    wire::Review view;
    call.write([&](Transaction& transaction) {
        ReviewRecord review = review_of(transaction, request, call.room().id);
        check_open_to(review, call.agent(), call.now());
        // A review the owner sent to the webhook or the server's model is theirs to answer: a
        // member's PASS racing them would take the gate out of their hands.
        if (review.mode != "peers")
            throw ApiError(error_code::review_closed, "review " + review.id + " goes to the " +
                                                          review.mode + ", not to peers");
        const std::string statement =
            review_statement(review.room_id, review.id, review.candidate_oid, verdict, reason,
                             timestamp->get<std::int64_t>());
        if (!knot::verify_signature(call.agent().public_key, statement, signature))
            throw ApiError(error_code::bad_signature,
                           "the verdict's signature does not verify against your key");
        review.state = "answered";
        review.verdict = std::string(verdict_word(verdict));
        review.reason = reason;
        review.reviewer = call.agent().id;
        review.reviewer_name = call.agent().name;
        review.verified = true;
        review.statement = statement;
        review.signature = signature;
        review.claimed_by.clear();
        conclude_review(transaction, review, call.now(), call.agent().id);
        view = review_view(transaction, review);
    });
    wake(context);
    return Response::json(200, view);
}

// A webhook service's answer. No invite token and no member key: the credential the server sent
// with this review answers this review, once, and nothing else; the verdict is unverified.
Response webhook_respond(const Request& request, ServerContext& context) {
    const std::string authorization = request.header("authorization");
    const std::string prefix = "Bearer ";
    const std::string credential =
        authorization.rfind(prefix, 0) == 0 ? authorization.substr(prefix.size()) : "";
    const auto refused = [] {
        return ApiError(error_code::bad_credential,
                        "the credential does not answer this review (send the one the "
                        "review's request carried, as Authorization: Bearer)");
    };
    if (credential.empty() || credential.size() > 200)
        throw refused();
    const std::int64_t now = unix_now();
    // The review the credential answers, still open; checked in a read first, so that a stranger
    // guessing credentials never takes the store's writer, and again in the write.
    const auto answerable = [&](const Reader& reader) {
        const std::optional<RoomRecord> room = reader.find_room(request.param("room"));
        std::optional<ReviewRecord> review;
        if (room)
            review = reader.find_review(room->id, request.param("review"));
        if (!review || review->mode != "webhook" || review->credential_sha256.empty() ||
            !constant_time_equal(sha256_hex(credential), review->credential_sha256))
            throw refused();
        if (review->state != "pending" || review->deadline <= now)
            throw ApiError(error_code::review_closed,
                           "review " + review->id + " is no longer open");
        return *review;
    };
    context.store.read([&](const Reader& reader) { answerable(reader); });
    const nlohmann::json body = body_object(request);
    const Verdict verdict = verdict_field(body);
    const std::string reason = optional_text(body, "reason", 0, k_max_review_reason).value_or("");
    // A webhook with a registered key signs its verdicts as a member does.
    const Bytes& key = options_of(context).webhook_key;
    std::int64_t signed_at = 0;
    std::string signature;
    if (!key.empty()) {
        const auto timestamp = body.find("timestamp");
        if (timestamp == body.end() || !timestamp->is_number_integer() ||
            std::abs(timestamp->get<std::int64_t>() - now) > k_statement_window)
            throw bad_request("timestamp", "must be the time of the verdict, within 5 minutes "
                                           "(this server has the webhook's key: sign verdicts)");
        signed_at = timestamp->get<std::int64_t>();
        signature = required_text(body, "signature", 1, 200);
    }
    wire::Review view;
    context.store.write([&](Transaction& transaction) {
        std::optional<ReviewRecord> review = answerable(transaction);
        review->state = "answered";
        review->verdict = std::string(verdict_word(verdict));
        review->reason = reason;
        review->reviewer = "webhook";
        review->verified = false;
        review->statement.clear();
        review->signature.clear();
        if (!key.empty()) {
            const std::string statement = review_statement(
                review->room_id, review->id, review->candidate_oid, verdict, reason, signed_at);
            if (!knot::verify_signature(key, statement, signature))
                throw ApiError(error_code::bad_signature,
                               "the verdict's signature does not verify against the webhook's "
                               "registered key");
            review->verified = true;
            review->statement = statement;
            review->signature = signature;
        }
        conclude_review(transaction, *review, now, context.server_agent_id);
        view = review_view(transaction, *review);
    });
    wake(context);
    return Response::json(200, view);
}

Response change_review_settings(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    if (!call.is_owner())
        throw ApiError(error_code::not_owner, "only the room's owner may change its review mode");
    ReviewSettings settings;
    context.store.read(
        [&](const Reader& reader) { settings = reader.review_settings(call.room().id); });
    if (const auto mode = optional_text(body, "mode", 1, 10)) {
        if (*mode != "auto" && *mode != "off" && *mode != "server" && *mode != "webhook" &&
            *mode != "peers")
            throw bad_request("mode", "must be auto, off, server, webhook or peers");
        settings.mode = *mode;
    }
    if (const auto it = body.find("timeout_seconds"); it != body.end()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
            it->get<std::int64_t>() > k_max_timeout)
            throw bad_request("timeout_seconds", "must be an integer from 1 to 86400");
        settings.timeout_seconds = it->get<std::int64_t>();
    }
    if (const auto model = optional_text(body, "model", 0, k_max_model_chars)) {
        for (const char c : *model)
            if (!std::isalnum(static_cast<unsigned char>(c)) &&
                std::string_view("-._:/@").find(c) == std::string_view::npos)
                throw bad_request("model", "must be a model name (letters, digits, -._:/@)");
        settings.model = *model;
    }
    const wire::ReviewSettings view = settings_view(settings, options_of(context));
    return call.answer(200, [&](Transaction& transaction) {
        transaction.set_review_settings(call.room().id, settings);
        call.append_event(transaction, "review.settings", view);
        return nlohmann::json(view);
    });
}

} // namespace

void add_review_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/reviews", list_reviews);
    router.add("POST", "/v1/rooms/{room}/reviews/watch", watch_reviews);
    router.add("POST", "/v1/rooms/{room}/reviews/settings", change_review_settings);
    router.add("GET", "/v1/rooms/{room}/reviews/{review}", show_review);
    router.add("POST", "/v1/rooms/{room}/reviews/{review}/claim", claim_review);
    router.add("POST", "/v1/rooms/{room}/reviews/{review}/verdict", give_verdict);
    router.add("POST", "/v1/rooms/{room}/reviews/{review}/respond", webhook_respond);
}

} // namespace knot::server
