// The local repository through the git binary (see local_repo.hpp).
#include "local_repo.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/hex.hpp"
#include "libknot/git/git_command.hpp"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <istream>
#include <sstream>

namespace knot::remote {
namespace {

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

bool is_oid(const std::string& text) {
    return is_lower_hex(text, 40);
}

// Passes a git child's standard error (its progress meters) to ours as it comes.
void to_stderr(const char* data, std::size_t size) {
    std::cerr.write(data, static_cast<std::streamsize>(size));
    std::cerr.flush();
}

} // namespace

LocalRepo::LocalRepo() {
    const char* git_dir = std::getenv("GIT_DIR");
    if (git_dir && *git_dir) {
        m_git_dir = std::filesystem::absolute(git_dir);
        return;
    }
    const GitResult found =
        run_git({"rev-parse", "--absolute-git-dir"}, std::filesystem::current_path());
    if (found.status != 0)
        throw Error("not a git repository: run git-remote-knot through git");
    m_git_dir = first_line(found.out);
}

std::vector<std::string> LocalRepo::git_args(std::vector<std::string> args) const {
    args.insert(args.begin(), "--git-dir=" + m_git_dir.string());
    return args;
}

LocalRepo::Lookup LocalRepo::look_up(const std::vector<std::string>& names,
                                     const std::vector<std::string>& oids) const {
    // cat-file answers each line in order: the object's name when it exists (peeled to the
    // commit for names), else "<line> missing" or "<line> ambiguous".
    std::vector<std::pair<const std::string*, bool>> asked; // (text, is a name)
    std::string input;
    for (const std::string& name : names) {
        if (name.empty() || name.find_first_of("\n\r") != std::string::npos)
            continue;
        asked.emplace_back(&name, true);
        input += name + "^{commit}\n";
    }
    for (const std::string& oid : oids) {
        if (!is_oid(oid))
            continue;
        asked.emplace_back(&oid, false);
        input += oid + "\n";
    }
    Lookup found;
    if (asked.empty())
        return found;
    std::string out;
    const GitResult listed =
        run_git_piped(git_args({"cat-file", "--batch-check=%(objectname)"}), m_git_dir, input,
                      [&](const char* data, std::size_t size) { out.append(data, size); });
    if (listed.status != 0)
        throw Error("cannot read this repository: " + first_line(listed.err));
    std::istringstream lines(out);
    std::string line;
    for (const auto& [text, is_name] : asked) {
        if (!std::getline(lines, line))
            break;
        if (!is_oid(line))
            continue;
        if (is_name)
            found.commits[*text] = line;
        else
            found.present.insert(line);
    }
    return found;
}

std::set<std::string> LocalRepo::present(const std::vector<std::string>& oids) const {
    std::string input;
    for (const auto& oid : oids)
        if (is_oid(oid))
            input += oid + "\n";
    std::set<std::string> found;
    if (input.empty())
        return found;
    std::string out;
    run_git_piped(git_args({"cat-file", "--batch-check=%(objectname)"}), m_git_dir, input,
                  [&](const char* data, std::size_t size) { out.append(data, size); });
    // Present objects come back as their name; missing ones as "<oid> missing".
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
        if (is_oid(line))
            found.insert(line);
    return found;
}

std::vector<std::string> LocalRepo::tips() const {
    const GitResult listed =
        run_git(git_args({"for-each-ref", "--format=%(objectname)%00%(*objectname)"}), m_git_dir);
    std::set<std::string> tips;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        // An annotated tag names its commit in the second field.
        const auto nul = line.find('\0');
        const std::string peeled = nul == std::string::npos ? "" : line.substr(nul + 1);
        const std::string oid = peeled.empty() ? line.substr(0, nul) : peeled;
        if (is_oid(oid))
            tips.insert(oid);
    }
    return {tips.begin(), tips.end()};
}

void LocalRepo::set_ref(const std::string& ref, const std::string& oid) const {
    const GitResult moved = run_git(git_args({"update-ref", ref, oid}), m_git_dir);
    if (moved.status != 0)
        throw Error("cannot update " + ref + ": " + first_line(moved.err));
}

std::string LocalRepo::pack_for(const std::string& tip, const std::vector<std::string>& hide,
                                Progress progress) const {
    if (!is_oid(tip))
        throw Error("cannot build the pack: " + tip + " is not an object name");
    // git's own pack-objects walks only the trees that changed (its sparse walk) and reuses
    // stored deltas, so a one-file push costs the same in a small or a large repository.
    std::string revisions = tip + "\n";
    for (const std::string& oid : hide)
        if (is_oid(oid))
            revisions += "^" + oid + "\n";
    std::vector<std::string> args = {"pack-objects", "--stdout", "--revs", "--delta-base-offset"};
    if (progress == Progress::shown)
        args.insert(args.end(), {"--progress", "--all-progress"}); // git push's meters
    else
        args.push_back("-q");
    std::string pack;
    const GitResult made = run_git_piped(
        git_args(args), m_git_dir, revisions,
        [&](const char* data, std::size_t size) { pack.append(data, size); },
        progress == Progress::shown ? to_stderr : nullptr);
    if (made.status != 0)
        throw Error("cannot build the pack: " + first_line(made.err));
    // Nothing to send is an empty body, not a pack of no objects (header: "PACK", version, count).
    if (pack.size() >= 12 && pack.compare(8, 4, std::string(4, '\0')) == 0)
        pack.clear();
    return pack;
}

void LocalRepo::write_pack(std::istream& pack, Progress progress) const {
    if (pack.peek() == std::char_traits<char>::eof())
        return; // the client has everything: an empty body
    std::vector<std::string> args = {"index-pack", "--stdin", "--fix-thin"};
    if (progress == Progress::shown)
        args.push_back("-v"); // git fetch's "Receiving objects" and "Resolving deltas" meters
    const GitResult stored = run_git_streamed(
        git_args(args), m_git_dir,
        [&pack](char* buffer, std::size_t size) {
            pack.read(buffer, static_cast<std::streamsize>(size));
            return static_cast<std::size_t>(pack.gcount());
        },
        [](const char*, std::size_t) {}, progress == Progress::shown ? to_stderr : nullptr);
    if (stored.status != 0)
        throw Error("the server sent a pack that is not valid: " + first_line(stored.err));
}

} // namespace knot::remote
