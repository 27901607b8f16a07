// Patches (docs/protocol.md, "Patches"): a member's signed statement of a diff whose objects it
// pushed to refs/knot/<name>/patches/<id>, listed, approved or rejected by the others, and merged
// through the integration agent once approved.
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/patch_statement.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/refs.hpp"
#include "libknot/protocol/wire_patch.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/git_store.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/room_repository.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/store.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

// A member cannot fill the disk with patches: each row is a few KiB at most.
constexpr std::int64_t k_max_patches_per_agent = 1000;
constexpr std::int64_t k_max_listed = 1000;
constexpr std::size_t k_max_reason_chars = 1000;
// A statement signed this long before or after the request is refused: the time it carries is
// then a claim nobody can check.
constexpr std::int64_t k_statement_window_seconds = k_signature_window_seconds;

// The runs that still may integrate a patch: a second merge of it waits for them to end.
bool run_pending(const std::string& status) {
    return status == "queued" || status == "running" || status == "held_locked";
}

wire::Patch patch_view(const PatchRecord& patch, const std::vector<VerdictRecord>& verdicts) {
    wire::Patch out;
    out.id = patch.id;
    out.author = patch.author_id;
    out.author_name = patch.author_name;
    out.kind = patch.kind;
    out.state = patch.run > 0 ? patch.run_status : patch.kind;
    out.ref = patch.ref;
    out.base = patch.base_oid;
    out.tip = patch.tip_oid;
    out.message = patch.message;
    out.time = patch.signed_at;
    out.created_at = patch.created_at;
    out.statement = patch.statement;
    out.signature = patch.signature;
    for (const VerdictRecord& verdict : verdicts) {
        (verdict.verdict == "approve" ? out.approvals : out.rejections) += 1;
        out.verdicts.push_back(
            {verdict.agent_id, verdict.agent_name, verdict.verdict, verdict.reason, verdict.time});
    }
    if (patch.run > 0) {
        wire::PatchRun run{patch.run, patch.run_status, std::nullopt};
        const auto detail = nlohmann::json::parse(patch.run_detail, nullptr, false);
        if (detail.is_object() && detail.contains("review") && detail["review"].is_object() &&
            detail["review"].value("verdict", nlohmann::json()).is_string())
            run.review = detail["review"]["verdict"].get<std::string>();
        out.run = run;
    }
    return out;
}

wire::Patch patch_view(const Reader& reader, const PatchRecord& patch) {
    return patch_view(patch, reader.verdicts(patch.room_id, patch.id));
}

// The patch the path names, in the room of the request: another room's patch is as unknown as
// one that never existed. 404 unknown_patch.
PatchRecord patch_of(const Reader& reader, const Request& request, const RoomRecord& room) {
    const std::string& id = request.param("id");
    std::optional<PatchRecord> patch;
    if (is_patch_id(id))
        patch = reader.find_patch(room.id, id);
    if (!patch)
        throw ApiError(error_code::unknown_patch, "there is no patch " + id + " in this room");
    return *patch;
}

std::string oid_field(const nlohmann::json& body, const char* field) {
    const std::string value = required_text(body, field, 40, 64);
    if (!is_object_id(value))
        throw bad_request(field, "must be a commit id (40 or 64 lower-case hex digits)");
    return value;
}

Response list_patches(const Request& request, ServerContext& context) {
    const std::int64_t limit = std::min(query_integer(request, "limit", 100), k_max_listed);
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        std::vector<wire::Patch> patches;
        for (const PatchRecord& patch : reader.patches(room.id, limit))
            patches.push_back(patch_view(reader, patch));
        return nlohmann::json{{"patches", patches}};
    });
}

Response show_patch(const Request& request, ServerContext& context) {
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        return nlohmann::json{{"patch", patch_view(reader, patch_of(reader, request, room))}};
    });
}

// The author signs the statement with the key the room has for it, and pushed the tip to its
// patch ref first: the server stores a patch only once both hold, so every stored patch can be
// fetched and checked by whoever reads it.
Response create_patch(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    call.refuse_relay("share or submit patches");
    const nlohmann::json body = body_object(request);
    PatchRecord patch;
    patch.room_id = call.room().id;
    patch.id = required_text(body, "id", 1, 16);
    if (!is_patch_id(patch.id))
        throw bad_request("id", "must be p followed by 10 lower-case hex digits");
    patch.kind = required_text(body, "kind", 1, 16);
    if (patch.kind != "draft" && patch.kind != "submitted")
        throw bad_request("kind", "must be draft or submitted");
    patch.base_oid = oid_field(body, "base");
    patch.tip_oid = oid_field(body, "tip");
    if (patch.base_oid == patch.tip_oid)
        throw bad_request("tip", "is the base: the patch changes nothing");
    patch.message =
        required_text(body, "message", 1, k_max_patch_message_bytes, TextLines::multi_line);
    if (patch.message.size() > k_max_patch_message_bytes)
        throw bad_request("message", "must be at most 4096 bytes");
    const auto time = body.find("time");
    if (time == body.end() || !time->is_number_integer())
        throw bad_request("time", "must be the unix time the statement was signed");
    patch.signed_at = time->get<std::int64_t>();
    if (patch.signed_at < call.now() - k_statement_window_seconds ||
        patch.signed_at > call.now() + k_statement_window_seconds)
        throw bad_request("time", "must be within 5 minutes of the server's clock");
    patch.signature = required_text(body, "signature", 1, 200);
    patch.author_id = call.agent().id;
    patch.ref = patch_ref(call.agent().name, patch.id);
    patch.created_at = call.now();
    patch.statement = statement_text({patch.id, patch.room_id, patch.author_id, patch.base_oid,
                                      patch.tip_oid, sha256_hex(patch.message), patch.signed_at});
    if (!knot::verify_signature(call.agent().public_key, patch.statement, patch.signature))
        throw ApiError(error_code::bad_statement,
                       "the patch's signature does not verify against " + call.agent().name +
                           "'s key: sign the statement of docs/protocol.md, \"Patches\"");
    const auto refs = GitStore(context.data_dir).refs(patch.room_id);
    const auto at = refs.find(patch.ref);
    if (at == refs.end() || at->second != patch.tip_oid)
        throw ApiError(error_code::patch_not_pushed,
                       patch.ref + " is not at " + patch.tip_oid +
                           ": push the tip there first (git push knot <tip>:" + patch.ref + ")");
    return call.answer(201, [&](Transaction& transaction) {
        if (transaction.find_patch(patch.room_id, patch.id))
            throw ApiError(error_code::patch_exists,
                           "this room already has a patch " + patch.id + "; choose another id");
        if (transaction.patch_count(patch.room_id, patch.author_id) >= k_max_patches_per_agent)
            throw ApiError(error_code::patch_limit,
                           call.agent().name + " has made 1000 patches in this room, the most "
                                               "an agent may");
        transaction.insert_patch(patch);
        call.append_event(transaction, patch.kind == "draft" ? "patch.shared" : "patch.submitted",
                          {{"id", patch.id},
                           {"kind", patch.kind},
                           {"ref", patch.ref},
                           {"base", patch.base_oid},
                           {"tip", patch.tip_oid},
                           {"statement", patch.statement},
                           {"signature", patch.signature}});
        PatchRecord stored = *transaction.find_patch(patch.room_id, patch.id);
        return nlohmann::json{{"patch", patch_view(stored, {})}};
    });
}

// Approving and rejecting: a verdict is the signer's own (the request's signature, kept with the
// event), replaces its earlier one, and is refused on a draft and on a patch already integrated.
Response give_verdict(const Request& request, ServerContext& context, const std::string& verdict) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    std::string reason;
    if (verdict == "reject")
        reason = required_text(body, "reason", 1, k_max_reason_chars);
    return call.answer(200, [&](Transaction& transaction) {
        const PatchRecord patch = patch_of(transaction, request, call.room());
        if (patch.kind != "submitted")
            throw ApiError(error_code::patch_state,
                           patch.id + " is a draft, shared to be read: only a submitted patch "
                                      "(git knot submit) is approved or rejected");
        if (patch.run_status == "integrated")
            throw ApiError(error_code::patch_state, patch.id + " is already integrated");
        if (verdict == "approve" && patch.author_id == call.agent().id)
            throw ApiError(error_code::own_patch,
                           patch.id + " is your own patch: another agent must approve it");
        transaction.put_verdict(
            {patch.room_id, patch.id, call.agent().id, "", verdict, reason, call.now()});
        nlohmann::json data = {{"id", patch.id}, {"tip", patch.tip_oid}};
        if (verdict == "reject")
            data["reason"] = reason;
        call.append_event(transaction, verdict == "approve" ? "patch.approved" : "patch.rejected",
                          data);
        return nlohmann::json{{"patch", patch_view(transaction, patch)}};
    });
}

Response approve_patch(const Request& request, ServerContext& context) {
    return give_verdict(request, context, "approve");
}

Response reject_patch(const Request& request, ServerContext& context) {
    return give_verdict(request, context, "reject");
}

// Whether the commit `base` is refs/knot/integration or one of its ancestors.
bool base_is_integrated(const ServerContext& context, const std::string& room_id,
                        const std::map<std::string, std::string>& refs, const std::string& base) {
    const auto integration = refs.find(std::string(k_integration_ref));
    if (integration == refs.end() || !is_object_id(base))
        return false;
    return run_git({RoomRepository(context.data_dir, room_id).git_dir_option(), "merge-base",
                    "--is-ancestor", base, integration->second},
                   context.data_dir)
               .status == 0;
}

// Any member may merge a submitted patch that another agent approved and nobody rejects. The
// server checks again what it checked when the patch came (the statement against the author's
// key, the ref at the signed tip), since the database or the repository may have been changed
// since, and queues the run as the author's push of the tip to the patch's ref.
Response merge_patch(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    body_object(request);
    std::map<std::string, std::string> refs = GitStore(context.data_dir).refs(call.room().id);
    std::string integrated_base; // the patch's base, when refs/knot/integration contains it
    context.store.read([&](const Reader& reader) {
        const PatchRecord patch = patch_of(reader, request, call.room());
        if (base_is_integrated(context, call.room().id, refs, patch.base_oid))
            integrated_base = patch.base_oid;
    });
    Response response = call.answer(200, [&](Transaction& transaction) {
        const PatchRecord patch = patch_of(transaction, request, call.room());
        if (patch.kind != "submitted")
            throw ApiError(error_code::patch_state,
                           patch.id + " is a draft: submit it (git knot submit) to merge it");
        if (run_pending(patch.run_status) || patch.run_status == "integrated")
            throw ApiError(error_code::patch_state, patch.id + " is already merging: run " +
                                                        std::to_string(patch.run) + " is " +
                                                        patch.run_status);
        bool approved = false;
        for (const VerdictRecord& verdict : transaction.verdicts(patch.room_id, patch.id)) {
            if (verdict.verdict == "reject")
                throw ApiError(error_code::not_approved, patch.id + " is rejected by " +
                                                             verdict.agent_name + ": " +
                                                             verdict.reason);
            approved = approved || verdict.agent_id != patch.author_id;
        }
        if (!approved)
            throw ApiError(error_code::not_approved,
                           patch.id +
                               " has no approval yet: another agent runs git knot "
                               "approve " +
                               patch.id);
        // Rebuilt from the fields the run will use, not the stored text: a changed tip or base
        // must fail here.
        const std::string statement =
            statement_text({patch.id, patch.room_id, patch.author_id, patch.base_oid, patch.tip_oid,
                            sha256_hex(patch.message), patch.signed_at});
        const auto author = transaction.find_agent(patch.room_id, patch.author_id);
        if (!author || !knot::verify_signature(author->public_key, statement, patch.signature))
            throw ApiError(error_code::bad_statement,
                           patch.id + "'s signature does not verify against its author's key");
        const auto at = refs.find(patch.ref);
        if (at == refs.end() || at->second != patch.tip_oid)
            throw ApiError(error_code::patch_not_pushed,
                           patch.ref + " is no longer at the signed tip " + patch.tip_oid);
        // What was signed and approved is the diff base..tip; the run merges the tip with all
        // its history. Only when the base is integrated already are the two the same.
        if (integrated_base != patch.base_oid)
            throw ApiError(error_code::patch_state,
                           patch.id + "'s base " + patch.base_oid.substr(0, 12) +
                               " is not part of refs/knot/integration: merging its tip would "
                               "bring in commits outside the signed and approved diff; its "
                               "author submits it again from the integration (git knot submit)");
        RunRecord run;
        run.room_id = patch.room_id;
        run.agent_id = patch.author_id;
        run.ref = patch.ref;
        run.commit_oid = patch.tip_oid;
        run.queued_at = call.now();
        const std::int64_t number = transaction.queue_run(run);
        transaction.set_patch_run(patch.room_id, patch.id, number);
        const EventRecord event =
            call.append_event(transaction, "patch.merge_requested",
                              {{"id", patch.id}, {"run", number}, {"tip", patch.tip_oid}});
        return nlohmann::json{
            {"patch", patch_view(transaction, *transaction.find_patch(patch.room_id, patch.id))},
            {"run", number},
            {"seq", event.seq}};
    });
    if (context.wake_integration)
        context.wake_integration();
    return response;
}

} // namespace

void add_patch_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/patches", list_patches);
    router.add("POST", "/v1/rooms/{room}/patches", create_patch);
    router.add("GET", "/v1/rooms/{room}/patches/{id}", show_patch);
    router.add("POST", "/v1/rooms/{room}/patches/{id}/approve", approve_patch);
    router.add("POST", "/v1/rooms/{room}/patches/{id}/reject", reject_patch);
    router.add("POST", "/v1/rooms/{room}/patches/{id}/merge", merge_patch);
}

} // namespace knot::server
