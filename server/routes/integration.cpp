// The integration agent's records and controls: the integration ref and the last runs, one
// run's check log, the room's base, undo (move the integration ref back one integration) and the
// room's check settings. docs/protocol.md, "Integration".
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_integration.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/forge_policy.hpp"
#include "server/git_store.hpp"
#include "server/integration_forge.hpp"
#include "server/integration_git.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/room_repository.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/store.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>

namespace knot::server {
namespace {

constexpr std::int64_t k_default_runs = 20;
constexpr std::int64_t k_max_runs = 500;
constexpr std::int64_t k_max_time_limit = 86400;
constexpr std::size_t k_max_checks = 50;
constexpr std::size_t k_max_check_chars = 4000;

std::filesystem::path repo_of(const ServerContext& context, const std::string& room_id) {
    return RoomRepository(context.data_dir, room_id).path();
}

std::filesystem::path log_of(const ServerContext& context, const RunRecord& run) {
    return context.data_dir / "runs" / run.room_id / (std::to_string(run.number) + ".log");
}

std::optional<std::string> oid_or_none(const std::string& oid) {
    return oid.empty() ? std::nullopt : std::optional(oid);
}

wire::Run run_view(const ServerContext& context, const RunRecord& run) {
    wire::Run out;
    out.run = run.number;
    out.agent = run.agent_name;
    out.agent_id = run.agent_id;
    out.ref = run.ref;
    out.commit = run.commit_oid;
    out.status = run.status;
    out.base = oid_or_none(run.base_oid);
    out.candidate = oid_or_none(run.candidate_oid);
    out.summary = run.summary;
    out.detail = nlohmann::json::parse(run.detail, nullptr, false);
    if (out.detail.is_discarded())
        out.detail = nlohmann::json::object();
    out.queued_at = run.queued_at;
    out.started_at = run.started_at;
    out.finished_at = run.finished_at;
    out.duration_ms = run.duration_ms;
    out.attempts = run.attempts;
    out.undone = run.undone_at != 0;
    out.undone_at = run.undone_at;
    out.undone_by = run.undone_by;
    if (std::filesystem::exists(log_of(context, run)))
        out.log =
            "/v1/rooms/" + run.room_id + "/integration/runs/" + std::to_string(run.number) + "/log";
    return out;
}

wire::Settings settings_view(const CheckSettings& settings) {
    return {settings.checks, settings.time_limit_seconds,
            settings.forge_url.empty() ? std::nullopt
                                       : std::optional(forge_display(settings.forge_url))};
}

std::int64_t parse_number(const std::string& text, const char* field, std::int64_t max) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > max)
        throw bad_request(field, "must be an integer from 1 to " + std::to_string(max));
    return value;
}

Response show_integration(const Request& request, ServerContext& context) {
    const std::int64_t limit = parse_number(
        request.query_value("limit").value_or(std::to_string(k_default_runs)), "limit", k_max_runs);
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        wire::Integration out;
        out.integration = oid_or_none(IntegrationRepo(repo_of(context, room.id)).integration());
        out.base = oid_or_none(reader.integration_base(room.id));
        out.settings = settings_view(reader.check_settings(room.id));
        for (const RunRecord& run : reader.runs(room.id, limit))
            out.runs.push_back(run_view(context, run));
        return nlohmann::json(out);
    });
}

RunRecord run_of(const Reader& reader, const Request& request, const RoomRecord& room) {
    const std::string& text = request.param("run");
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    std::optional<RunRecord> run;
    if (error == std::errc() && end == text.data() + text.size())
        run = reader.find_run(room.id, number);
    if (!run)
        throw ApiError(error_code::unknown_run,
                       "there is no integration run " + text + " in this room");
    return *run;
}

Response show_run(const Request& request, ServerContext& context) {
    return answer_room_read(request, context, [&](const Reader& reader, const RoomRecord& room) {
        return nlohmann::json(run_view(context, run_of(reader, request, room)));
    });
}

Response run_log(const Request& request, ServerContext& context) {
    RunRecord run;
    context.store.read([&](const Reader& reader) {
        run = run_of(reader, request, authenticate_room(reader, request));
    });
    const std::filesystem::path path = log_of(context, run);
    auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
    if (!*in)
        throw ApiError(error_code::no_log, "integration run " + std::to_string(run.number) +
                                               " ran no checks (" + run.status + ")");
    Response response;
    response.content_type = "text/plain; charset=utf-8";
    response.write_body = [in](std::ostream& out) { out << in->rdbuf(); };
    return response;
}

ForgePushEnvironment forge_push_environment(const ServerContext& context) {
    return {context.store, context.forge_policy, context.data_dir,
            agent_id_of(context.server_public_key)};
}

std::string forge_push_word(ForgePushOutcome outcome) {
    switch (outcome) {
    case ForgePushOutcome::pushed:
        return "pushed";
    case ForgePushOutcome::failed:
        return "failed";
    case ForgePushOutcome::no_forge:
        break;
    }
    return "none";
}

// Gives a room with no integration ref yet its base: the room's forge's default branch (its
// HEAD), fetched and checked as a forge push is, becomes refs/knot/integration, so the first push
// merges onto it and undo can return to it. The owner's, sent by `git knot up`; a room whose ref
// exists already keeps it (created: false), so sending it again changes nothing.
Response set_base(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const Member& member = call.member();
    body_object(request);
    if (!call.is_owner())
        throw ApiError(error_code::not_owner, "only the room's owner may set its base");
    const IntegrationRepo repo(repo_of(context, member.room.id));
    std::string forge_url;
    context.store.read(
        [&](const Reader& reader) { forge_url = reader.check_settings(member.room.id).forge_url; });
    // The ref exists: nothing changes, the request is only admitted (its nonce spent).
    const auto existing = [&] {
        return call.answer(200, [&](Transaction& transaction) {
            return nlohmann::json(wire::BaseAnswer{
                false, repo.integration(),
                oid_or_none(transaction.integration_base(member.room.id)), std::nullopt});
        });
    };
    if (!repo.integration().empty())
        return existing();
    if (forge_url.empty())
        throw ApiError(error_code::no_forge,
                       "this room has no forge to take its base from: its owner sets one with "
                       "'git knot up' or 'git knot check --configure'");
    const ForgeTarget target = check_forge(context.forge_policy, forge_url);
    call.refuse_replay(); // before the server fetches anything
    GitLimits limits;
    limits.pack = context.pack_limits;
    const GitStore git(context.data_dir, limits);
    RefUpdate update;
    update.ref = std::string(k_integration_ref);
    update.old_oid = std::string(k_zero_oid);
    update.new_oid = git.fetch_from_forge(member.room.id, target, "HEAD");
    update.force = true;
    git.check_tip(member.room.id, update);
    bool created = false;
    context.store.write([&](Transaction& transaction) {
        if (!repo.integration().empty())
            return; // every move of the ref happens inside a write: this check holds
        admit_member(transaction, member, call.now());
        transaction.set_integration_base(member.room.id, update.new_oid);
        call.append_event(transaction, "integration.based",
                          {{"integration", update.new_oid},
                           {"forge", forge_display(forge_url)},
                           {"by", member.agent.name}});
        if (!repo.move("", update.new_oid)) // last: a failure rolls everything back
            throw ApiError(error_code::stale_integration, "refs/knot/integration moved; try again");
        created = true;
    });
    if (!created)
        return existing();
    push_integration_to_forge(forge_push_environment(context), member.room.id, {{"cause", "base"}});
    return Response::json(
        200, wire::BaseAnswer{true, update.new_oid, update.new_oid, forge_display(forge_url)});
}

// Moves refs/knot/integration back to what it was before its newest integration. Stackable: the
// run before that one is then the newest not undone. `expect` (optional) guards against undoing
// an integration the caller has not seen.
Response undo(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const Member& member = call.member();
    const nlohmann::json body = body_object(request);
    std::string expect;
    if (const auto it = body.find("expect"); it != body.end()) {
        if (!it->is_string() || !is_oid(it->get<std::string>()))
            throw bad_request("expect", "must be the 40-digit commit refs/knot/integration is at");
        expect = it->get<std::string>();
    }
    const IntegrationRepo repo(repo_of(context, member.room.id));
    wire::Undo answer;
    call.write([&](Transaction& transaction) {
        const std::string current = repo.integration();
        if (current.empty())
            throw ApiError(error_code::nothing_to_undo, "refs/knot/integration does not exist yet");
        if (!expect.empty() && expect != current)
            throw ApiError(error_code::stale_integration,
                           "refs/knot/integration is at " + current + ", not " + expect);
        if (current == transaction.integration_base(member.room.id))
            throw ApiError(error_code::nothing_to_undo,
                           "refs/knot/integration is at the room's base (" + current.substr(0, 7) +
                               "), where the room started; there is nothing before it");
        std::optional<RunRecord> run = transaction.integration_of(member.room.id, current);
        if (!run)
            throw ApiError(error_code::nothing_to_undo,
                           "refs/knot/integration (" + current.substr(0, 7) +
                               ") was not made by a run this server recorded");
        if (run->base_oid.empty())
            throw ApiError(error_code::nothing_to_undo,
                           "refs/knot/integration is at the room's first integration (run " +
                               std::to_string(run->number) + "); there is nothing before it");
        run->undone_at = call.now();
        run->undone_by = member.agent.id;
        transaction.update_run(*run);
        answer = {run->number,   run->agent_name,   run->commit_oid, current,
                  run->base_oid, member.agent.name, std::nullopt};
        call.append_event(transaction, "integration.undone", answer); // without "forge"
        if (!repo.move(current, run->base_oid)) // last: a failure rolls everything back
            throw ApiError(error_code::stale_integration, "refs/knot/integration moved; try again");
    });
    // Forge mode: the forge's copy moves back too, or the documented fallback (a fetch from the
    // forge while the server is down) would bring the undone commit back.
    answer.forge =
        forge_push_word(push_integration_to_forge(forge_push_environment(context), member.room.id,
                                                  {{"cause", "undo"},
                                                   {"run", answer.run},
                                                   {"agent", answer.agent},
                                                   {"commit", answer.commit}}));
    return Response::json(200, answer);
}

Response change_settings(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    if (!call.is_owner())
        throw ApiError(error_code::not_owner,
                       "only the room's owner may change its check settings and forge");
    CheckSettings settings;
    context.store.read(
        [&](const Reader& reader) { settings = reader.check_settings(call.room().id); });
    const nlohmann::json before = settings_view(settings);
    const std::string forge_before = settings.forge_url;
    if (const auto it = body.find("checks"); it != body.end()) {
        if (it->is_null()) {
            settings.checks.reset();
        } else {
            if (!it->is_array() || it->size() > k_max_checks)
                throw bad_request("checks", "must be null or an array of at most 50 commands");
            settings.checks.emplace();
            for (const auto& item : *it) {
                if (!item.is_string())
                    throw bad_request("checks", "every command must be a string");
                settings.checks->push_back(item.get<std::string>());
                check_text(settings.checks->back(), "checks", 1, k_max_check_chars,
                           TextLines::single_line);
            }
        }
    }
    if (const auto it = body.find("time_limit"); it != body.end()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
            it->get<std::int64_t>() > k_max_time_limit)
            throw bad_request("time_limit", "must be an integer from 1 to 86400 (seconds)");
        settings.time_limit_seconds = it->get<std::int64_t>();
    }
    // The forge: where forge-mode agents push and where the server fetches their commits from
    // and pushes the integration ref to. Only the owner sets it, and only within the host's
    // rules (forge_policy.hpp); "" removes it.
    if (const auto it = body.find("forge_url"); it != body.end()) {
        if (!it->is_string())
            throw bad_request("forge_url", "must be a string (\"\" removes the forge)");
        const std::string url = it->get<std::string>();
        settings.forge_url = url.empty() ? "" : check_forge(context.forge_policy, url).url;
    }
    const nlohmann::json answer = settings_view(settings);
    call.write([&](Transaction& transaction) {
        // Sending the settings the room already has (every `git knot up` does) changes nothing
        // and logs nothing.
        if (answer == before && settings.forge_url == forge_before)
            return;
        transaction.set_check_settings(call.room().id, settings);
        transaction.set_forge_url(call.room().id, settings.forge_url);
        call.append_event(transaction, "integration.settings", answer);
    });
    return Response::json(200, answer);
}

} // namespace

void add_integration_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/integration", show_integration);
    router.add("GET", "/v1/rooms/{room}/integration/runs/{run}", show_run);
    router.add("GET", "/v1/rooms/{room}/integration/runs/{run}/log", run_log);
    router.add("POST", "/v1/rooms/{room}/integration/base", set_base);
    router.add("POST", "/v1/rooms/{room}/integration/undo", undo);
    router.add("POST", "/v1/rooms/{room}/integration/settings", change_settings);
}

} // namespace knot::server
