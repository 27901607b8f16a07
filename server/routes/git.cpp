// Git transfer: the refs, a signed pack upload that moves one ref, packs for fetches (docs/
// protocol.md, "Git transfer (hosted mode)") and the forge-mode notification that has the server
// fetch a pushed commit from the forge ("Forge mode").
#include "libknot/base/hex.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/protocol/patch_statement.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/refs.hpp"
#include "libknot/protocol/wire_integration.hpp"
#include "server/api_error.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/forge_policy.hpp"
#include "server/git_store.hpp"
#include "server/member_request.hpp"
#include "server/push_locks.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/store.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <istream>
#include <optional>

namespace knot::server {
namespace {

// Packs up to 1 GiB are streamed to disk; no other body may pass 1 MiB.
constexpr std::uint64_t k_max_pack_bytes = std::uint64_t{1} << 30;
constexpr std::size_t k_max_event_files = 1000;
constexpr std::size_t k_max_oids = 10000;

GitStore git_store(const ServerContext& context) {
    GitLimits limits;
    limits.pack = context.pack_limits;
    limits.max_pack_bytes = k_max_pack_bytes;
    return GitStore(context.data_dir, limits);
}

// A ref name git itself would accept, under refs/knot/.
bool is_knot_ref(const std::string& ref) {
    if (ref.rfind(k_knot_ref_prefix, 0) != 0 || ref.size() > 255 || ref.back() == '/' ||
        ref.back() == '.' || ref.find("..") != std::string::npos ||
        ref.find("//") != std::string::npos || ref.find("/.") != std::string::npos ||
        ref.find(".lock") != std::string::npos || ref.find("@{") != std::string::npos)
        return false;
    for (const unsigned char c : ref)
        if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' ||
            c == '*' || c == '[' || c == '\\')
            return false;
    // Events carry the ref as JSON text (a fuzzed push of "refs/knot/x/\xff" once got a 500).
    return is_valid_utf8(ref);
}

// Refuses an update whose ref or oids are malformed, or that names the integration ref.
void check_update(const RefUpdate& update) {
    if (!is_knot_ref(update.ref))
        throw bad_request("ref", "must be a valid ref name under refs/knot/");
    if (update.ref == k_integration_ref ||
        update.ref.rfind(std::string(k_integration_ref) + "/", 0) == 0)
        throw ApiError(error_code::not_your_ref,
                       "refs/knot/integration is moved only by the server");
    if (!is_oid(update.old_oid))
        throw bad_request("old", "must be 40 lower-case hex digits");
    if (!is_oid(update.new_oid) || update.new_oid == k_zero_oid)
        throw bad_request("new", "must be 40 lower-case hex digits of a commit");
}

// An agent moves only refs/knot/<name>/... under a name bound to its key: its name now, or one
// it had before a rename (Reader::name_owner; a name is never rebound to another key).
void check_own_ref(Store& store, const Member& member, const RefUpdate& update) {
    const std::string rest = update.ref.substr(k_knot_ref_prefix.size());
    const std::size_t slash = rest.find('/');
    std::optional<std::string> owner;
    if (slash != std::string::npos && slash > 0)
        store.read([&](const Reader& reader) {
            owner = reader.name_owner(member.room.id, rest.substr(0, slash));
        });
    if (owner != member.agent.id)
        throw ApiError(error_code::not_your_ref, member.agent.name + " may only move refs under " +
                                                     std::string(k_knot_ref_prefix) +
                                                     member.agent.name + "/");
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

// The pack body as git reads it: at most its Content-Length (413 past k_max_pack_bytes, 400
// when it ends short), hashed on the way.
class PackBody {
public:
    explicit PackBody(const Request& request)
        : m_in(*request.body_stream)
        , m_length(request.body_length) {
        crypto_hash_sha256_init(&m_state);
    }

    std::size_t read(char* buffer, std::size_t size) {
        const std::uint64_t limit = m_length.value_or(k_max_pack_bytes + 1);
        if (m_total >= limit)
            return 0;
        m_in.read(buffer,
                  static_cast<std::streamsize>(std::min<std::uint64_t>(size, limit - m_total)));
        const auto got = static_cast<std::size_t>(std::max<std::streamsize>(m_in.gcount(), 0));
        m_total += got;
        if (m_total > k_max_pack_bytes)
            throw ApiError(error_code::too_large, "the pack is larger than 1 GiB");
        if (got == 0 && m_length && m_total != *m_length)
            throw ApiError(error_code::bad_request, "body: shorter than its Content-Length");
        crypto_hash_sha256_update(&m_state, reinterpret_cast<const unsigned char*>(buffer), got);
        return got;
    }

    // The hex SHA-256 of what was read.
    std::string sha256() {
        std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
        crypto_hash_sha256_final(&m_state, digest.data());
        std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
        sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
        return hex.data();
    }

private:
    std::istream& m_in;
    std::optional<std::uint64_t> m_length;
    std::uint64_t m_total = 0;
    crypto_hash_sha256_state m_state{};
};

// The body's SHA-256 the client declares (X-Knot-Content-Sha256): what the signature covers, so
// it is verified before a byte of the body is read.
std::string declared_sha256(const Request& request) {
    const std::string value = request.header(k_header_content_sha256);
    if (!is_lower_hex(value, 64))
        throw ApiError(error_code::missing_content_sha256,
                       std::string(k_header_content_sha256) +
                           ": a pack upload declares its body's SHA-256 (64 lower-case hex "
                           "digits), which the signature covers");
    return value;
}

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

// What a push that changes paths other agents hold gets (DESIGN.md, "Trust model" 7).
enum class LockedPush {
    refuse, // hosted: 409 lock_conflict, nothing recorded, the ref stays
    hold,   // forge: the bytes are on the forge already; recorded, its run held_locked
};

// Records an accepted push and then moves its ref, under the room's lock.
//
// Record first, move second: a kill -9 between the two leaves the push recorded (its event, its
// run) with the ref behind, and start-up repairs that by moving the ref to the room's newest
// recorded push (settle_pushed_refs); the objects were kept before the record, so the move can
// always be made. The other order (move, then record) would need the move undone, and a crash
// between them would leave a ref no event explains, which start-up could only guess at. The
// room's lock makes the check of `old`, the record and the move one step for every other push
// and ref listing of the room: the move cannot find the ref moved, and nobody reads the ref
// between the record and the move.
// `locked` are the held paths the push changes (locked_paths_changed); the write decides on the
// locks live then, so a lock granted meanwhile counts too. Returns the sync.held_locked data of
// a held push, else null. A push to a patch ref (is_patch_ref) queues no run, so none is held.
nlohmann::json record_and_move(ServerContext& context, const GitStore& git,
                               const MemberRequest& call, const RefUpdate& update,
                               nlohmann::json data, const std::vector<std::string>& locked,
                               LockedPush on_locked) {
    const Member& member = call.member();
    const std::int64_t now = call.now();
    data["files"] = git.changed_files(member.room.id, update, k_max_event_files);
    const auto lock = git.lock_room(member.room.id);
    git.check_ref_at(member.room.id, update);
    nlohmann::json held;
    call.write([&](Transaction& transaction) {
        const std::vector<LockRecord> conflicts =
            conflicting_locks(transaction, member, locked, now);
        if (!conflicts.empty() && on_locked == LockedPush::refuse)
            refuse_locked_push(update, conflicts, now);
        // A patch's objects are kept and recorded like any push, but integrated only when the
        // patch is merged (routes/patches.cpp): its sync.pushed has no run.
        const bool patch = is_patch_ref(update.ref);
        if (!patch)
            data["run"] = queue_integration(transaction, member, update, now);
        call.append_event(transaction, "sync.pushed", data);
        if (!conflicts.empty() && !patch)
            held = hold_locked_run(transaction, member, update, data["run"].get<std::int64_t>(),
                                   conflicts, agent_id_of(context.server_public_key), now);
    });
    git.move_ref(member.room.id, update);
    return held;
}

// Every credential is checked before a byte of the body is read: the token, the signature over
// the declared body hash (X-Knot-Content-Sha256), whose ref it is, and the nonce. The pack then
// streams through the size scanner into git index-pack in a quarantine; only a pack whose bytes
// hash to the signed digest, whose objects pass fsck and whose tip passes check_tip is kept.
Response receive_pack(const Request& request, ServerContext& context) {
    const RefUpdate update = parse_update(request);
    Request signed_request = request;
    signed_request.body_stream = nullptr;
    signed_request.body_sha256 = declared_sha256(request);
    const MemberRequest call(signed_request, context);
    request.verified_nonce = signed_request.verified_nonce; // spent should the push be refused
    call.refuse_relay("push");
    const Member& member = call.member();
    const std::int64_t now = call.now();
    check_own_ref(context.store, member, update);
    call.refuse_replay(); // before the pack touches the repository

    const GitStore git = git_store(context);
    PackBody body(request);
    std::array<char, 64 * 1024> first{};
    const std::size_t first_bytes = body.read(first.data(), first.size());
    std::size_t objects = 0;
    const auto quarantine = git.quarantine(member.room.id);
    if (first_bytes > 0) {
        std::size_t first_from = 0;
        objects = git.index_pack(*quarantine, [&](char* buffer, std::size_t size) {
            if (first_from < first_bytes) {
                const std::size_t n = std::min(size, first_bytes - first_from);
                std::memcpy(buffer, first.data() + first_from, n);
                first_from += n;
                return n;
            }
            return body.read(buffer, size);
        });
    }
    if (body.sha256() != signed_request.body_sha256)
        throw ApiError(error_code::content_mismatch,
                       "the body's SHA-256 is not the one the request declares and signs");
    git.check_tip(member.room.id, update, quarantine.get());
    // A push that changes what another agent holds is refused before its pack is kept; the
    // write below decides again on the locks live then.
    const std::vector<std::string> locked =
        locked_paths_changed(context.store, git, member, update, quarantine.get(), now);
    if (!locked.empty())
        context.store.read([&](const Reader& reader) {
            const auto conflicts = conflicting_locks(reader, member, locked, now);
            if (!conflicts.empty())
                refuse_locked_push(update, conflicts, now);
        });
    quarantine->keep();
    record_and_move(context, git, call, update,
                    {{"ref", update.ref},
                     {"old", update.old_oid},
                     {"new", update.new_oid},
                     {"objects", objects},
                     {"mode", "hosted"}},
                    locked, LockedPush::refuse);
    wake_integration(context);
    return Response::json(
        200, wire::PushAnswer{update.ref, update.old_oid, update.new_oid, std::nullopt, {}});
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
    const MemberRequest call(request, context);
    const nlohmann::json body = request.json_body();
    const auto wants = oid_list(body, "wants");
    const auto haves = oid_list(body, "haves");
    if (wants.empty())
        throw bad_request("wants", "must name at least one commit");
    call.admit();
    const GitStore git = git_store(context);
    const auto plan = git.plan_pack(call.room().id, wants, haves);
    Response response;
    response.content_type = "application/x-git-packfile";
    if (!plan.empty) // the client has everything: an empty body, not a pack of no objects
        response.write_body = [git, plan, room = call.room().id](std::ostream& out) {
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
    const MemberRequest call(request, context);
    call.refuse_relay("push");
    const Member& member = call.member();
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
    call.refuse_replay(); // before the server fetches anything
    std::string forge_url;
    context.store.read(
        [&](const Reader& reader) { forge_url = reader.check_settings(member.room.id).forge_url; });
    if (forge_url.empty())
        throw ApiError(error_code::no_forge,
                       "this room has no forge: its owner sets one with 'git knot up' in a clone "
                       "whose origin is the forge, or 'git knot check --configure'");
    const ForgeTarget target = check_forge(context.forge_policy, forge_url);

    const GitStore git = git_store(context);
    const std::string fetched = git.fetch_from_forge(member.room.id, target, update.ref);
    if (fetched != update.new_oid)
        throw ApiError(error_code::forge_mismatch, "the forge's " + update.ref + " is at " +
                                                       fetched + ", not " + update.new_oid);
    git.check_tip(member.room.id, update);
    const nlohmann::json held = record_and_move(
        context, git, call, update,
        {{"ref", update.ref}, {"old", update.old_oid}, {"new", update.new_oid}, {"mode", "forge"}},
        locked_paths_changed(context.store, git, member, update, nullptr, call.now()),
        LockedPush::hold);
    wake_integration(context);
    wire::PushAnswer answer{update.ref, update.old_oid, update.new_oid, "forge", {}};
    if (!held.is_null())
        answer.held = held.get<wire::HeldRun>(); // the sync.held_locked data holds these three
    return Response::json(200, answer);
}

} // namespace

void add_git_routes(Router& router) {
    router.add("GET", "/v1/rooms/{room}/git/refs", list_refs);
    router.add_streamed("POST", "/v1/rooms/{room}/git/receive", receive_pack);
    router.add("POST", "/v1/rooms/{room}/git/upload", upload_pack);
    router.add("POST", "/v1/rooms/{room}/git/notify", notify_push);
}

} // namespace knot::server
