// The tools of the review gate and the signed patch exchange: read the room's reviews and
// patches, answer a peer review or a patch (signed), share or submit this clone's work as a
// signed patch, apply a teammate's once its signature checks, and merge an approved one
// (see tools.hpp).
#include "libknot/client/patch_exchange.hpp"
#include "libknot/client/review_verdict.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/patch_statement.hpp"
#include "libknot/protocol/wire_reader.hpp"
#include "mcp/json_rpc.hpp"
#include "mcp/schema.hpp"
#include "mcp/tool_support.hpp"

#include <string>

namespace knot::mcp {
namespace {

using nlohmann::json;
namespace s = schema;

// The "id" argument when it is a review id, else invalid_params (it goes into a request's path).
std::string review_id_of(const json& arguments) {
    const std::string id = arguments.at("id").get<std::string>();
    if (!is_review_id(id))
        throw RpcError(invalid_params, "\"id\" must be a review id such as rev_0123456789abcdef");
    return id;
}

std::string patch_id_of(const json& arguments) {
    const std::string id = arguments.at("id").get<std::string>();
    if (!is_patch_id(id))
        throw RpcError(invalid_params, "\"id\" must be a patch id such as p0123456789");
    return id;
}

const json k_review_id = s::text(20, 20, "A review id, such as rev_0123456789abcdef");
const json k_patch_id = s::text(11, 11, "A patch id, such as p0123456789");

void add_review_tools(std::vector<Tool>& t) {
    t.push_back({"knot_reviews", "List or read reviews",
                 "The room's reviews of integration runs (the semantic gate: does a change do "
                 "what its agent said?), newest first, with state, verdict and reviewer; with "
                 "id, one review with its intent, diff stat and diff. Read-only.",
                 s::object({{"id", k_review_id}}, {}, true), s::object({}, {}, false), true, false,
                 true, [](Session& session, const json& arguments) {
                     if (arguments.contains("id"))
                         return json{{"review",
                                      session.client().get("/reviews/" + review_id_of(arguments))}};
                     return session.client().get("/reviews");
                 }});
    t.push_back(
        {"knot_review_verdict", "Answer a peer review",
         "Gives this agent's signed verdict on a peer review of another agent's change: PASS, "
         "WARN or FAIL with a one-line reason (FAIL holds the change back like a failed check). "
         "Refused for this agent's own change, or a review another peer claimed or that ended.",
         s::object({{"id", k_review_id},
                    {"verdict", s::choice({"PASS", "WARN", "FAIL"}, "The verdict")},
                    {"reason", s::text(0, 1000, "Why, one line (required for FAIL)")}},
                   {"id", "verdict"}, true),
         s::object({}, {}, false), false, false, false,
         [](Session& session, const json& arguments) {
             const std::string id = review_id_of(arguments);
             const Verdict verdict = *verdict_from_word(arguments.at("verdict").get<std::string>());
             const std::string reason = one_line_reason(arguments.value("reason", ""));
             if (verdict == Verdict::fail && reason.empty())
                 throw RpcError(invalid_params, "a FAIL needs a \"reason\": say what is wrong");
             const auto review = session.client().get("/reviews/" + id).get<wire::Review>();
             return json{{"review", send_verdict(session, review, verdict, reason)}};
         }});
}

void add_patch_tools(std::vector<Tool>& t) {
    t.push_back(
        {"knot_patches", "List or read signed patches",
         "The room's signed patches (drafts shared for a look, and submitted ones "
         "proposed for merging) with author, state, approvals and review verdict; with "
         "id, one patch with its signed statement and verdicts. Read-only.",
         s::object({{"id", k_patch_id}}, {}, true), s::object({}, {}, false), true, false, true,
         [](Session& session, const json& arguments) {
             if (arguments.contains("id"))
                 return json{{"patch", fetch_patch_record(session, patch_id_of(arguments))}};
             return session.client().get("/patches");
         }});
    t.push_back(
        {"knot_share", "Share uncommitted changes as a signed draft",
         "Signs this clone's uncommitted changes (staged and unstaged against HEAD, or only "
         "the staged ones) and shares them as a draft patch teammates can read and apply. The "
         "work tree, the index and the stash are left as they are.",
         s::object({{"message", s::text(1, 1000, "What the patch is for")},
                    {"staged", s::flag("Only the staged changes")}},
                   {"message"}, true),
         s::object({}, {}, false), false, false, false,
         [](Session& session, const json& arguments) {
             const PatchCommits commits = work_tree_commits(
                 session.clone().repo().workdir(),
                 arguments.value("staged", false) ? ChangeScope::staged : ChangeScope::all);
             return json{{"patch", publish_patch(session, commits, "draft",
                                                 arguments.at("message").get<std::string>())}};
         }});
    t.push_back(
        {"knot_submit", "Propose commits as a signed patch",
         "Signs and proposes commits for merging: range A..B or one commit, by default the "
         "current branch since refs/knot/integration. Another agent approves it (knot_patch_"
         "verdict), then knot_merge integrates it.",
         s::object({{"message", s::text(1, 1000,
                                        "What the patch is for (default: the tip's "
                                        "subject)")},
                    {"range", s::text(1, 200, "A..B, or one commit")}},
                   {}, true),
         s::object({}, {}, false), false, false, false,
         [](Session& session, const json& arguments) {
             const auto workdir = session.clone().repo().workdir();
             const PatchCommits commits = range_commits(workdir, arguments.value("range", ""));
             std::string message = arguments.value("message", "");
             if (message.empty())
                 message = default_message(workdir, commits);
             return json{{"patch", publish_patch(session, commits, "submitted", message)}};
         }});
    t.push_back(
        {"knot_patch_verdict", "Approve or reject a patch",
         "Approves a teammate's submitted patch, or rejects one with a reason, signed with "
         "this agent's key. An author cannot approve their own patch.",
         s::object({{"id", k_patch_id},
                    {"verdict", s::choice({"approve", "reject"}, "The answer")},
                    {"reason", s::text(1, 1000, "Why (required to reject)")}},
                   {"id", "verdict"}, true),
         s::object({}, {}, false), false, false, true, [](Session& session, const json& arguments) {
             const std::string id = patch_id_of(arguments);
             if (arguments.at("verdict") == "approve")
                 return session.client().post("/patches/" + id + "/approve", json::object());
             if (!arguments.contains("reason"))
                 throw RpcError(invalid_params, "rejecting needs a \"reason\"");
             return session.client().post("/patches/" + id + "/reject",
                                          {{"reason", arguments.at("reason")}});
         }});
    t.push_back(
        {"knot_apply", "Apply a teammate's patch",
         "Checks a patch against its author's signature first (a patch whose content does not "
         "match is refused and nothing is touched), then applies it to this clone's work tree, "
         "3-way where it does not apply cleanly. The outcome is clean, three_way or conflicts.",
         s::object({{"id", k_patch_id}}, {"id"}, true), s::object({}, {}, false), false, false,
         false, [](Session& session, const json& arguments) {
             const auto workdir = session.clone().repo().workdir();
             const wire::Patch patch = fetch_patch_record(session, patch_id_of(arguments));
             const auto agents = wire::FieldReader(session.client().get("/agents"), "agents")
                                     .objects<wire::Agent>("agents");
             verify_patch(patch, session.room().room, agents);
             fetch_patch_commits(workdir, patch);
             const ApplyOutcome outcome = apply_patch_commits(workdir, patch);
             return json{{"patch", patch.id},
                         {"verified", true},
                         {"outcome", outcome == ApplyOutcome::clean       ? "clean"
                                     : outcome == ApplyOutcome::three_way ? "three_way"
                                                                          : "conflicts"}};
         }});
    t.push_back(
        {"knot_merge", "Integrate an approved patch",
         "Sends a patch with another agent's approval and no standing rejection through the "
         "integration pipeline (merge, checks, review) and returns the queued run; its end "
         "arrives as an event (sync.integrated or a hold) and in knot_patches.",
         s::object({{"id", k_patch_id}}, {"id"}, true), s::object({}, {}, false), false, false,
         false, [](Session& session, const json& arguments) {
             return session.client().post("/patches/" + patch_id_of(arguments) + "/merge",
                                          json::object());
         }});
}

} // namespace

void add_review_and_patch_tools(std::vector<Tool>& tools) {
    add_review_tools(tools);
    add_patch_tools(tools);
}

} // namespace knot::mcp
