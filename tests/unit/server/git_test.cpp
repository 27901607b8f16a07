// Tests of git transfer (refs, receive, upload) against the real knot-server: who may move
// which ref, and that a bad, incomplete or tampered pack changes nothing.
#include "../../support/server_process.hpp"
#include "../../support/shell.hpp"
#include "../../support/temp_dir.hpp"
#include "api_client.hpp"
#include "stream_client.hpp"

#include "libknot/protocol.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <map>

using namespace knot;
using namespace knot::test;
namespace fs = std::filesystem;

namespace {

const std::string k_zero(40, '0');

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A scratch repository that makes commits and packs with the real git.
struct Scratch {
    TempDir dir;
    fs::path repo = dir.path() / "repo";
    Scratch() { make_repository(repo); }

    std::string run(const std::string& command) {
        const auto r = sh(command, repo);
        INFO(command << ": " << r.err);
        REQUIRE(r.status == 0);
        std::string out = r.out;
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        return out;
    }
    std::string commit(const std::string& file, const std::string& text) {
        std::ofstream(repo / file) << text;
        run("git add -A && git commit -q -m " + file);
        return run("git rev-parse HEAD");
    }
    // A pack of `revs` (rev-list arguments, one a line), or with `plain` of exactly the objects.
    std::string pack(const std::string& revs, bool plain = false) {
        run("printf '" + revs + "\\n' | git pack-objects -q --stdout " + (plain ? "" : "--revs ") +
            "> ../pack.bin");
        return read_file(dir.path() / "pack.bin");
    }
};

struct Fixture {
    ServerProcess server;
    ApiClient client{server.host(), server.port()};
    TestRoom room = create_room(client, server.admin_token());
    TestMember alice = join_room(client, room, "alice");
    TestMember bob = join_room(client, room, "bob");
    Scratch scratch;

    ApiResponse receive(const TestMember& who, const std::string& ref, const std::string& old,
                        const std::string& now, const std::string& pack, bool force = false,
                        const std::string& sent = "\x01") {
        const std::string target = room.path("/git/receive?ref=" + ref + "&old=" + old +
                                             "&new=" + now + "&force=" + (force ? "1" : "0"));
        auto headers = signed_headers(who.identity, who.id, "POST", target, pack,
                                      {{std::string(k_header_token), room.token},
                                       {"Content-Type", "application/x-git-packfile"}});
        return client.send("POST", target, sent == "\x01" ? pack : sent, headers);
    }
    // The agents' refs: the integration agent moves refs/knot/integration in the background.
    nlohmann::json refs() {
        nlohmann::json all = room_get(client, room, "/git/refs").json().at("refs");
        all.erase("refs/knot/integration");
        return all;
    }
    // The room's sync.pushed events, oldest first (the integration agent adds its own events).
    std::vector<nlohmann::json> pushes() {
        std::vector<nlohmann::json> out;
        const nlohmann::json page = room_get(client, room, "/events?since=0").json();
        for (const auto& event : page.at("events"))
            if (event.at("type") == "sync.pushed")
                out.push_back(event);
        return out;
    }
};

} // namespace

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
    const std::string target = f.room.path("/git/receive?ref=refs/knot/alice/main&old=" + k_zero +
                                           "&new=" + tip + "&force=0");
    const auto headers = signed_headers(f.alice.identity, f.alice.id, "POST", target, pack,
                                        {{std::string(k_header_token), f.room.token},
                                         {"Content-Type", "application/x-git-packfile"}});
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
    CHECK(f.refs().empty());
}

TEST_CASE("a truncated, corrupt or re-signed-over pack changes nothing") {
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
    // The signature covers the pack: another body under the same signature is refused.
    CHECK(f.receive(f.alice, ref, k_zero, tip, pack, false, truncated).code() == "bad_signature");
    CHECK(f.refs().empty());
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

