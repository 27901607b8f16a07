// A temporary repository for tests (see temp_repo.hpp).
#include "temp_repo.hpp"

#include "libknot/git/git_command.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

namespace knot::test {

TempRepo::TempRepo() {
    ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    git({"init", "-q", "-b", "main"});
}

std::string TempRepo::git(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"-c", "user.name=t", "-c", "user.email=t@e"};
    all.insert(all.end(), args.begin(), args.end());
    const GitResult result = run_git(all, path);
    INFO("git " << args.front() << ": " << result.err);
    REQUIRE(result.status == 0);
    return result.out.substr(0, result.out.find('\n'));
}

void TempRepo::config(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"config", "--local"};
    all.insert(all.end(), args.begin(), args.end());
    git(all);
}

std::string TempRepo::commit(const std::string& file, const std::string& text) const {
    std::ofstream(path / file) << text;
    git({"add", "-A"});
    git({"commit", "-q", "-m", file});
    return git({"rev-parse", "HEAD"});
}

} // namespace knot::test
