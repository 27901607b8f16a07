// Tests of hooks/hook_installer.cpp and hooks/shim.sh: shims written, earlier hooks chained and run
// first, and put back byte for byte by uninstall; the shims themselves run under /bin/sh with a
// stand-in git-knot that records what it was given.
#include "hooks/hook_installer.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace knot;
namespace fs = std::filesystem;

namespace {

// A temporary directory for a test whose git commands ignore the machine's system config.
struct TempDir : knot::test::TempDir {
    TempDir() { ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1); }
};

void write(const fs::path& path, const std::string& text, unsigned mode) {
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), mode);
}

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Runs `command` with /bin/sh in `dir`; returns its exit status.
int shell(const std::string& command, const fs::path& dir) {
    const int status = std::system(("cd '" + dir.string() + "' && " + command).c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// A folder with a stand-in git-knot that records its calls (arguments, then standard input) in
// <dir>/calls.
fs::path fake_git_knot(const fs::path& dir) {
    const auto bin = dir / "bin";
    fs::create_directories(bin);
    const std::string calls = (dir / "calls").string();
    write(bin / "git-knot",
          "#!/bin/sh\necho \"args: $*\" >>'" + calls + "'\ncat >>'" + calls + "'\n", 0755);
    return bin;
}

} // namespace

TEST_CASE("installing into an empty hooks folder writes five executable shims") {
    TempDir dir;
    const auto report = install_hooks_in(dir.path() / "hooks");
    CHECK(report.installed.size() == k_knot_hooks.size());
    for (const auto name : k_knot_hooks) {
        const auto hook = dir.path() / "hooks" / std::string(name);
        REQUIRE(fs::exists(hook));
        CHECK(mode_of(hook) == 0755);
        const auto text = read_file(hook);
        CHECK(text.rfind("#!/bin/sh\n", 0) == 0);
        CHECK(is_knot_shim(text));
        CHECK(text == k_hook_shim);
    }
    CHECK(describe(report) == "5 knot hooks in " + (dir.path() / "hooks").string());
}

TEST_CASE("the shim installed is hooks/shim.sh byte for byte, one file for every hook") {
    CHECK(k_hook_shim == read_file(fs::path(KNOT_SOURCE_DIR) / "hooks" / "shim.sh"));
    CHECK(k_hook_shim.find("exec git-knot hook \"$hook\" \"$@\"") != std::string_view::npos);
}

TEST_CASE("shims written by earlier versions are recognised, updated and removed") {
    // The shim of versions up to 0.1 (one text per hook, built in C++), and the first one, which
    // went through git's dispatch.
    const std::string generated =
        "#!/bin/sh\n"
        "# knot's pre-commit hook (git knot hook pre-commit), written by 'git knot init' and "
        "'git knot join'.\n"
        "# The hook that was here runs first, kept as pre-commit.knot-orig; 'git knot init "
        "--uninstall-hooks'\n"
        "# puts it back.\n"
        "orig=\"$0.knot-orig\"\n"
        "if [ -x \"$orig\" ]; then\n"
        "    \"$orig\" \"$@\" || exit $?\n"
        "fi\n"
        "command -v git-knot >/dev/null 2>&1 || exit 0\n"
        "exec git-knot hook pre-commit \"$@\"\n";
    const std::string first = "#!/bin/sh\nexec git knot hook post-merge \"$@\"\n";
    CHECK(is_knot_shim(generated));
    CHECK(is_knot_shim(first));
    CHECK_FALSE(is_knot_shim("#!/bin/sh\nexec git lfs post-merge \"$@\"\n"));

    TempDir dir;
    write(dir.path() / "pre-commit", generated, 0755);
    write(dir.path() / "post-merge", first, 0755);
    const auto report = install_hooks_in(dir.path());
    CHECK(report.unchanged == std::vector<std::string>{"pre-commit", "post-merge"});
    CHECK(report.chained.empty());
    CHECK(read_file(dir.path() / "pre-commit") == k_hook_shim);
    CHECK(read_file(dir.path() / "post-merge") == k_hook_shim);

    write(dir.path() / "pre-commit", generated, 0755);
    const auto removed = uninstall_hooks_in(dir.path());
    CHECK(removed.removed.size() == k_knot_hooks.size());
    CHECK(removed.foreign.empty());
    CHECK_FALSE(fs::exists(dir.path() / "pre-commit"));
}

TEST_CASE("installing twice changes nothing") {
    TempDir dir;
    write(dir.path() / "pre-commit", "#!/bin/sh\nexit 0\n", 0700);
    install_hooks_in(dir.path());
    const auto first = read_file(dir.path() / "pre-commit");
    const auto again = install_hooks_in(dir.path());
    CHECK(again.unchanged.size() == k_knot_hooks.size());
    CHECK(again.chained.empty());
    CHECK(read_file(dir.path() / "pre-commit") == first);
    CHECK(read_file(dir.path() / "pre-commit.knot-orig") == "#!/bin/sh\nexit 0\n");
    CHECK_FALSE(fs::exists(dir.path() / "pre-commit.knot-orig.knot-orig"));
}

TEST_CASE("uninstall restores each original byte for byte and mode for mode") {
    TempDir dir;
    const std::string original = "#!/bin/sh\n# a team's own check\r\nexit 0\n\n";
    write(dir.path() / "pre-commit", original, 0750);
    write(dir.path() / "post-merge.sample", "sample", 0644);
    fs::create_symlink("pre-commit", dir.path() / "post-checkout");
    const auto installed = install_hooks_in(dir.path());
    CHECK(installed.chained == std::vector<std::string>{"pre-commit", "post-checkout"});
    CHECK(fs::is_symlink(dir.path() / "post-checkout.knot-orig"));

    const auto removed = uninstall_hooks_in(dir.path());
    CHECK(removed.restored == std::vector<std::string>{"pre-commit", "post-checkout"});
    CHECK(removed.removed.size() == 3);
    CHECK(read_file(dir.path() / "pre-commit") == original);
    CHECK(mode_of(dir.path() / "pre-commit") == 0750);
    CHECK(fs::is_symlink(dir.path() / "post-checkout"));
    CHECK(fs::read_symlink(dir.path() / "post-checkout") == "pre-commit");
    CHECK_FALSE(fs::exists(dir.path() / "pre-push"));
    CHECK_FALSE(fs::exists(dir.path() / "pre-commit.knot-orig"));
    CHECK(read_file(dir.path() / "post-merge.sample") == "sample");
    CHECK(describe(removed) == "knot hooks removed from " + dir.path().string() +
                                   " (pre-commit, post-checkout restored)");
}

TEST_CASE("uninstall leaves alone a hook that replaced knot's shim since") {
    TempDir dir;
    install_hooks_in(dir.path());
    write(dir.path() / "pre-push", "#!/bin/sh\necho husky\n", 0755);
    const auto removed = uninstall_hooks_in(dir.path());
    CHECK(removed.foreign == std::vector<std::string>{"pre-push"});
    CHECK(read_file(dir.path() / "pre-push") == "#!/bin/sh\necho husky\n");
}

TEST_CASE("a hook that replaced the shim is chained by the next install") {
    TempDir dir;
    write(dir.path() / "pre-commit", "#!/bin/sh\necho first\n", 0755);
    install_hooks_in(dir.path());
    write(dir.path() / "pre-commit", "#!/bin/sh\necho second\n", 0755);
    const auto again = install_hooks_in(dir.path());
    CHECK(again.chained == std::vector<std::string>{"pre-commit"});
    CHECK(read_file(dir.path() / "pre-commit.knot-orig") == "#!/bin/sh\necho second\n");
    CHECK(is_knot_shim(read_file(dir.path() / "pre-commit")));
}

TEST_CASE("the hooks folder is core.hooksPath from the work tree's top, else the common dir's") {
    TempDir dir;
    REQUIRE(run_git({"init", "-q"}, dir.path()).status == 0);
    fs::create_directories(dir.path() / "sub");
    auto repo = GitRepo::discover(dir.path() / "sub");
    CHECK(fs::equivalent(hooks_dir(repo).parent_path(), dir.path() / ".git"));
    CHECK(hooks_dir(repo).filename() == "hooks");
    repo.config_set("core.hooksPath", "tools/hooks");
    CHECK(hooks_dir(repo) == (repo.workdir() / "tools/hooks").lexically_normal());
    repo.config_set("core.hooksPath", "/opt/team-hooks");
    CHECK(hooks_dir(repo) == "/opt/team-hooks");
}

TEST_CASE("a shim runs the chained hook first with the same arguments and input, then knot") {
    struct Case {
        std::string hook;
        std::string orig_exit; // a post-* hook's failure stops nothing
        std::string args;
        std::string input;
    };
    // Trailing newlines, a line without one and '%' survive the shim's copy of its input.
    const auto c = GENERATE(
        Case{"pre-push", "0", "origin file:///x", "refs/heads/main 1111 refs/heads/main 0000\n"},
        Case{"post-rewrite", "4", "amend", "1111 2222\n3333 4444 %s\n\n\nlast"});
    TempDir dir;
    const auto bin = fake_git_knot(dir.path());
    const auto hooks = dir.path() / "hooks";
    fs::create_directories(hooks);
    write(hooks / c.hook,
          "#!/bin/sh\necho \"orig: $*\" >>../calls\ncat >>../calls\nexit " + c.orig_exit + "\n",
          0755);
    install_hooks_in(hooks);
    write(dir.path() / "input", c.input, 0644);
    // Run by `sh`, as git runs a hook with its #!/bin/sh.
    REQUIRE(shell("PATH='" + bin.string() + "':$PATH sh ./" + c.hook + " " + c.args + " <../input",
                  hooks) == 0);
    CHECK(read_file(dir.path() / "calls") == "orig: " + c.args + "\n" + c.input + "args: hook " +
                                                 c.hook + " " + c.args + "\n" + c.input);
}

TEST_CASE("a shim takes its hook's name from its file name, wherever it is installed") {
    TempDir dir;
    const auto bin = fake_git_knot(dir.path());
    const auto managed = dir.path() / "managed";
    fs::create_directories(managed);
    write(managed / "post-checkout", std::string(k_hook_shim), 0755);
    CHECK(shell("PATH='" + bin.string() + "':$PATH ./post-checkout a b 1 </dev/null", managed) ==
          0);
    CHECK(read_file(dir.path() / "calls") == "args: hook post-checkout a b 1\n");
}

TEST_CASE("a chained pre-* hook that refuses stops git before knot runs, a post-* one does not") {
    TempDir dir;
    const auto bin = fake_git_knot(dir.path());
    const auto hooks = dir.path() / "hooks";
    fs::create_directories(hooks);
    write(hooks / "pre-commit", "#!/bin/sh\nexit 3\n", 0755);
    write(hooks / "post-merge", "#!/bin/sh\nexit 3\n", 0755);
    install_hooks_in(hooks);
    const std::string path = "PATH='" + bin.string() + "':$PATH ";
    CHECK(shell(path + "./pre-commit </dev/null", hooks) == 3);
    CHECK_FALSE(fs::exists(dir.path() / "calls"));
    CHECK(shell(path + "./post-merge 0 </dev/null", hooks) == 0);
    CHECK(read_file(dir.path() / "calls") == "args: hook post-merge 0\n");
}

TEST_CASE("a chained hook that is not executable is skipped, as git would skip it") {
    TempDir dir;
    const auto bin = fake_git_knot(dir.path());
    const auto hooks = dir.path() / "hooks";
    fs::create_directories(hooks);
    write(hooks / "pre-commit", "#!/bin/sh\nexit 3\n", 0644);
    install_hooks_in(hooks);
    CHECK(shell("PATH='" + bin.string() + "':$PATH ./pre-commit </dev/null", hooks) == 0);
    CHECK(read_file(dir.path() / "calls") == "args: hook pre-commit\n");
}

TEST_CASE("without git-knot on PATH a shim steps aside instead of blocking git") {
    TempDir dir;
    const auto bin = dir.path() / "bin";
    fs::create_directories(bin);
    fs::create_symlink("/bin/sh", bin / "sh");
    fs::create_symlink("/bin/cat", bin / "cat");
    install_hooks_in(dir.path() / "hooks");
    CHECK(shell("PATH='" + bin.string() + "' ./pre-commit </dev/null", dir.path() / "hooks") == 0);
    // A chained hook still runs, and a pre-push one still reads its input.
    write(dir.path() / "hooks" / "pre-push.knot-orig", "#!/bin/sh\ncat >../orig-input\n", 0755);
    write(dir.path() / "input", "refs/heads/main 1111 refs/heads/main 0000\n", 0644);
    CHECK(shell("PATH='" + bin.string() + "' ./pre-push origin x <../input",
                dir.path() / "hooks") == 0);
    CHECK(read_file(dir.path() / "orig-input") == "refs/heads/main 1111 refs/heads/main 0000\n");
}
