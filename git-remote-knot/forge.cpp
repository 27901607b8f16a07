// Forge mode through the git binary (see forge.hpp).
#include "forge.hpp"

#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/git/git_repo.hpp"

#include <filesystem>
#include <iostream>
#include <sstream>

namespace knot::remote {
namespace {

// True for a URL git reads as a local path relative to the current directory: no scheme and
// no colon before the first slash (which would make it scp-like host:path).
bool is_relative_path(const std::string& url) {
    if (url.empty() || url.front() == '/' || url.find("://") != std::string::npos)
        return false;
    const std::size_t colon = url.find(':');
    return colon == std::string::npos || url.find('/') < colon;
}

// The line of git's stderr that says why a push failed.
std::string failure_of(const std::string& err) {
    std::istringstream lines(err);
    std::string reason;
    for (std::string line; std::getline(lines, line);) {
        if (line.find("[rejected]") != std::string::npos ||
            line.find("[remote rejected]") != std::string::npos || line.rfind("error:", 0) == 0 ||
            line.rfind("fatal:", 0) == 0) {
            reason = line;
            break;
        }
        if (!line.empty())
            reason = line;
    }
    while (!reason.empty() && (reason.front() == ' ' || reason.front() == '!'))
        reason.erase(0, 1);
    for (char& c : reason)
        if (c == '"')
            c = '\'';
    return reason.empty() ? "git push to the forge failed" : reason;
}

} // namespace

std::optional<Forge> find_forge() {
    const std::filesystem::path here = std::filesystem::current_path();
    // Read natively: the helper runs on every push, and each git started costs milliseconds.
    const GitRepo repo = GitRepo::discover(here);
    const std::string configured = repo.config_get("knot.forge").value_or("");
    if (configured == "none")
        return std::nullopt;
    const std::string name = configured.empty() ? "origin" : configured;
    const auto url = repo.remote_url(name);
    if (!url) {
        if (configured.empty())
            return std::nullopt;
        throw Error("knot.forge names the remote " + name +
                    ", which does not exist; set it to a remote or to none");
    }
    Forge forge{name, *url};
    if (is_relative_path(forge.url))
        forge.url = std::filesystem::weakly_canonical(here / forge.url).string();
    return forge;
}

std::map<std::string, std::string> forge_refs(const Forge& forge) {
    const GitResult listed =
        run_git({"ls-remote", "--refs", forge.remote}, std::filesystem::current_path());
    if (listed.status != 0)
        throw Error("cannot read the forge " + forge.remote + ": " + failure_of(listed.err));
    std::map<std::string, std::string> refs;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        const std::size_t tab = line.find('\t');
        if (tab != std::string::npos && line.compare(tab + 1, 10, "refs/knot/") == 0)
            refs[line.substr(tab + 1)] = line.substr(0, tab);
    }
    return refs;
}

std::optional<std::string> push_to_forge(const Forge& forge, const std::string& spec,
                                         ForgePushMode mode, bool quiet, Progress progress) {
    // The pre-push hook already ran for the push through knot.
    std::vector<std::string> args{"push", "--no-verify"};
    if (mode == ForgePushMode::dry_run)
        args.push_back("--dry-run");
    if (quiet)
        args.push_back("--quiet");
    else if (progress == Progress::shown)
        args.push_back("--progress");
    args.push_back(forge.remote);
    args.push_back(spec);
    // git's own output (its progress meters included) reaches the user as it happens; the
    // captured copy decides the answer to git.
    const GitResult pushed = run_git_piped(
        args, std::filesystem::current_path(), {}, [](const char*, std::size_t) {},
        [](const char* data, std::size_t size) {
            std::cerr.write(data, static_cast<std::streamsize>(size));
            std::cerr.flush();
        });
    if (pushed.status == 0)
        return std::nullopt;
    if (pushed.err.find("(non-fast-forward)") != std::string::npos ||
        pushed.err.find("(fetch first)") != std::string::npos)
        return std::string("non-fast forward");
    return "\"" + failure_of(pushed.err) + "\"";
}

std::vector<std::string> changed_paths(const std::string& old_oid, const std::string& new_oid,
                                       std::size_t max) {
    const bool created = old_oid.find_first_not_of('0') == std::string::npos;
    const std::vector<std::string> args =
        created ? std::vector<std::string>{"ls-tree", "-r", "-z", "--name-only", new_oid}
                : std::vector<std::string>{"diff", "--no-renames", "--name-only",
                                           "-z",   old_oid,        new_oid};
    const GitResult listed = run_git(args, std::filesystem::current_path());
    std::vector<std::string> paths;
    if (listed.status != 0)
        return paths;
    std::size_t start = 0;
    while (start < listed.out.size() && paths.size() < max) {
        const std::size_t end = listed.out.find('\0', start);
        paths.push_back(listed.out.substr(start, end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return paths;
}

} // namespace knot::remote
