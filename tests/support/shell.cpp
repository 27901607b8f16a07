// Test support for end-to-end tests (see shell.hpp).
#include "shell.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
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
    std::string tmpl = (std::filesystem::temp_directory_path() / "knot-err-XXXXXX").string();
    const int err_fd = ::mkstemp(tmpl.data());
    ::close(err_fd);
    const std::string full = "cd '" + cwd.string() + "' && ( " + command + " ) 2>'" + tmpl + "'";
    ShellResult result;
    FILE* pipe = ::popen(full.c_str(), "r");
    if (!pipe)
        throw std::runtime_error("cannot run: " + command);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
        result.out.append(buf, n);
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::ifstream err(tmpl);
    std::stringstream text;
    text << err.rdbuf();
    result.err = text.str();
    std::filesystem::remove(tmpl);
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
