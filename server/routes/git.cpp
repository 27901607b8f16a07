// Git transfer: the refs, a signed pack upload that moves one ref, packs for fetches (docs/
// protocol.md, "Git transfer (hosted mode)") and the forge-mode notification that has the server
// fetch a pushed commit from the forge ("Forge mode").
#include "libknot/protocol.hpp"
#include "server/api_error.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/forge_policy.hpp"
#include "server/git_store.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/store.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <array>
#include <fstream>
#include <istream>

namespace knot::server {
namespace {

// Packs up to 1 GiB are streamed to disk; no other body may pass 1 MiB.
constexpr std::uint64_t k_max_pack_bytes = std::uint64_t{1} << 30;
constexpr std::size_t k_max_event_files = 1000;
constexpr std::size_t k_max_oids = 10000;
constexpr std::string_view k_knot_prefix = "refs/knot/";
constexpr std::string_view k_integration_ref = "refs/knot/integration";

GitStore git_store(const ServerContext& context) {
    return GitStore(context.data_dir / "repos");
}

// A ref name git itself would accept, under refs/knot/.
bool is_knot_ref(const std::string& ref) {
    if (ref.rfind(k_knot_prefix, 0) != 0 || ref.size() > 255 || ref.back() == '/' ||
        ref.back() == '.' || ref.find("..") != std::string::npos ||
        ref.find("//") != std::string::npos || ref.find("/.") != std::string::npos ||
        ref.find(".lock") != std::string::npos || ref.find("@{") != std::string::npos)
        return false;
    for (const unsigned char c : ref)
        if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' ||
            c == '*' || c == '[' || c == '\\')
            return false;
    return true;
}

// Refuses an update whose ref or oids are malformed, or that names the integration ref.
void check_update(const RefUpdate& update) {
    if (!is_knot_ref(update.ref))
        throw bad_request("ref", "must be a valid ref name under refs/knot/");
    if (update.ref == k_integration_ref ||
        update.ref.rfind(std::string(k_integration_ref) + "/", 0) == 0)
        throw ApiError(403, "not_your_ref", "refs/knot/integration is moved only by the server");
    if (!is_oid(update.old_oid))
        throw bad_request("old", "must be 40 lower-case hex digits");
    if (!is_oid(update.new_oid) || update.new_oid == k_zero_oid)
        throw bad_request("new", "must be 40 lower-case hex digits of a commit");
}

// An agent moves only refs/knot/<name>/... under a name bound to its key: its name now, or one
// it had before a rename (Reader::name_owner; a name is never rebound to another key).
void check_own_ref(Store& store, const Member& member, const RefUpdate& update) {
    const std::string rest = update.ref.substr(k_knot_prefix.size());
    const std::size_t slash = rest.find('/');
    std::optional<std::string> owner;
    if (slash != std::string::npos && slash > 0)
        store.read([&](const Reader& reader) {
            owner = reader.name_owner(member.room.id, rest.substr(0, slash));
        });
    if (owner != member.agent.id)
        throw ApiError(403, "not_your_ref",
                       member.agent.name + " may only move refs under " +
                           std::string(k_knot_prefix) + member.agent.name + "/");
}

RefUpdate parse_update(const Request& request) {
    RefUpdate update;
    update.ref = request.query_value("ref").value_or("");
    update.old_oid = request.query_value("old").value_or("");
    update.new_oid = request.query_value("new").value_or("");
    check_update(update);
    const std::string force = request.query_value("force").value_or("0");
    if (force != "0" && force != "1")
        throw bad_request("force", "must be 0 or 1");
    update.force = force == "1";
    return update;
}

// A streamed body written to `path`; returns its hex SHA-256. 413 past k_max_pack_bytes, 400
// when shorter than its Content-Length.
std::string receive_body(const Request& request, const std::filesystem::path& path) {
    if (request.body_length && *request.body_length > k_max_pack_bytes)
        throw ApiError(413, "too_large", "the pack is larger than 1 GiB");
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::ofstream out(path, std::ios::binary);
    std::array<char, 64 * 1024> buffer{};
    std::uint64_t total = 0;
    std::istream& in = *request.body_stream;
    const std::uint64_t limit = request.body_length.value_or(k_max_pack_bytes + 1);
    while (total < limit) {
        const auto want =
            static_cast<std::streamsize>(std::min<std::uint64_t>(buffer.size(), limit - total));
        in.read(buffer.data(), want);
        const std::streamsize got = in.gcount();
        if (got <= 0)
            break;
        total += static_cast<std::uint64_t>(got);
        if (total > k_max_pack_bytes)
            throw ApiError(413, "too_large", "the pack is larger than 1 GiB");
        crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buffer.data()),
                                  static_cast<unsigned long long>(got));
        out.write(buffer.data(), got);
    }
    if (request.body_length && total != *request.body_length)
        throw ApiError(400, "bad_request", "body: shorter than its Content-Length");
    out.close();
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state, digest.data());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return hex.data();
}

// Removes the incoming pack however the request ends.
struct IncomingFile {
    std::filesystem::path path;
    ~IncomingFile() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
};

// Queues the integration run of an accepted push, in the push's own write: an acknowledged push
// always gets its run, even across a crash.
std::int64_t queue_integration(Transaction& transaction, const Member& member,
                               const RefUpdate& update, std::int64_t now) {
    RunRecord run;
    run.room_id = member.room.id;
    run.agent_id = member.agent.id;
    run.ref = update.ref;
    run.commit_oid = update.new_oid;
    run.queued_at = now;
    return transaction.queue_run(run);
}

void wake_integration(const ServerContext& context) {
    if (context.wake_integration)
        context.wake_integration();
}

Response list_refs(const Request& request, ServerContext& context) {
    RoomRecord room;
    context.store.read([&](const Reader& reader) { room = authenticate_room(reader, request); });
    return Response::json(200, {{"refs", git_store(context).refs(room.id)}});
}

// Refused before the repository is touched: the ref's form, then (once the signer is known)
// whose it is. The pack is indexed outside the store's lock; the ref moves, the nonce is
// consumed and the event appended inside one write.
Response receive_pack(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const RefUpdate update = parse_update(request);
    RoomRecord room;
    context.store.read([&](const Reader& reader) {
        room = authenticate_room(reader, request);
        check_signature_headers(request, now);
    });
    const GitStore git = git_store(context);
    const IncomingFile pack{git.incoming_path(room.id)};
    Request signed_request = request;
    signed_request.body_stream = nullptr;
    signed_request.body_sha256 = receive_body(request, pack.path);
    const Member member = authenticate_member(context.store, signed_request, now);
    check_own_ref(context.store, member, update);
    refuse_replay(context.store, member); // before the pack touches the repository
    std::size_t objects = 0;
    if (std::filesystem::file_size(pack.path) > 0)
        objects = git.write_pack(room.id, pack.path);
    git.check_tip(room.id, update);
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        const auto files = git.move_ref(room.id, update, k_max_event_files);
        const std::int64_t run = queue_integration(transaction, member, update, now);
        transaction.append_event(room.id, "sync.pushed", member.agent.id, now,
                                 nlohmann::json{{"ref", update.ref},
                                                {"old", update.old_oid},
                                                {"new", update.new_oid},
                                                {"objects", objects},
                                                {"mode", "hosted"},
                                                {"files", files},
                                                {"run", run}}
                                     .dump(),
                                 member.signed_request.signed_string,
                                 member.signed_request.signature);
    });
    wake_integration(context);
    return Response::json(200,
                          {{"ref", update.ref}, {"old", update.old_oid}, {"new", update.new_oid}});
}

std::vector<std::string> oid_list(const nlohmann::json& body, const char* field) {
    std::vector<std::string> out;
    const auto it = body.find(field);
    if (it == body.end())
        return out;
    if (!it->is_array() || it->size() > k_max_oids)
        throw bad_request(field, "must be an array of at most 10000 oids");
    for (const auto& item : *it) {
        if (!item.is_string() || !is_oid(item.get<std::string>()))
            throw bad_request(field, "every item must be 40 lower-case hex digits");
        out.push_back(item.get<std::string>());
    }
    return out;
}

Response upload_pack(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const nlohmann::json body = request.json_body();
    const auto wants = oid_list(body, "wants");
    const auto haves = oid_list(body, "haves");
    if (wants.empty())
        throw bad_request("wants", "must name at least one commit");
    context.store.write([&](Transaction& transaction) { admit_member(transaction, member, now); });
    const GitStore git = git_store(context);
    const auto plan = git.plan_pack(member.room.id, wants, haves);
    Response response;
    response.content_type = "application/x-git-packfile";
    if (!plan.empty) // the client has everything: an empty body, not a pack of no objects
        response.write_body = [git, plan, room = member.room.id](std::ostream& out) {
            git.write_pack_to(room, plan, out);
        };
    return response;
}

std::string string_field(const nlohmann::json& body, const char* field) {
    const auto it = body.find(field);
    if (it == body.end() || !it->is_string())
        throw bad_request(field, "must be a string");
    return it->get<std::string>();
}

// Forge mode: the agent's own git pushed `ref` to the forge; the server fetches `new` from the
// room's forge (the owner's setting, checked against the host's rules; never a URL a member
// names) and moves its copy of the ref as receive would. The forge judged fast-forwardness, so
// only the compare-and-swap on `old` is checked here. The fetch runs outside the store's lock;
// the ref, the nonce and the event change in one write.
Response notify_push(const Request& request, ServerContext& context) {
    const std::int64_t now = unix_now();
    const Member member = authenticate_member(context.store, request, now);
    const nlohmann::json body = request.json_body();
    if (!body.is_object())
        throw bad_request("body", "must be a JSON object");
    RefUpdate update;
    update.ref = string_field(body, "ref");
    update.old_oid = string_field(body, "old");
    update.new_oid = string_field(body, "new");
    update.force = true;
    check_update(update);
    // The member's forge_url, if sent, is not used: the forge is the owner's setting.
    if (const auto paths = body.find("paths"); paths != body.end()) {
        if (!paths->is_array() || paths->size() > k_max_event_files)
            throw bad_request("paths", "must be an array of at most 1000 paths");
        for (const auto& path : *paths)
            if (!path.is_string())
                throw bad_request("paths", "every item must be a string");
    }
    check_own_ref(context.store, member, update);
    refuse_replay(context.store, member); // before the server fetches anything
    std::string forge_url;
    context.store.read([&](const Reader& reader) {
        forge_url = reader.check_settings(member.room.id).forge_url;
    });
    if (forge_url.empty())
        throw ApiError(409, "no_forge",
                       "this room has no forge: its owner sets one with 'git knot up' in a clone "
                       "whose origin is the forge, or 'git knot check --configure'");
    const ForgeTarget target = check_forge(context.forge_policy, forge_url);

    const GitStore git = git_store(context);
    const std::string fetched = git.fetch_from_forge(member.room.id, target, update.ref);
    if (fetched != update.new_oid)
        throw ApiError(409, "forge_mismatch",
                       "the forge's " + update.ref + " is at " + fetched + ", not " +
                           update.new_oid);
    git.check_tip(member.room.id, update);
    context.store.write([&](Transaction& transaction) {
        admit_member(transaction, member, now);
        const auto files = git.move_ref(member.room.id, update, k_max_event_files);
        const std::int64_t run = queue_integration(transaction, member, update, now);
        transaction.append_event(member.room.id, "sync.pushed", member.agent.id, now,
                                 nlohmann::json{{"ref", update.ref},
                                                {"old", update.old_oid},
                                                {"new", update.new_oid},
                                                {"files", files},
                                                {"mode", "forge"},
                                                {"run", run}}
                                     .dump(),
                                 member.signed_request.signed_string,
                                 member.signed_request.signature);
    });
    wake_integration(context);
    return Response::json(
        200,
        {{"ref", update.ref}, {"old", update.old_oid}, {"new", update.new_oid}, {"mode", "forge"}});
}

} // namespace

void add_git_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/git/refs", list_refs);
    router.add_streamed("POST", "/v1/rooms/{room}/git/receive", receive_pack);
    router.add("POST", "/v1/rooms/{room}/git/upload", upload_pack);
    router.add("POST", "/v1/rooms/{room}/git/notify", notify_push);
}

} // namespace knot::server
