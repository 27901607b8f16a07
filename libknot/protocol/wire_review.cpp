// The reviews' JSON objects, written and read (see wire_review.hpp).
#include "libknot/protocol/wire_review.hpp"

#include "libknot/protocol/wire_reader.hpp"

namespace knot::wire {

void to_json(nlohmann::json& out, const Review& review) {
    out = {{"id", review.id},
           {"run", review.run},
           {"agent", review.agent},
           {"agent_id", review.agent_id},
           {"mode", review.mode},
           {"state", review.state},
           {"base", text_or_null(review.base)},
           {"candidate", review.candidate},
           {"intent", review.intent},
           {"diff_stat", review.diff_stat},
           {"requested_at", review.requested_at},
           {"deadline", review.deadline},
           {"claimed_by", review.claimed_by},
           {"verdict", text_or_null(review.verdict)},
           {"reason", review.reason},
           {"reviewer", review.reviewer},
           {"reviewer_id", review.reviewer_id},
           {"verified", review.verified},
           {"advisory", review.advisory},
           {"statement", review.statement},
           {"signature", review.signature},
           {"answered_at", review.answered_at}};
    if (review.diff)
        out["diff"] = *review.diff;
}

void from_json(const nlohmann::json& in, Review& review) {
    const FieldReader fields(in, "review");
    fields.require({"id", "run", "state", "candidate"});
    review.id = fields.text("id");
    review.run = fields.integer("run");
    review.agent = fields.text("agent");
    review.agent_id = fields.text("agent_id");
    review.mode = fields.text("mode");
    review.state = fields.text("state");
    review.base = fields.nullable_text("base");
    review.candidate = fields.text("candidate");
    review.intent = fields.text("intent");
    review.diff_stat = fields.text("diff_stat");
    review.requested_at = fields.integer("requested_at");
    review.deadline = fields.integer("deadline");
    review.claimed_by = fields.text("claimed_by");
    review.verdict = fields.nullable_text("verdict");
    review.reason = fields.text("reason");
    review.reviewer = fields.text("reviewer");
    review.reviewer_id = fields.text("reviewer_id");
    review.verified = fields.flag("verified");
    review.advisory = fields.flag("advisory");
    review.statement = fields.text("statement");
    review.signature = fields.text("signature");
    review.answered_at = fields.integer("answered_at");
    review.diff = fields.nullable_text("diff");
}

void to_json(nlohmann::json& out, const ReviewSettings& settings) {
    out = {{"mode", settings.mode},
           {"timeout_seconds", settings.timeout},
           {"model", settings.model},
           {"server_key", settings.server_key},
           {"webhook", settings.webhook}};
}

void from_json(const nlohmann::json& in, ReviewSettings& settings) {
    const FieldReader fields(in, "review settings");
    fields.require({"mode", "timeout_seconds"});
    settings.mode = fields.text("mode");
    settings.timeout = fields.integer("timeout_seconds");
    settings.model = fields.text("model");
    settings.server_key = fields.flag("server_key");
    settings.webhook = fields.flag("webhook");
}

void to_json(nlohmann::json& out, const Reviews& reviews) {
    out = {{"settings", reviews.settings}, {"reviews", reviews.reviews}};
}

void from_json(const nlohmann::json& in, Reviews& reviews) {
    const FieldReader fields(in, "reviews");
    fields.require({"settings", "reviews"});
    reviews.settings = fields.object<ReviewSettings>("settings");
    reviews.reviews = fields.objects<Review>("reviews");
}

} // namespace knot::wire
