// The patch exchange's JSON objects, written and read (see wire_patch.hpp).
#include "libknot/protocol/wire_patch.hpp"

#include "libknot/protocol/wire_reader.hpp"

namespace knot::wire {

void to_json(nlohmann::json& out, const PatchVerdict& verdict) {
    out = {{"agent", verdict.agent},
           {"agent_name", verdict.agent_name},
           {"verdict", verdict.verdict},
           {"reason", verdict.reason},
           {"time", verdict.time}};
}

void from_json(const nlohmann::json& in, PatchVerdict& verdict) {
    const FieldReader fields(in, "patch verdict");
    verdict.agent = fields.text("agent");
    verdict.agent_name = fields.text("agent_name");
    verdict.verdict = fields.text("verdict");
    verdict.reason = fields.text("reason");
    verdict.time = fields.integer("time");
}

void to_json(nlohmann::json& out, const PatchRun& run) {
    out = {{"run", run.run}, {"status", run.status}, {"review", text_or_null(run.review)}};
}

void from_json(const nlohmann::json& in, PatchRun& run) {
    const FieldReader fields(in, "patch run");
    run.run = fields.integer("run");
    run.status = fields.text("status");
    run.review = fields.nullable_text("review");
}

void to_json(nlohmann::json& out, const Patch& patch) {
    out = {{"id", patch.id},
           {"author", patch.author},
           {"author_name", patch.author_name},
           {"kind", patch.kind},
           {"state", patch.state},
           {"ref", patch.ref},
           {"base", patch.base},
           {"tip", patch.tip},
           {"message", patch.message},
           {"time", patch.time},
           {"created_at", patch.created_at},
           {"statement", patch.statement},
           {"signature", patch.signature},
           {"approvals", patch.approvals},
           {"rejections", patch.rejections},
           {"verdicts", patch.verdicts},
           {"run", patch.run ? nlohmann::json(*patch.run) : nlohmann::json()}};
}

void from_json(const nlohmann::json& in, Patch& patch) {
    const FieldReader fields(in, "patch");
    fields.require({"id", "author", "base", "tip", "statement", "signature"});
    patch.id = fields.text("id");
    patch.author = fields.text("author");
    patch.author_name = fields.text("author_name");
    patch.kind = fields.text("kind");
    patch.state = fields.text("state");
    patch.ref = fields.text("ref");
    patch.base = fields.text("base");
    patch.tip = fields.text("tip");
    patch.message = fields.text("message");
    patch.time = fields.integer("time");
    patch.created_at = fields.integer("created_at");
    patch.statement = fields.text("statement");
    patch.signature = fields.text("signature");
    patch.approvals = fields.integer("approvals");
    patch.rejections = fields.integer("rejections");
    patch.verdicts = fields.objects<PatchVerdict>("verdicts");
    patch.run = fields.nullable_object<PatchRun>("run");
}

void to_json(nlohmann::json& out, const NewPatch& patch) {
    out = {{"id", patch.id},
           {"kind", patch.kind},
           {"base", patch.base},
           {"tip", patch.tip},
           {"message", patch.message},
           {"time", patch.time},
           {"signature", patch.signature}};
}

} // namespace knot::wire
