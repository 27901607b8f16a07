// End to end: the clone's knot-agent (knot-agent/agent.hpp), which answers the pre-commit hook
// after the first commit, driven by the real `git commit` against a room hosted by `git knot
// up`, and by requests written to its socket.
#include "tests/e2e/hooks_steps.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace knot;
using namespace knot::test;
using namespace knot::test::hooks;
namespace fs = std::filesystem;

namespace {

// A connection to the clone's agent socket, or -1.
int connect_agent(const fs::path& repo) {
    const fs::path socket_path = repo / ".git/knot/agent.sock";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_path.string().size() >= sizeof address.sun_path)
        return -1;
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.string().size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 &&
        ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// True when something accepts on the clone's agent socket.
bool agent_accepts(const fs::path& repo) {
    const int fd = connect_agent(repo);
    if (fd >= 0)
        ::close(fd);
    return fd >= 0;
}

// The agent's answer to a request for `hook` naming `index` as the index, as knot-hook sends
// it (hooks/agent_wire.hpp).
std::string agent_request(const fs::path& repo, const std::string& hook, const std::string& index) {
    const int fd = connect_agent(repo);
    if (fd < 0)
        return "(no agent)";
    std::string request =
        std::string("knot-hook/1") + '\0' + hook + '\0' + repo.string() + '\0' + index + '\0';
    CHECK(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    ::shutdown(fd, SHUT_WR);
    std::string answer;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        answer.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return answer;
}

// True once nothing accepts on the clone's agent socket, waiting up to five seconds.
bool agent_gone(const fs::path& repo) {
    for (int waited = 0; agent_accepts(repo); waited += 10) {
        if (waited >= 5000)
            return false;
        ::usleep(10000);
    }
    return true;
}

// True once the clone's knot-agent accepts on its socket, waiting up to `wait_ms` for it (the
// first commit starts it in the background).
bool agent_answers(const fs::path& repo, int wait_ms = 10000) {
    for (int waited = 0; !agent_accepts(repo); waited += 10) {
        if (waited >= wait_ms)
            return false;
        ::usleep(10000);
    }
    return true;
}

} // namespace

TEST_CASE("after a first commit the clone's agent answers pre-commit, without git-knot or git") {
    const int port = free_port();
    HostedRoom room(port);
    const auto a = room.joined("coder-1");
    const auto b = room.joined("coder-2");
    const std::string agent_a = git_config(a, "knot.agent");
    REQUIRE(commit(a, "start.txt", "1").status == 0); // git-knot runs it, and starts the agent
    REQUIRE(commit(b, "start-b.txt", "2").status == 0);
    REQUIRE(agent_answers(a));
    REQUIRE(agent_answers(b));
    CHECK((mode_of(a / ".git/knot/agent.sock") & 077) == 0);
    const std::string elf = {'\x7f', 'E', 'L', 'F'}; // knot-hook, not the shim
    CHECK(slurp(a / ".git/hooks/pre-commit").rfind(elf, 0) == 0);
    CHECK(sh("git knot doctor", a).out.find("knot-agent answers the pre-commit hook") !=
          std::string::npos);

    // A git-knot first on PATH that only leaves a mark: what the agent answers needs none.
    const auto fake = room.dir() / "fake-bin";
    write_file(fake / "git-knot",
               "#!/bin/sh\necho \"$@\" >>'" + (room.dir() / "ran").string() + "'\n");
    ::chmod((fake / "git-knot").c_str(), 0755);
    const std::string path = "PATH='" + fake.string() + "':\"$PATH\" ";

    write_file(a / "src/x.c", "int x;\n");
    auto claimed = sh("git add src/x.c && " + path + "git commit -q -m x", a);
    INFO(claimed.err);
    CHECK(claimed.status == 0);
    CHECK(claimed.err.empty());
    CHECK(locks(a).at("src/x.c") == agent_a);

    write_file(b / "src/x.c", "int y;\n");
    const std::string before = head_of(b);
    const auto refused = sh("git add src/x.c && " + path + "git commit -q -m y", b);
    CHECK(refused.status == 1);
    CHECK(head_of(b) == before);
    CHECK(refused.err.find("knot: commit refused") != std::string::npos);
    CHECK(refused.err.find("src/x.c  locked by coder-1") != std::string::npos);

    // `git commit <path>` commits from a temporary index: only that path is claimed.
    write_file(a / "p.c", "p\n");
    write_file(a / "q.c", "q\n");
    const auto partial = sh("git add p.c q.c && " + path + "git commit -q -m p p.c", a);
    INFO(partial.err);
    CHECK(partial.status == 0);
    CHECK(locks(a).count("p.c") == 1);
    CHECK(locks(a).count("q.c") == 0);
    CHECK_FALSE(fs::exists(room.dir() / "ran"));

    SECTION("with the server down the agent queues the claim and git goes on") {
        REQUIRE(sh("git knot down", room.host()).status == 0);
        REQUIRE(sh("git reset -q", a).status == 0);
        write_file(a / "src/down.c", "d\n");
        const auto offline = sh("git add src/down.c && " + path + "git commit -q -m d", a);
        INFO(offline.err);
        CHECK(offline.status == 0);
        CHECK(count_lines(offline.err) == 1);
        CHECK(offline.err.rfind("knot: warning: ", 0) == 0);
        CHECK(outbox_size(a) == 1);
        CHECK_FALSE(fs::exists(room.dir() / "ran"));

        // Back up, another agent takes the path first: the queued claim is refused, and the
        // next commit says so, as git-knot would.
        REQUIRE(
            sh("git knot up --port " + std::to_string(port) + " --no-tunnel", room.host()).status ==
            0);
        REQUIRE(sh("git knot lock src/down.c", b).status == 0);
        write_file(a / "later.c", "l\n");
        const auto online = sh("git add later.c && " + path + "git commit -q -m l", a);
        INFO(online.err);
        CHECK(online.status == 0);
        CHECK(online.err.find("knot: warning: a queued notice was refused and dropped") !=
              std::string::npos);
        CHECK(outbox_size(a) == 0);
        CHECK_FALSE(fs::exists(room.dir() / "ran"));
    }
    SECTION("an index that is not a regular file, or a silent hook, costs the agent nothing") {
        REQUIRE(::mkfifo((room.dir() / "fifo").c_str(), 0600) == 0);
        CHECK(agent_request(a, "pre-commit", (room.dir() / "fifo").string()) == "fallback\n");
        const int silent = connect_agent(a); // connects and sends nothing
        REQUIRE(silent >= 0);
        write_file(a / "src/after.c", "a\n");
        const auto after = sh("git add src/after.c && " + path + "git commit -q -m a", a);
        ::close(silent);
        CHECK(after.status == 0);
        CHECK(locks(a).count("src/after.c") == 1);
        CHECK_FALSE(fs::exists(room.dir() / "ran"));
    }
    SECTION("knot.hookAgent false ends the agent, and the hook runs git-knot again") {
        REQUIRE(sh("git config knot.hookAgent false", a).status == 0);
        CHECK(agent_gone(a)); // without waiting for a commit
        REQUIRE(commit(a, "after.txt", "3").status == 0);
        CHECK_FALSE(agent_answers(a, 0));
        REQUIRE(sh("git reset -q", a).status == 0);
        write_file(a / "later.txt", "4\n");
        REQUIRE(sh("git add later.txt && " + path + "git commit -q -m later", a).status == 0);
        CHECK(slurp(room.dir() / "ran") == "hook pre-commit\n");
        CHECK(sh("git knot doctor", a).out.find("off (knot.hookAgent=false)") != std::string::npos);
        CHECK(git_config(a, "knot.agent") == agent_a); // the member's id, a key of its own
    }
    SECTION("uninstalling the hooks ends the agent") {
        REQUIRE(sh("git knot init --uninstall-hooks", a).status == 0);
        CHECK_FALSE(agent_answers(a, 0));
    }
}
