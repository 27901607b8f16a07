// Tests of git-knot/server_launcher.cpp: how `git knot up` starts its background server (a
// stand-in program here), and how it fails.
#include "git-knot/server_launcher.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/base/spawn.hpp"
#include "tests/support/signal_state.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using namespace knot;
using knot::test::TempDir;
namespace fs = std::filesystem;

namespace {

// An executable shell script `body` at `path`.
fs::path script(const fs::path& path, const std::string& body) {
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
}

} // namespace

TEST_CASE("a background server leads its own session with no signal blocked or ignored") {
    knot::test::BlockedSignals blocked;
    TempDir dir;
    const auto server = script(dir.path() / "server",
                               std::string(knot::test::k_print_signal_state) +
                                   "\nread pid comm state ppid pgrp sid rest </proc/$$/stat\n"
                                   "echo \"session leader: $((pid == sid))\"\n"
                                   "echo http://127.0.0.1:9 >&3\n");
    const auto data = dir.path() / "data";
    const RunningProcess started = start_server_background(server, data, 0, "127.0.0.1");
    CHECK(started.url == "http://127.0.0.1:9");
    CHECK(wait_exit_code(started.pid) == 0);
    CHECK(read_file(data / "server.log") ==
          std::string(knot::test::k_clean_signal_state) + "session leader: 1\n");
}

TEST_CASE("a server that exits before it reports its address is an error quoting its log") {
    TempDir dir;
    const auto server = script(dir.path() / "server", "echo 'no such option' >&2\nexit 2\n");
    CHECK_THROWS_WITH(start_server_background(server, dir.path() / "data", 0, "127.0.0.1"),
                      Catch::StartsWith("knot-server did not start; the end of ") &&
                          Catch::EndsWith("server.log:\n  no such option\n"));
}

TEST_CASE("a server program that cannot run is an error naming it") {
    TempDir dir;
    const auto missing = dir.path() / "no-server";
    CHECK_THROWS_WITH(start_server_background(missing, dir.path() / "data", 0, "127.0.0.1"),
                      "cannot run " + missing.string() + ": No such file or directory");
}
