// Test support for end-to-end tests (see shell.hpp).
#include "shell.hpp"

#include "libknot/base/file.hpp"
#include "libknot/base/spawn.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace knot::test {

void prepare_e2e_environment() {
    static bool done = false;
    if (done)
        return;
    done = true;
    const std::string path = std::string(KNOT_BUILD_DIR) + "/bin:" + std::getenv("PATH");
    ::setenv("PATH", path.c_str(), 1);
    std::string tmpl = (std::filesystem::temp_directory_path() / "knot-home-XXXXXX").string();
    const std::string home = ::mkdtemp(tmpl.data());
    std::ofstream(home + "/.gitconfig") << "[user]\n\tname = Test User\n\temail = t@example.com\n"
                                        << "[init]\n\tdefaultBranch = main\n";
    ::setenv("HOME", home.c_str(), 1);
    ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    ::unsetenv("GIT_DIR");
    ::unsetenv("GIT_WORK_TREE");
    // Templates come from <build>/share/knot beside <build>/bin, as an installed git-knot finds
    // its own.
    ::unsetenv("KNOT_SHARE_DIR");
}

ShellResult sh(const std::string& command, const std::filesystem::path& cwd) {
    const TempDir temp;
    SpawnOptions options;
    options.argv = {"/bin/sh", "-c", command};
    options.dir = cwd;
    options.in = Stdio::inherit;
    options.out = Stdio::pipe;
    options.err = Stdio::file; // a file, not a pipe: read after the output, it cannot fill up
    options.file = temp.path() / "stderr";
    SpawnedChild child = knot::spawn(options);
    ShellResult result;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(child.out.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        result.out.append(buf, static_cast<std::size_t>(n));
    }
    result.status = wait_exit_code(child.pid);
    result.err = std::filesystem::exists(options.file) ? read_file(options.file) : "";
    return result;
}

std::string sh_ok(const std::string& command, const std::filesystem::path& cwd) {
    const ShellResult result = sh(command, cwd);
    INFO(command << ": " << result.err);
    REQUIRE(result.status == 0);
    std::string out = result.out;
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

void make_repository(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    const auto r = sh("git init -q && git commit -q --allow-empty -m start", dir);
    if (r.status != 0)
        throw std::runtime_error("cannot make a repository: " + r.err);
}

} // namespace knot::test
