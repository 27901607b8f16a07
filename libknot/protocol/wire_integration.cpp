// The integration's and the git endpoints' JSON objects, written and read (see
// wire_integration.hpp).
#include "libknot/protocol/wire_integration.hpp"

#include "libknot/protocol/wire_reader.hpp"

namespace knot::wire {

void to_json(nlohmann::json& out, const Settings& settings) {
    out = {{"checks", settings.checks ? nlohmann::json(*settings.checks) : nlohmann::json()},
           {"time_limit", settings.time_limit},
           {"forge", text_or_null(settings.forge)}};
}

void from_json(const nlohmann::json& in, Settings& settings) {
    const FieldReader fields(in, "settings");
    settings.checks.reset();
    if (fields.has("checks") && !fields.any("checks").is_null())
        settings.checks = fields.texts("checks");
    settings.time_limit = fields.integer("time_limit");
    settings.forge = fields.nullable_text("forge");
}

void to_json(nlohmann::json& out, const Run& run) {
    out = {{"run", run.run},
           {"agent", run.agent},
           {"agent_id", run.agent_id},
           {"ref", run.ref},
           {"commit", run.commit},
           {"status", run.status},
           {"base", text_or_null(run.base)},
           {"candidate", text_or_null(run.candidate)},
           {"summary", run.summary},
           {"detail", run.detail},
           {"queued_at", run.queued_at},
           {"started_at", run.started_at},
           {"finished_at", run.finished_at},
           {"duration_ms", run.duration_ms},
           {"attempts", run.attempts},
           {"undone", run.undone},
           {"undone_at", run.undone_at},
           {"undone_by", run.undone_by},
           {"log", text_or_null(run.log)}};
}

void from_json(const nlohmann::json& in, Run& run) {
    const FieldReader fields(in, "integration run");
    fields.require({"run"});
    run.run = fields.integer("run");
    run.agent = fields.text("agent");
    run.agent_id = fields.text("agent_id");
    run.ref = fields.text("ref");
    run.commit = fields.text("commit");
    run.status = fields.text("status");
    run.base = fields.nullable_text("base");
    run.candidate = fields.nullable_text("candidate");
    run.summary = fields.text("summary");
    run.detail = fields.any("detail", nlohmann::json::object());
    if (!run.detail.is_object())
        fields.wrong("detail", "an object");
    run.queued_at = fields.integer("queued_at");
    run.started_at = fields.integer("started_at");
    run.finished_at = fields.integer("finished_at");
    run.duration_ms = fields.integer("duration_ms");
    run.attempts = fields.integer("attempts");
    run.undone = fields.flag("undone");
    run.undone_at = fields.integer("undone_at");
    run.undone_by = fields.text("undone_by");
    run.log = fields.nullable_text("log");
}

void to_json(nlohmann::json& out, const Integration& integration) {
    out = {{"integration", text_or_null(integration.integration)},
           {"base", text_or_null(integration.base)},
           {"settings", integration.settings},
           {"runs", integration.runs}};
}

void from_json(const nlohmann::json& in, Integration& integration) {
    const FieldReader fields(in, "integration state");
    integration.integration = fields.nullable_text("integration");
    integration.base = fields.nullable_text("base");
    integration.settings = fields.object<Settings>("settings");
    integration.runs = fields.objects<Run>("runs");
}

void to_json(nlohmann::json& out, const Undo& undo) {
    out = {{"run", undo.run},   {"agent", undo.agent}, {"commit", undo.commit},
           {"from", undo.from}, {"to", undo.to},       {"by", undo.by}};
    if (undo.forge)
        out["forge"] = *undo.forge;
}

void from_json(const nlohmann::json& in, Undo& undo) {
    const FieldReader fields(in, "undo");
    undo.run = fields.integer("run");
    undo.agent = fields.text("agent");
    undo.commit = fields.text("commit");
    undo.from = fields.text("from");
    undo.to = fields.text("to");
    undo.by = fields.text("by");
    undo.forge = fields.has("forge") ? std::optional(fields.text("forge")) : std::nullopt;
}

void to_json(nlohmann::json& out, const BaseAnswer& answer) {
    out = {{"created", answer.created},
           {"integration", answer.integration},
           {"base", text_or_null(answer.base)}};
    if (answer.forge)
        out["forge"] = *answer.forge;
}

void from_json(const nlohmann::json& in, BaseAnswer& answer) {
    const FieldReader fields(in, "base answer");
    answer.created = fields.flag("created");
    answer.integration = fields.text("integration");
    answer.base = fields.nullable_text("base");
    answer.forge = fields.nullable_text("forge");
}

void to_json(nlohmann::json& out, const HeldRun& held) {
    out = {{"run", held.run}, {"locks", held.locks}, {"summary", held.summary}};
}

void from_json(const nlohmann::json& in, HeldRun& held) {
    const FieldReader fields(in, "held run");
    held.run = fields.integer("run");
    held.locks = fields.objects<Lock>("locks");
    held.summary = fields.text("summary");
}

void to_json(nlohmann::json& out, const PushAnswer& answer) {
    out = {{"ref", answer.ref}, {"old", answer.old_oid}, {"new", answer.new_oid}};
    if (answer.mode)
        out["mode"] = *answer.mode;
    if (answer.held)
        out["held"] = *answer.held;
}

void from_json(const nlohmann::json& in, PushAnswer& answer) {
    const FieldReader fields(in, "push answer");
    answer.ref = fields.text("ref");
    answer.old_oid = fields.text("old");
    answer.new_oid = fields.text("new");
    answer.mode = fields.has("mode") ? std::optional(fields.text("mode")) : std::nullopt;
    answer.held = fields.nullable_object<HeldRun>("held");
}

} // namespace knot::wire
