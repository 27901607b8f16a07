// Tests of git transfer (refs, receive, upload) against the real knot-server: who may move
// which ref, and that a bad, incomplete or tampered pack changes nothing.
#include "git_fixture.hpp"

#include "libknot/protocol/protocol.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace knot;
using namespace knot::test;
namespace fs = std::filesystem;

TEST_CASE("a member moves its own ref with a pack, and the event names the changed files") {
    Fixture f;
    const std::string tip = f.scratch.commit("a.txt", "one\n");
    const auto r = f.receive(f.alice, "refs/knot/alice/main", k_zero, tip, f.scratch.pack(tip));
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(f.refs() == nlohmann::json{{"refs/knot/alice/main", tip}});
    const auto events = f.pushes();
    REQUIRE(events.size() == 1);
    const auto& last = events.back();
    CHECK(last.at("type") == "sync.pushed");
    CHECK(last.at("data").at("new") == tip);
    CHECK(last.at("data").at("files") == nlohmann::json::array({"a.txt"}));

    // An empty pack is enough when the server has every object.
    const auto again = f.receive(f.alice, "refs/knot/alice/other", k_zero, tip, "");
    CHECK(again.status == 200);

    const auto upload =
        room_post(f.client, f.room, f.bob.identity, "/git/upload", {{"wants", {tip}}});
    REQUIRE(upload.status == 200);
    CHECK(upload.content_type == "application/x-git-packfile");
    CHECK(upload.body.rfind("PACK", 0) == 0);
}

TEST_CASE("a replayed push is refused before its pack reaches the repository") {
    Fixture f;
    const std::string tip = f.scratch.commit("a.txt", "one\n");
    const std::string pack = f.scratch.pack(tip);
    const std::string target = receive_target(f.room, "refs/knot/alice/main", k_zero, tip);
    const auto headers = pack_headers(f.room, f.alice, target, pack);
    REQUIRE(f.client.send("POST", target, pack, headers).status == 200);
    const auto pack_dir = f.server.data_dir() / "repos" / (f.room.id + ".git") / "objects" / "pack";
    // What is in the pack folder, with each file's modification time: a replay that reached the
    // indexer would rewrite the same pack, which only its time would show.
    auto packs = [&] {
        std::map<std::string, fs::file_time_type> files;
        for (const auto& entry : fs::directory_iterator(pack_dir))
            files[entry.path().filename().string()] = fs::last_write_time(entry.path());
        return files;
    };
    const auto before = packs();
    const auto replay = f.client.send("POST", target, pack, headers);
    CHECK(replay.status == 401);
    CHECK(replay.code() == "replayed_nonce");
    CHECK(packs() == before);
}

TEST_CASE("a ref outside the signer's own, integration and malformed updates are refused") {
    Fixture f;
    const std::string tip = f.scratch.commit("a.txt", "one\n");
    const std::string pack = f.scratch.pack(tip);
    CHECK(f.receive(f.alice, "refs/knot/bob/main", k_zero, tip, pack).code() == "not_your_ref");
    CHECK(f.receive(f.alice, "refs/knot/integration", k_zero, tip, pack).status == 403);
    CHECK(f.receive(f.alice, "refs/heads/main", k_zero, tip, pack).status == 400);
    CHECK(f.receive(f.alice, "refs/knot/alice/../bob/x", k_zero, tip, pack).status == 400);
    CHECK(f.receive(f.alice, "refs/knot/alice/main", "zz", tip, pack).status == 400);
    CHECK(f.receive(f.alice, "refs/knot/alice/main", k_zero, k_zero, pack).status == 400);
    // Not UTF-8: the ref could not be told in an event (the fuzzer's push once got a 500).
    CHECK(f.receive(f.alice, "refs/knot/alice/%FF", k_zero, tip, pack).status == 400);
    CHECK(f.receive(f.alice, "refs/knot/alice/%C0%AF", k_zero, tip, pack).status == 400);
    CHECK(f.refs().empty());
}

TEST_CASE("a renamed agent keeps the refs of its old name, and no other key can move them") {
    Fixture f;
    const std::string tip = f.scratch.commit("a.txt", "one\n");
    const std::string pack = f.scratch.pack(tip);
    REQUIRE(f.receive(f.alice, "refs/knot/alice/main", k_zero, tip, pack).status == 200);
    REQUIRE(register_agent(f.client, f.room, f.alice.identity, "alicia").status == 200);
    // Its key still owns refs/knot/alice/, and owns refs/knot/alicia/ now too.
    const std::string next = f.scratch.commit("b.txt", "two\n");
    const std::string next_pack = f.scratch.pack(next + "\n^" + tip);
    CHECK(f.receive(f.alice, "refs/knot/alice/main", tip, next, next_pack).status == 200);
    CHECK(f.receive(f.alice, "refs/knot/alicia/main", k_zero, next, "").status == 200);
    // The freed name is not free: no new key takes it, and bob cannot move its refs.
    CHECK(register_agent(f.client, f.room, Identity::generate(), "alice").code() == "name_taken");
    CHECK(f.receive(f.bob, "refs/knot/alice/main", next, tip, "", true).code() == "not_your_ref");
    CHECK(f.refs().at("refs/knot/alice/main") == next);
}

TEST_CASE("a truncated, corrupt or re-signed-over pack changes nothing, and the pack then passes") {
    Fixture f;
    const std::string tip = f.scratch.commit("a.txt", "one\n");
    const std::string pack = f.scratch.pack(tip);
    const std::string ref = "refs/knot/alice/main";

    const std::string truncated = pack.substr(0, pack.size() - 30);
    CHECK(f.receive(f.alice, ref, k_zero, tip, truncated).code() == "bad_pack");
    std::string corrupt = pack;
    corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
    CHECK(f.receive(f.alice, ref, k_zero, tip, corrupt).code() == "bad_pack");
    CHECK(f.receive(f.alice, ref, k_zero, tip, "not a pack").code() == "bad_pack");
    // The signature covers the pack's digest: another body under the same signature is refused,
    // a valid pack included.
    const std::string other = f.scratch.pack(f.scratch.commit("b.txt", "two\n"));
    CHECK(f.receive(f.alice, ref, k_zero, tip, pack, false, other).code() == "content_mismatch");
    CHECK(f.refs().empty());
    CHECK(f.receive(f.alice, ref, k_zero, tip, pack).status == 200);
}

TEST_CASE("a pack without the signed tip or the objects it needs is refused") {
    Fixture f;
    const std::string parent = f.scratch.commit("a.txt", "one\n");
    const std::string tip = f.scratch.commit("b.txt", "two\n");
    const std::string ref = "refs/knot/alice/main";
    // The commit alone, without its tree and blobs.
    CHECK(f.receive(f.alice, ref, k_zero, tip, f.scratch.pack(tip, true)).code() ==
          "missing_objects");
    // The tip and its tree but not its parent.
    CHECK(f.receive(f.alice, ref, k_zero, tip, f.scratch.pack(tip + "\\n^" + parent)).code() ==
          "missing_objects");
    // A valid pack that does not hold the signed tip at all.
    const std::string absent = f.scratch.commit("c.txt", "three\n");
    CHECK(f.receive(f.alice, ref, k_zero, absent, f.scratch.pack(parent)).code() ==
          "missing_objects");
    CHECK(f.refs().empty());
}

TEST_CASE("an update that is not a fast-forward needs force, and old must be current") {
    Fixture f;
    const std::string ref = "refs/knot/alice/main";
    const std::string first = f.scratch.commit("a.txt", "one\n");
    REQUIRE(f.receive(f.alice, ref, k_zero, first, f.scratch.pack(first)).status == 200);
    f.scratch.run("git commit -q --amend -m rewritten");
    const std::string rewritten = f.scratch.run("git rev-parse HEAD");
    const std::string pack = f.scratch.pack(rewritten);

    CHECK(f.receive(f.alice, ref, first, rewritten, pack).code() == "non_fast_forward");
    CHECK(f.receive(f.alice, ref, k_zero, rewritten, pack, true).code() == "stale_old");
    CHECK(f.refs().at(ref) == first);
    CHECK(f.receive(f.alice, ref, first, rewritten, pack, true).status == 200);
    CHECK(f.refs().at(ref) == rewritten);
}

// The server, not the client, keeps a relay member (no clone) from locking and pushing: any
// member may use any client. The same key's card without relay lifts it, logged as an upgrade.
TEST_CASE("a relay member is refused locks, pushes, forge notices and patches until it upgrades") {
    Fixture f;
    const auto card = [&](const std::vector<std::string>& capabilities) {
        return nlohmann::json{{"name", "alice"},
                              {"kind", "claude"},
                              {"capabilities", capabilities},
                              {"public_key", f.alice.identity.public_key_base64()}};
    };
    REQUIRE(f.post(f.alice.identity, "/agents", card({"relay"})).status == 200);
    const std::string ref = "refs/knot/alice/main";
    const std::string tip = f.scratch.commit("a.txt", "one\n");

    const auto pushed = f.receive(f.alice, ref, k_zero, tip, f.scratch.pack(tip));
    CHECK(pushed.status == 403);
    CHECK(pushed.code() == "relay_agent");
    CHECK(f.refs().empty());
    const auto locked = f.post(f.alice.identity, "/locks", {{"paths", {"a.txt"}}});
    CHECK(locked.code() == "relay_agent");
    const auto doing =
        f.post(f.alice.identity, "/doing", {{"status", "docs"}, {"files", {"a.txt"}}});
    CHECK(doing.code() == "relay_agent");
    CHECK(f.post(f.alice.identity, "/doing", {{"status", "docs"}}).status == 200);
    const auto noticed =
        f.post(f.alice.identity, "/git/notify", {{"ref", ref}, {"old", k_zero}, {"new", tip}});
    CHECK(noticed.code() == "relay_agent");
    CHECK(f.post(f.alice.identity, "/patches", nlohmann::json::object()).code() == "relay_agent");
    CHECK(room_get(f.client, f.room, "/locks").json().at("locks").empty());

    const std::int64_t before = f.last_seq();
    REQUIRE(f.post(f.alice.identity, "/agents", card({"code"})).status == 200);
    CHECK(f.events_since(before).at(0).at("type") == "agent.upgraded");
    CHECK(f.receive(f.alice, ref, k_zero, tip, f.scratch.pack(tip)).status == 200);
    CHECK(f.post(f.alice.identity, "/locks", {{"paths", {"a.txt"}}}).status == 200);
}
