// Tests of libknot/base/spawn.cpp: how every child starts (signals, streams, exit codes,
// errors, groups, kept descriptors).
#include "libknot/base/spawn.hpp"

#include "tests/support/signal_state.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace knot;
using knot::test::BlockedSignals;
using knot::test::TempDir;

namespace {

// Everything readable from `fd` until end of file.
std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
}

// Options that run `argv`, everything else as by default.
SpawnOptions running(const std::vector<std::string>& argv) {
    SpawnOptions options;
    options.argv = argv;
    return options;
}

// Runs `script` with /bin/sh, its standard output in a pipe; returns what it printed and its
// exit code.
std::pair<std::string, int> run_sh(const std::string& script, SpawnOptions options = {}) {
    options.argv = {"/bin/sh", "-c", script};
    options.out = Stdio::pipe;
    SpawnedChild child = spawn(options);
    std::string out = read_all(child.out.get());
    return {out, wait_exit_code(child.pid)};
}

} // namespace

TEST_CASE("a child starts with no signal blocked or ignored whatever its parent has") {
    BlockedSignals blocked;
    const auto [out, code] = run_sh(knot::test::k_print_signal_state);
    CHECK(code == 0);
    CHECK(out == knot::test::k_clean_signal_state);
}

TEST_CASE("a child's output and standard error are captured apart or together") {
    SpawnOptions apart;
    apart.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
    apart.out = Stdio::pipe;
    apart.err = Stdio::pipe;
    SpawnedChild child = spawn(apart);
    CHECK(read_all(child.out.get()) == "out\n");
    CHECK(read_all(child.err.get()) == "err\n");
    CHECK(wait_exit_code(child.pid) == 3);

    SpawnOptions together;
    together.err = Stdio::output;
    CHECK(run_sh("echo out; echo err >&2", together).first == "out\nerr\n");
}

TEST_CASE("a child's standard input comes from a pipe, /dev/null or a file") {
    SpawnOptions piped;
    piped.argv = {"cat"};
    piped.in = Stdio::pipe;
    piped.out = Stdio::pipe;
    SpawnedChild child = spawn(piped);
    CHECK(::write(child.in.get(), "fed\n", 4) == 4);
    child.in.close();
    CHECK(read_all(child.out.get()) == "fed\n");
    CHECK(wait_exit_code(child.pid) == 0);

    CHECK(run_sh("cat").first.empty()); // Stdio::null is the default

    TempDir dir;
    std::ofstream(dir.path() / "input") << "from a file\n";
    SpawnOptions from_file;
    from_file.in = Stdio::file;
    from_file.file = dir.path() / "input";
    CHECK(run_sh("cat", from_file).first == "from a file\n");
}

TEST_CASE("a child's output appends to a file created readable only by its owner") {
    TempDir dir;
    const auto log = dir.path() / "child.log";
    std::ofstream(log) << "before\n";
    SpawnOptions options;
    options.argv = {"/bin/sh", "-c", "echo out; echo err >&2"};
    options.out = Stdio::file;
    options.err = Stdio::output;
    options.file = log;
    CHECK(wait_exit_code(spawn(options).pid) == 0);
    std::ifstream in(log);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "before\nout\nerr\n");

    options.file = dir.path() / "new.log";
    CHECK(wait_exit_code(spawn(options).pid) == 0);
    const auto mode = std::filesystem::status(options.file).permissions();
    CHECK((mode & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
}

TEST_CASE("exit codes and deaths by signal come back as the shell reports them") {
    CHECK(run_sh("exit 0").second == 0);
    CHECK(run_sh("exit 42").second == 42);
    CHECK(run_sh("kill -TERM $$").second == 128 + SIGTERM);
}

TEST_CASE("a program that cannot run is an error naming it, and no child is left") {
    try {
        spawn(running({"knot-no-such-program"}));
        FAIL("started a program that does not exist");
    } catch (const SpawnError& e) {
        CHECK(e.error() == ENOENT);
        CHECK(std::string(e.what()) ==
              "cannot run knot-no-such-program: No such file or directory");
    }
    TempDir dir;
    SpawnOptions missing_dir = running({"/bin/true"});
    missing_dir.dir = dir.path() / "gone";
    CHECK_THROWS_AS(spawn(missing_dir), SpawnError);
    SpawnOptions not_executable = running({(dir.path() / "plain").string()});
    std::ofstream(not_executable.argv[0]) << "echo hi\n";
    try {
        spawn(not_executable);
        FAIL("ran a file that is not executable");
    } catch (const SpawnError& e) {
        CHECK(e.error() == EACCES);
    }
    errno = 0;
    CHECK(::waitpid(-1, nullptr, WNOHANG) < 0);
    CHECK(errno == ECHILD);
}

TEST_CASE("a child gets its directory, its environment and the descriptors it keeps only") {
    TempDir dir;
    ::setenv("KNOT_SPAWN_INHERITED", "here", 1);
    ::setenv("KNOT_SPAWN_REMOVED", "there", 1);
    SpawnOptions options;
    options.dir = dir.path();
    options.environment = {{"KNOT_SPAWN_SET", "set"}, {"KNOT_SPAWN_REMOVED", std::nullopt}};
    const auto [out, code] = run_sh(
        "pwd; echo \"$KNOT_SPAWN_INHERITED-$KNOT_SPAWN_SET-${KNOT_SPAWN_REMOVED-unset}\"", options);
    CHECK(out == std::filesystem::canonical(dir.path()).string() + "\nhere-set-unset\n");

    options.base_environment = BaseEnvironment::empty;
    CHECK(run_sh("echo \"${KNOT_SPAWN_INHERITED-none}-$KNOT_SPAWN_SET\"", options).first ==
          "none-set\n");
    ::unsetenv("KNOT_SPAWN_INHERITED");
    ::unsetenv("KNOT_SPAWN_REMOVED");

    int fds[2];
    REQUIRE(::pipe(fds) == 0); // without O_CLOEXEC: only keep_fds may pass one on
    const int stray = ::fcntl(fds[0], F_DUPFD, 50);
    SpawnOptions keep;
    keep.keep_fds = {{fds[1], 3}};
    CHECK(run_sh("echo ready >&3 && test ! -e /proc/self/fd/" + std::to_string(stray) +
                     " && echo only-3",
                 keep)
              .first == "only-3\n");
    ::close(fds[1]);
    CHECK(read_all(fds[0]) == "ready\n");
    ::close(stray);
    ::close(fds[0]);
}

TEST_CASE("a child leads a new process group or session when asked, under its limits") {
    SpawnOptions group;
    group.group = ProcessGroup::new_group;
    CHECK(run_sh("read pid comm state ppid pgrp rest </proc/$$/stat; echo $((pid == pgrp))", group)
              .first == "1\n");
    SpawnOptions session;
    session.group = ProcessGroup::new_session;
    CHECK(run_sh("read pid comm state ppid pgrp sid rest </proc/$$/stat; echo $((pid == sid))",
                 session)
              .first == "1\n");
    SpawnOptions limited;
    limited.limits = {{RLIMIT_NOFILE, 64}};
    CHECK(run_sh("ulimit -n", limited).first == "64\n");
}

TEST_CASE("on_started runs before the program does, and its exception stops the program") {
    TempDir dir;
    const auto mark = dir.path() / "ran";
    SpawnOptions options;
    options.argv = {"/bin/sh", "-c", "touch '" + mark.string() + "'"};
    pid_t seen = 0;
    options.on_started = [&](pid_t pid) {
        seen = pid;
        CHECK_FALSE(std::filesystem::exists(mark));
    };
    const pid_t pid = spawn(options).pid;
    CHECK(seen == pid);
    CHECK(wait_exit_code(pid) == 0);
    CHECK(std::filesystem::exists(mark));

    std::filesystem::remove(mark);
    options.on_started = [](pid_t) { throw std::runtime_error("cannot record it"); };
    CHECK_THROWS_WITH(spawn(options), "cannot record it");
    CHECK_FALSE(std::filesystem::exists(mark));
}
