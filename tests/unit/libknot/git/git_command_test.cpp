// Tests of libknot/git/git_command.cpp: the streamed input the remote helper uses to hand a pack
// arriving over the network to git index-pack while the rest is still arriving, and how git
// children start.
#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"
#include "tests/support/signal_state.hpp"
#include "tests/support/temp_repo.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

using namespace knot;
using knot::test::TempRepo;

namespace {

// Input made on the fly: `total` bytes of a repeating pattern, handed out at most `piece` at a
// time (smaller than git asks for, so the pipe sees many small writes).
struct Pattern {
    std::size_t total;
    std::size_t piece;
    std::size_t given = 0;
    std::size_t operator()(char* buffer, std::size_t size) {
        const std::size_t n = std::min({size, piece, total - given});
        for (std::size_t i = 0; i < n; ++i)
            buffer[i] = static_cast<char>('a' + (given + i) % 26);
        given += n;
        return n;
    }
};

} // namespace

TEST_CASE("streamed input larger than a pipe reaches git whole, piece by piece") {
    std::signal(SIGPIPE, SIG_IGN);
    TempRepo repo;
    const std::size_t total = 8u << 20; // far more than a pipe holds
    Pattern pattern{total, 1000};
    std::string out;
    const GitResult streamed =
        run_git_streamed({"hash-object", "--stdin"}, repo.path, std::ref(pattern),
                         [&](const char* data, std::size_t size) { out.append(data, size); });
    REQUIRE(streamed.status == 0);
    CHECK(pattern.given == total);

    // The same bytes written to a file first: git must find the same object id.
    Pattern again{total, total};
    std::string whole(total, '\0');
    again(whole.data(), total);
    std::ofstream(repo.path / "whole.bin", std::ios::binary) << whole;
    CHECK(out.substr(0, 40) == repo.git({"hash-object", "whole.bin"}));
}

TEST_CASE("once git stops reading, the rest of the input is left alone") {
    std::signal(SIGPIPE, SIG_IGN);
    TempRepo repo;
    std::size_t asked = 0;
    // Endless input: only git's exit can end the call.
    const GitInput endless = [&](char* buffer, std::size_t size) {
        ++asked;
        std::fill(buffer, buffer + size, 'x');
        return size;
    };
    std::string out;
    const GitResult result =
        run_git_streamed({"version"}, repo.path, endless,
                         [&](const char* data, std::size_t size) { out.append(data, size); });
    CHECK(result.status == 0);
    CHECK(out.rfind("git version", 0) == 0);
}

TEST_CASE("an exception from the input ends git and reaches the caller") {
    std::signal(SIGPIPE, SIG_IGN);
    TempRepo repo;
    int calls = 0;
    const GitInput failing = [&](char* buffer, std::size_t size) -> std::size_t {
        if (++calls > 3)
            throw std::runtime_error("the network went away");
        std::fill(buffer, buffer + std::min<std::size_t>(size, 100), 'y');
        return std::min<std::size_t>(size, 100);
    };
    CHECK_THROWS_WITH(run_git_streamed({"hash-object", "--stdin"}, repo.path, failing,
                                       [](const char*, std::size_t) {}),
                      "the network went away");
}

TEST_CASE("git and what it runs start with no signal blocked or ignored, as in a server") {
    knot::test::BlockedSignals blocked;
    TempRepo repo;
    const GitResult result = run_git(
        {"-c", std::string("alias.signals=!") + knot::test::k_print_signal_state, "signals"},
        repo.path);
    CHECK(result.status == 0);
    CHECK(result.out == knot::test::k_clean_signal_state);
}

TEST_CASE("git's exit code and standard error come back, and no git on PATH is an error") {
    TempRepo repo;
    const GitResult bad = run_git({"rev-parse", "--verify", "no-such-ref"}, repo.path);
    CHECK(bad.status == 128);
    CHECK(bad.err.rfind("fatal: ", 0) == 0);

    const std::string path = std::getenv("PATH");
    ::setenv("PATH", repo.path.c_str(), 1);
    const GitResult missing = run_git({"version"}, repo.path);
    ::setenv("PATH", path.c_str(), 1);
    CHECK(missing.status == -1);
    CHECK(missing.err == "cannot run git: No such file or directory");
}
