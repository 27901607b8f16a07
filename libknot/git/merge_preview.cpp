// Whether HEAD would merge onto the integration ref (see merge_preview.hpp).
#include "libknot/git/merge_preview.hpp"
#include "libknot/protocol/refs.hpp"

#include "libknot/base/error.hpp"
#include "libknot/git/git_command.hpp"

namespace knot {
namespace {

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::string resolve(const std::string& name, const std::filesystem::path& workdir) {
    const GitResult result =
        run_git({"rev-parse", "-q", "--verify", "--end-of-options", name + "^{commit}"}, workdir);
    return result.status == 0 ? first_line(result.out) : std::string();
}

} // namespace

std::string_view merge_state_name(MergePreview::State state) {
    switch (state) {
    case MergePreview::State::no_integration:
        return "no_integration";
    case MergePreview::State::up_to_date:
        return "up_to_date";
    case MergePreview::State::clean:
        return "clean";
    case MergePreview::State::conflict:
        return "conflict";
    }
    return "no_integration";
}

MergePreview preview_merge(const std::filesystem::path& workdir) {
    MergePreview preview;
    preview.integration = resolve(std::string(k_integration_ref), workdir);
    preview.head = resolve("HEAD", workdir);
    const std::string& head = preview.head;
    if (preview.integration.empty() || head.empty())
        return preview;
    const GitResult contained =
        run_git({"merge-base", "--is-ancestor", head, preview.integration}, workdir);
    if (contained.status == 0) {
        preview.state = MergePreview::State::up_to_date;
        return preview;
    }
    if (contained.status != 1)
        throw Error("git merge-base failed: " + first_line(contained.err));
    // -z: the tree, a NUL, each conflicted path and a NUL, then an empty field, then messages.
    const GitResult merged = run_git(
        {"merge-tree", "--write-tree", "--name-only", "-z", head, preview.integration}, workdir);
    if (merged.status == 0) {
        preview.state = MergePreview::State::clean;
        preview.tree = merged.out.substr(0, merged.out.find_first_of(std::string("\0\n", 2)));
        return preview;
    }
    if (merged.status != 1) {
        if (merged.err.find("--write-tree") != std::string::npos ||
            merged.err.find("usage:") != std::string::npos)
            throw Error("previewing the merge needs git 2.38 or later (git merge-tree "
                        "--write-tree)");
        throw Error("git merge-tree failed: " + first_line(merged.err));
    }
    preview.state = MergePreview::State::conflict;
    std::size_t start = merged.out.find('\0');
    while (start != std::string::npos && start + 1 < merged.out.size()) {
        const std::size_t end = merged.out.find('\0', start + 1);
        const std::string path = merged.out.substr(start + 1, end - start - 1);
        if (path.empty())
            break;
        if (preview.conflicts.empty() || preview.conflicts.back() != path)
            preview.conflicts.push_back(path);
        start = end;
    }
    return preview;
}

} // namespace knot
