// End to end: the signed patch exchange (git knot share, submit, patches, apply, approve, reject,
// merge) between clones joined to a room hosted by `git knot up`, with the real git, helper and
// server. Tampering is done where an attacker with the host's disk would do it: the room's bare
// repository and the server's SQLite file. Waits are on the room's events, never sleeps.
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

using namespace knot::test;
namespace fs = std::filesystem;

namespace {

// The patch git knot share or submit made, from its --json output.
nlohmann::json made_patch(const std::string& command, const fs::path& repo) {
    return json_of(run(command + " --json", repo));
}

// The patch `id` as `git knot patches --json` in `repo` lists it; FAILs when it is not listed.
nlohmann::json listed(const fs::path& repo, const std::string& id) {
    const auto answer = json_of(run("git knot patches --json", repo));
    for (const auto& patch : answer.at("patches"))
        if (patch.at("id") == id)
            return patch;
    FAIL("patch " << id << " is not listed");
    return {};
}

// The room's events of `type`, oldest first, through `git knot log --json`.
std::vector<nlohmann::json> events_of(const fs::path& repo, const std::string& type) {
    const auto log = run("git knot log --json", repo);
    REQUIRE(log.status == 0);
    std::vector<nlohmann::json> out;
    std::istringstream lines(log.out);
    for (std::string line; std::getline(lines, line);) {
        auto event = nlohmann::json::parse(line);
        if (event.at("type") == type)
            out.push_back(std::move(event));
    }
    return out;
}

// What `git status --porcelain` shows, and HEAD: a work tree "untouched" keeps both.
std::string tree_state(const fs::path& repo) {
    return run("git status --porcelain", repo).out + rev(repo, "HEAD");
}

// Runs `sql` on the server's database behind its back, as someone with the host's disk could.
void tamper_database(const HostedRoom& room, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((room.host() / ".git/knot/server/knot.db").c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    const int changed = sqlite3_changes(db);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
    REQUIRE(changed == 1);
}

// The server's copy of `ref` in the room's bare repository.
std::string server_ref(const HostedRoom& room, const std::string& ref) {
    return trimmed(
        sh("git --git-dir='" + room.repository().string() + "' rev-parse -q --verify " + ref,
           room.host())
            .out);
}

// A bare repository at <room>/forge.git made the room's forge by its owner, and `name` joined
// with it as origin: forge mode, where git itself pushes to the forge and the helper notifies.
fs::path forge_clone(HostedRoom& room, const std::string& name) {
    const fs::path forge = room.dir() / "forge.git";
    if (!fs::exists(forge)) {
        REQUIRE(sh("git init -q --bare forge.git", room.dir()).status == 0);
        room.use_forge(forge);
    }
    const auto path = room.joined(name);
    REQUIRE(sh("git remote set-url origin '" + forge.string() + "'", path).status == 0);
    return path;
}

} // namespace

TEST_CASE("a shared draft is listed for a teammate, who applies it after checking its signature") {
    HostedRoom room;
    write_file(room.host() / "draft.txt", "v1\n");
    REQUIRE(run("git add draft.txt && git commit -q --no-verify -m draft", room.host()).status ==
            0);
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    write_file(a / "notes.txt", "an idea\n");
    REQUIRE(run("git add notes.txt", a).status == 0);
    write_file(a / "draft.txt", "not staged yet\n"); // tracked, the change unstaged
    const std::string a_before = tree_state(a);

    const auto shared = made_patch("git knot share -m 'a first look'", a);
    CHECK(shared.at("kind") == "draft");
    CHECK(tree_state(a) == a_before); // share changes nothing here
    CHECK(trimmed(run("git stash list", a).out).empty());

    const auto seen = listed(b, shared.at("id"));
    CHECK(seen.at("author_name") == "coder-1");
    CHECK(seen.at("state") == "draft");
    CHECK(seen.at("message") == "a first look");
    CHECK(seen.at("approvals") == 0);
    REQUIRE(events_of(b, "patch.shared").size() == 1);

    const auto applied = run("git knot apply " + shared.at("id").get<std::string>(), b);
    REQUIRE(applied.status == 0);
    CHECK(contains(applied.out, "signature verified"));
    CHECK(trimmed(run("cat notes.txt draft.txt", b).out) == "an idea\nnot staged yet");

    // --staged leaves out what is not staged.
    const auto staged = made_patch("git knot share --staged -m 'only the index'", a);
    const auto c = hosted_clone(room, "coder-3");
    REQUIRE(run("git knot apply " + staged.at("id").get<std::string>(), c).status == 0);
    CHECK(fs::exists(c / "notes.txt"));
    CHECK(trimmed(run("cat draft.txt", c).out) == "v1");
}

TEST_CASE("a submitted patch merges through the integration pipeline once another agent "
          "approves it") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    RoomEvents events(b);
    const std::string tip = commit_file(a, "feature.txt", "the feature\n");
    const auto patch = made_patch("git knot submit -m 'add the feature'", a);
    const std::string id = patch.at("id");
    CHECK(patch.at("tip") == tip);
    CHECK(patch.at("state") == "submitted");

    // The author cannot approve its own patch; nobody merges an unapproved one.
    const auto own = run("git knot approve " + id, a);
    CHECK(own.status == 1);
    CHECK(contains(own.err, "your own patch"));
    const auto early = run("git knot merge " + id, b);
    CHECK(early.status == 1);
    CHECK(contains(early.err, "no approval"));

    // A standing rejection blocks the merge until its author approves instead.
    REQUIRE(run("git knot reject " + id + " --reason 'needs a test'", b).status == 0);
    CHECK(listed(a, id).at("rejections") == 1);
    const auto rejected = run("git knot merge " + id, a);
    CHECK(rejected.status == 1);
    CHECK(contains(rejected.err, "rejected by coder-2: needs a test"));
    REQUIRE(run("git knot approve " + id, b).status == 0);
    const auto approved = listed(a, id);
    CHECK(approved.at("approvals") == 1);
    CHECK(approved.at("rejections") == 0);

    const auto merged = run("git knot merge " + id, a);
    INFO(merged.out << merged.err);
    REQUIRE(merged.status == 0);
    CHECK(contains(merged.out, "integrated coder-1@" + tip.substr(0, 7)));
    const auto requested = events.next([&](const nlohmann::json& event) {
        return event.at("type") == "patch.merge_requested" && event.at("data").at("id") == id;
    });
    const int run_number = requested.at("data").at("run");
    CHECK(events.outcome(run_number).at("type") == "sync.integrated");
    const std::string integration = server_ref(room, "refs/knot/integration");
    CHECK(sh("git --git-dir='" + room.repository().string() + "' merge-base --is-ancestor " + tip +
                 " " + integration,
             room.host())
              .status == 0);
    const auto done = listed(b, id);
    CHECK(done.at("state") == "integrated");
    CHECK(done.at("run").at("run") == run_number);
    CHECK(done.at("run").at("status") == "integrated");
    CHECK(done.at("run").at("review") == "PASS"); // every candidate passes until a review mode
    CHECK(contains(run("git knot patches", b).out, id + "  coder-1      integrated (run " +
                                                       std::to_string(run_number) +
                                                       ", review PASS) +1 -0  add the feature"));
    CHECK(events_of(b, "patch.submitted").size() == 1);
    CHECK(events_of(b, "patch.approved").size() == 1);
    CHECK(events_of(b, "patch.rejected").size() == 1);

    // Integrated is final: no second merge.
    const auto again = run("git knot merge " + id, b);
    CHECK(again.status == 1);
    CHECK(contains(again.err, "already merging"));
}

TEST_CASE("a patch whose content no longer matches its signature is refused at apply, the work "
          "tree untouched") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    const std::string base = rev(a, "HEAD");
    commit_file(a, "feature.txt", "the feature\n");
    const std::string id = made_patch("git knot submit -m 'add the feature'", a).at("id");
    const std::string ref = "refs/knot/coder-1/patches/" + id;
    const std::string b_before = tree_state(b);

    SECTION("the patch's ref moved to another commit in the server's repository") {
        REQUIRE(
            sh("git --git-dir='" + room.repository().string() + "' update-ref " + ref + " " + base,
               room.host())
                .status == 0);
        const auto refused = run("git knot apply " + id, b);
        CHECK(refused.status == 1);
        CHECK(contains(refused.err, "does not match its author's signature"));
        CHECK(contains(refused.err, "not the signed tip"));
        CHECK(tree_state(b) == b_before);
        // The server will not integrate it either.
        REQUIRE(run("git knot approve " + id, b).status == 0);
        const auto merge = run("git knot merge " + id, b);
        CHECK(merge.status == 1);
        CHECK(contains(merge.err, "no longer at the signed tip"));
    }
    SECTION("the patch's tip changed in the server's database") {
        tamper_database(room,
                        "UPDATE patches SET tip_oid = '" + base + "' WHERE id = '" + id + "'");
        const auto refused = run("git knot apply " + id, b);
        CHECK(refused.status == 1);
        CHECK(contains(refused.err, "does not match its author's signature"));
        CHECK(tree_state(b) == b_before);
        CHECK(rev(b, ref).empty()); // refused before anything was fetched
        REQUIRE(run("git knot approve " + id, b).status == 0);
        const auto merge = run("git knot merge " + id, b);
        INFO(merge.err);
        CHECK(merge.status == 1);
        CHECK(contains(merge.err, "signature does not verify"));
    }
}

TEST_CASE("a push to a patch ref keeps its objects but starts no integration run") {
    HostedRoom room;
    const auto a = hosted_clone(room, "coder-1");
    RoomEvents events(a);
    const std::string tip = commit_file(a, "feature.txt", "the feature\n");
    const std::string ref = "refs/knot/coder-1/patches/p0123456789";
    REQUIRE(run("git push -q knot HEAD:" + ref, a).status == 0);
    const auto pushed = events.next([&](const nlohmann::json& event) {
        return event.at("type") == "sync.pushed" && event.at("data").at("ref") == ref;
    });
    CHECK_FALSE(pushed.at("data").contains("run"));
    CHECK(server_ref(room, ref) == tip);
    // The run is queued in the push's own write, so had there been one, the next push's run
    // would not be the room's first.
    const auto main_tip = commit_file(a, "more.txt", "more\n");
    REQUIRE(run("git push -q knot main", a).status == 0);
    CHECK(events.pushed(main_tip) == 1);
}

TEST_CASE("patch commands refuse bad input with one clear line") {
    HostedRoom room;
    HostedRoom other;
    const auto a = hosted_clone(room, "coder-1");
    const auto b = hosted_clone(room, "coder-2");
    const auto stranger = hosted_clone(other, "coder-9");

    const auto unknown = run("git knot apply p0123456789", a);
    CHECK(unknown.status == 1);
    CHECK(trimmed(unknown.err) == "git-knot: there is no patch p0123456789 in this room");
    const auto malformed = run("git knot approve ../../etc", a);
    CHECK(malformed.status == 129);
    CHECK(contains(malformed.err, "is not a patch id"));
    CHECK(run("git knot reject p0123456789", a).status == 129); // --reason is required
    const auto nothing = run("git knot share -m 'empty'", a);
    CHECK(nothing.status == 1);
    CHECK(contains(nothing.err, "nothing to share"));

    // Another room's patch is unknown here, whatever its id.
    write_file(stranger / "x.txt", "x\n");
    REQUIRE(run("git add x.txt", stranger).status == 0);
    const std::string foreign = made_patch("git knot share -m 'elsewhere'", stranger).at("id");
    for (const std::string command : {"apply", "approve", "merge"}) {
        const auto refused = run("git knot " + command + " " + foreign, a);
        CHECK(refused.status == 1);
        CHECK(contains(refused.err, "there is no patch " + foreign + " in this room"));
    }

    // A draft is for reading: it is neither approved nor merged.
    write_file(a / "y.txt", "y\n");
    REQUIRE(run("git add y.txt", a).status == 0);
    const std::string draft = made_patch("git knot share -m 'look'", a).at("id");
    const auto approve_draft = run("git knot approve " + draft, b);
    CHECK(approve_draft.status == 1);
    CHECK(contains(approve_draft.err, "is a draft"));
}

TEST_CASE("in forge mode a patch's commits travel through the forge, start no run on their own "
          "and merge once approved") {
    HostedRoom room;
    const auto a = forge_clone(room, "coder-1");
    const auto b = forge_clone(room, "coder-2");
    RoomEvents events(b);
    const std::string tip = commit_file(a, "feature.txt", "the feature\n");
    const std::string id = made_patch("git knot submit", a).at("id");
    const std::string ref = "refs/knot/coder-1/patches/" + id;
    CHECK(rev(room.dir() / "forge.git", ref) == tip);
    const auto pushed = events.next([&](const nlohmann::json& event) {
        return event.at("type") == "sync.pushed" && event.at("data").at("ref") == ref;
    });
    CHECK(pushed.at("data").at("mode") == "forge");
    CHECK_FALSE(pushed.at("data").contains("run"));
    CHECK(listed(b, id).at("message") == "change feature.txt"); // the tip's subject by default

    REQUIRE(run("git knot apply " + id, b).status == 0);
    CHECK(trimmed(run("cat feature.txt", b).out) == "the feature");
    REQUIRE(run("git knot approve " + id, b).status == 0);
    const auto merged = run("git knot merge --json " + id, b);
    INFO(merged.err);
    REQUIRE(merged.status == 0);
    const auto ended = nlohmann::json::parse(merged.out);
    CHECK(ended.at("type") == "sync.integrated");
    CHECK(ended.at("data").at("run") == 1); // the first run of the room: the push queued none
}
