// Installing knot's git hooks into a clone: one small POSIX sh shim, written as each hook, that
// runs the hook that was there before (kept beside it as <hook>.knot-orig) and then
// `git-knot hook <name>`.
// Uninstalling puts the original files back exactly as they were.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

class GitRepo;

// The hooks knot installs, in the order they are reported.
inline constexpr std::array<std::string_view, 5> k_knot_hooks = {
    "pre-commit", "pre-push", "post-merge", "post-checkout", "post-rewrite"};

// The suffix of a hook that was there before knot's shim and now runs from it.
inline constexpr std::string_view k_chained_hook_suffix = ".knot-orig";

// Where git looks for this clone's hooks: core.hooksPath (from any config level; a relative
// path is taken from the top of the work tree, "~/" from $HOME), else <common git dir>/hooks.
std::filesystem::path hooks_dir(const GitRepo& repo);

// The shim installed as every hook: hooks/shim.sh, embedded at build time (and installed under
// share/knot/hooks for people who manage hooks themselves). A POSIX sh script that takes the
// hook's name from its own file name, runs <hook>.knot-orig first when it is executable,
// passing on its arguments and its standard input (pre-push and post-rewrite read theirs),
// stops there when a pre-* original refuses, then execs `git-knot hook <hook>` (what
// `git knot hook <hook>` runs, without git's dispatch in front).
extern const std::string_view k_hook_shim;

// What is installed as each hook: the knot-hook program (hooks/hook_client.cpp, which carries
// the shim and runs it whenever the clone's agent does not answer) when it is installed beside
// this program, else the shim itself.
std::string hook_program();

// True when `text` is a knot shim or the knot-hook program, this version's or an earlier one.
bool is_knot_shim(std::string_view text);

enum class HookOperation { install, uninstall };

// What installing or uninstalling did to each hook, and where.
struct HookReport {
    HookOperation operation = HookOperation::install;
    std::filesystem::path dir;
    std::vector<std::string> installed; // a shim written where there was no hook
    std::vector<std::string> chained;   // a shim written, the hook that was there kept to run first
    std::vector<std::string> unchanged; // a shim already there (rewritten when out of date)
    std::vector<std::string> restored;  // the original put back where the shim was
    std::vector<std::string> removed;   // the shim removed, there was no original
    std::vector<std::string> foreign;   // not knot's shim: left alone by uninstall
};

// Installs the shims into hooks_dir(`repo`), creating the folder when needed. A hook that is
// not knot's is renamed to <hook>.knot-orig (content, mode and links kept as they are); when
// such a file is already there from an earlier install, the newer hook replaces it. Running
// it again changes nothing. Throws knot::Error when a file cannot be written.
HookReport install_hooks(const GitRepo& repo);

// Removes knot's shims from hooks_dir(`repo`) and renames each <hook>.knot-orig back, so the
// folder is byte for byte and mode for mode what it was before install. A hook that is not a
// knot shim (replaced by someone since) is left alone. The clone's knot-agent ends: its socket
// is removed. Throws knot::Error on a failed rename.
HookReport uninstall_hooks(const GitRepo& repo);

// One line for people: "5 knot hooks in <dir> (pre-commit chained)" after an install,
// "knot hooks removed from <dir> (pre-commit restored)" after an uninstall.
std::string describe(const HookReport& report);

// The same two operations on an explicit folder (hooks_dir decides it for a clone).
HookReport install_hooks_in(const std::filesystem::path& dir);
HookReport uninstall_hooks_in(const std::filesystem::path& dir);

} // namespace knot
