// Hostile pushes and fetches against the real knot-server: trees too deep or named to escape a
// work tree, a delta bomb, an unsigned 200 MiB body, a kill -9 mid-push and a fetch of what no
// ref reaches. Each is refused with the server alive, its memory bounded and nothing kept.
#include "git_fixture.hpp"
#include "pack_builder.hpp"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <chrono>
#include <thread>

using namespace knot;
using namespace knot::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_ref = "refs/knot/alice/main";

// A commit whose tree holds the single entry `entry` (raw bytes), with `extra` objects first.
struct HostileCommit {
    std::string pack;
    std::string commit;
};

HostileCommit commit_of_tree(PackBuilder& builder, const std::string& tree_content) {
    const std::string tree = builder.add(PackType::tree, tree_content);
    const std::string commit = builder.add(PackType::commit, commit_text(tree));
    return {builder.finish(), commit};
}

// The server's peak resident memory so far, in KiB.
long peak_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

// Files left in the room's repository by pushes in flight: quarantines and incoming packs.
std::vector<fs::path> leftovers(const fs::path& repo) {
    std::vector<fs::path> out;
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(repo / "objects", ignored))
        if (entry.path().filename().string().rfind("knot-quarantine-", 0) == 0)
            out.push_back(entry.path());
    if (fs::exists(repo / "knot-incoming"))
        for (const auto& entry : fs::directory_iterator(repo / "knot-incoming"))
            out.push_back(entry.path());
    return out;
}

// Waits (bounded) until `condition` holds; false when it never did.
template <class Condition> bool wait_until(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::yield();
    }
    return true;
}

// An upload begun by hand: the headers and part of the body, the rest never sent.
class PartialUpload {
public:
    PartialUpload(const ServerProcess& server, const std::string& target, const Headers& headers,
                  std::uint64_t length, const std::string& start)
        : m_socket(Poco::Net::SocketAddress(server.host(), server.port())) {
        std::string head = "POST " + target + " HTTP/1.1\r\nHost: " + server.host() +
                           "\r\nContent-Length: " + std::to_string(length) + "\r\n";
        for (const auto& [name, value] : headers)
            head += name + ": " + value + "\r\n";
        m_socket.sendBytes(head.data(), static_cast<int>(head.size()));
        m_socket.sendBytes("\r\n", 2);
        m_socket.sendBytes(start.data(), static_cast<int>(start.size()));
    }

    // The status line of the answer, "" when none comes within `seconds`.
    std::string status_line(int seconds) {
        m_socket.setReceiveTimeout(Poco::Timespan(seconds, 0));
        std::string got;
        char buffer[1024];
        try {
            while (got.find("\r\n") == std::string::npos) {
                const int n = m_socket.receiveBytes(buffer, sizeof buffer);
                if (n <= 0)
                    break;
                got.append(buffer, static_cast<std::size_t>(n));
            }
        } catch (const Poco::Exception&) {
            return "";
        }
        return got.substr(0, got.find("\r\n"));
    }

private:
    Poco::Net::StreamSocket m_socket;
};

} // namespace

TEST_CASE("a tree nested 100,000 deep is refused, the server lives and the ref stays") {
    Fixture f;
    PackBuilder builder;
    std::string below = builder.add(PackType::blob, "deep\n");
    std::string mode = "100644";
    for (int depth = 0; depth < 100000; ++depth) {
        below = builder.add(PackType::tree, tree_entry(mode, "d", below));
        mode = "40000";
    }
    const std::string commit = builder.add(PackType::commit, commit_text(below));
    const auto r = f.receive(f.alice, k_ref, k_zero, commit, builder.finish());
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK(r.code() == "tree_too_deep");
    CHECK(f.refs().empty()); // the server still answers
    CHECK(f.pushes().empty());
    CHECK(sh("git fsck --no-dangling", f.repo()).status == 0);
}

TEST_CASE("a 362-byte delta that makes 1 GiB is refused and the server's memory stays bounded") {
    Fixture f;
    const long before = peak_kib(f.server.pid());
    const std::string bomb = delta_bomb(std::uint64_t{1} << 30);
    CHECK(bomb.size() < 1024);
    const auto r = f.receive(f.alice, k_ref, k_zero, std::string(40, 'a'), bomb);
    INFO(r.body);
    CHECK(r.status == 413);
    CHECK(r.code() == "object_too_large");
    const long after = peak_kib(f.server.pid());
    INFO("VmHWM before " << before << " KiB, after " << after << " KiB");
    CHECK(after - before < 64 * 1024);
    CHECK(leftovers(f.repo()).empty());
    CHECK(f.refs().empty());
}

TEST_CASE("trees with entries named .git, .., a/b, .GIT, git~1 or mistyped are refused") {
    Fixture f;
    const std::string blob_text = "x\n";
    const std::string blob = object_id("blob", blob_text);
    const std::string sub = object_id("tree", tree_entry("100644", "f", blob));
    struct Case {
        std::string name;
        std::string tree;
    };
    const std::vector<Case> cases = {
        {".git", tree_entry("40000", ".git", sub)},
        {"..", tree_entry("40000", "..", sub)},
        {"a/b", tree_entry("100644", "a/b", blob)},
        {".GIT", tree_entry("40000", ".GIT", sub)},
        {"git~1", tree_entry("40000", "git~1", sub)},
        {".git. (NTFS)", tree_entry("40000", ".git.", sub)},
        {"blob entry pointing at a tree", tree_entry("100644", "x", sub)},
        {"tree entry pointing at a blob", tree_entry("40000", "x", blob)},
        {"mode 100600", tree_entry("100600", "x", blob)},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        PackBuilder builder;
        builder.add(PackType::blob, blob_text);
        builder.add(PackType::tree, tree_entry("100644", "f", blob));
        const HostileCommit hostile = commit_of_tree(builder, c.tree);
        const auto r = f.receive(f.alice, k_ref, k_zero, hostile.commit, hostile.pack);
        INFO(r.body);
        CHECK(r.status == 400);
        CHECK((r.code() == "bad_pack" || r.code() == "bad_object"));
    }
    CHECK(f.refs().empty());
    CHECK(f.pushes().empty());
    CHECK(leftovers(f.repo()).empty());
    const auto fsck = sh("git fsck --strict", f.repo());
    INFO(fsck.err);
    CHECK(fsck.status == 0);
}

TEST_CASE("a blob entry pointing at a tree the room already has is refused") {
    Fixture f;
    const std::string tip = f.scratch.commit("a.txt", "one\n");
    REQUIRE(f.receive(f.alice, k_ref, k_zero, tip, f.scratch.pack(tip)).status == 200);
    const std::string known_tree = f.scratch.run("git rev-parse HEAD^{tree}");
    // Only the new tree and commit travel: git's own link check sees the tree exists.
    PackBuilder builder;
    const HostileCommit hostile = commit_of_tree(builder, tree_entry("100644", "oops", known_tree));
    const auto r =
        f.receive(f.alice, "refs/knot/alice/other", k_zero, hostile.commit, hostile.pack);
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK((r.code() == "bad_pack" || r.code() == "bad_object"));
    CHECK(f.refs() == nlohmann::json{{k_ref, tip}});
}

TEST_CASE("a push with a zero signature is refused before its 200 MiB body is read") {
    Fixture f;
    const std::string tip = f.scratch.commit("a.txt", "one\n");
    const std::string target = receive_target(f.room, k_ref, k_zero, tip);
    Headers headers = pack_headers(f.room, f.alice, target, "");
    headers[std::string(k_header_signature)] = std::string(128, '0');
    headers[std::string(k_header_content_sha256)] = std::string(64, 'a');
    const auto started = std::chrono::steady_clock::now();
    PartialUpload upload(f.server, target, headers, std::uint64_t{200} << 20,
                         std::string(64 * 1024, 'P'));
    // The server answers with 198 MiB still unsent: it did not wait for the body.
    CHECK(upload.status_line(20).find(" 401 ") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
    CHECK(leftovers(f.repo()).empty());
    CHECK((!fs::exists(f.repo() / "objects" / "pack") ||
           fs::is_empty(f.repo() / "objects" / "pack")));
}

TEST_CASE("kill -9 mid-push leaves nothing that stops the next push to the same ref") {
    Fixture f;
    const std::string first = f.scratch.commit("a.txt", "one\n");
    REQUIRE(f.receive(f.alice, k_ref, k_zero, first, f.scratch.pack(first)).status == 200);
    // Incompressible, so that half the pack is more than the server reads before it indexes.
    f.scratch.run("head -c 1048576 /dev/urandom > b.bin && git add b.bin && git commit -q -m b");
    const std::string second = f.scratch.run("git rev-parse HEAD");
    const std::string pack = f.scratch.pack(second + "\\n^" + first);
    const std::string target = receive_target(f.room, k_ref, first, second);
    {
        PartialUpload upload(f.server, target, pack_headers(f.room, f.alice, target, pack),
                             pack.size(), pack.substr(0, pack.size() / 2));
        REQUIRE(wait_until([&] { return !leftovers(f.repo()).empty(); }));
        f.server.kill();
    }
    // What a kill during a ref move would leave too: the ref's lock file.
    std::ofstream(f.repo() / (std::string(k_ref) + ".lock")) << second << "\n";
    f.restart();
    CHECK(leftovers(f.repo()).empty());
    CHECK(!fs::exists(f.repo() / (std::string(k_ref) + ".lock")));
    const auto r = f.receive(f.alice, k_ref, first, second, pack);
    INFO(r.body);
    CHECK(r.status == 200);
    CHECK(f.refs().at(k_ref) == second);
    const auto gc = sh("git gc --auto && git fsck --no-dangling", f.repo());
    INFO(gc.err);
    CHECK(gc.status == 0);
}

TEST_CASE("a push recorded before a crash but whose ref did not move is moved at start-up") {
    Fixture f;
    const std::string first = f.scratch.commit("a.txt", "one\n");
    REQUIRE(f.receive(f.alice, k_ref, k_zero, first, f.scratch.pack(first)).status == 200);
    const std::string second = f.scratch.commit("b.txt", "two\n");
    REQUIRE(
        f.receive(f.alice, k_ref, first, second, f.scratch.pack(second + "\\n^" + first)).status ==
        200);
    f.server.kill();
    // The state a kill between the record and the move leaves: the ref still at `first`.
    REQUIRE(sh("git update-ref " + std::string(k_ref) + " " + first, f.repo()).status == 0);
    f.restart();
    CHECK(f.refs().at(k_ref) == second);
}

TEST_CASE("a fetch of a commit no ref reaches is refused") {
    Fixture f;
    const std::string first = f.scratch.commit("a.txt", "one\n");
    REQUIRE(f.receive(f.alice, k_ref, k_zero, first, f.scratch.pack(first)).status == 200);
    // A push refused only once its objects were kept (its ref had moved on): they stay in the
    // object database, where no ref reaches them.
    const std::string stray = f.scratch.commit("b.txt", "two\n");
    REQUIRE(
        f.receive(f.alice, k_ref, k_zero, stray, f.scratch.pack(stray + "\\n^" + first)).code() ==
        "stale_old");
    REQUIRE(sh("git cat-file -e " + stray, f.repo()).status == 0);
    const auto refused =
        room_post(f.client, f.room, f.bob.identity, "/git/upload", {{"wants", {stray}}});
    CHECK(refused.status == 400);
    CHECK(refused.code() == "unknown_object");
    // What a ref reaches is served: its tip and the commits behind it.
    const std::string next = f.scratch.commit("c.txt", "three\n");
    REQUIRE(f.receive(f.alice, k_ref, first, next, f.scratch.pack(next + "\\n^" + first)).status ==
            200);
    for (const std::string& want : {first, next, stray}) {
        INFO(want);
        CHECK(room_post(f.client, f.room, f.bob.identity, "/git/upload", {{"wants", {want}}})
                  .status == 200);
    }
}
