// Installing and uninstalling knot's hook shims (see hook_installer.hpp).
#include "hooks/hook_installer.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/base/process.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/git/git_repo.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace knot {
namespace {

namespace fs = std::filesystem;

// True when `path` is a shim knot wrote: a regular file (knot never installs a link, so a link
// is someone's, even one to a shim) whose text is a knot shim.
bool is_installed_shim(const fs::path& path, std::string* text_out = nullptr) {
    std::error_code ec;
    if (fs::symlink_status(path, ec).type() != fs::file_type::regular)
        return false;
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in || !is_knot_shim(text.str()))
        return false;
    if (text_out)
        *text_out = text.str();
    return true;
}

// True when something (a file, a link, even a dangling one) is at `path`.
bool present(const fs::path& path) {
    std::error_code ec;
    return fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec;
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0)
        throw Error("cannot rename " + from.string() + " to " + to.string() + ": " +
                    std::strerror(errno));
}

fs::path chained_path(const fs::path& hook) {
    return hook.string() + std::string(k_chained_hook_suffix);
}

} // namespace

std::string hook_program() {
    if (const auto dir = knot_lib_dir()) {
        std::ifstream in(*dir / "knot-hook", std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        if (in && is_knot_shim(bytes.str()))
            return bytes.str();
    }
    return std::string(k_hook_shim);
}

fs::path hooks_dir(const GitRepo& repo) {
    auto configured = repo.config_get_any("core.hooksPath");
    if (!configured || configured->empty())
        return repo.common_dir() / "hooks";
    std::string path = *configured;
    if (path == "~" || path.rfind("~/", 0) == 0) {
        const char* home = std::getenv("HOME");
        path = std::string(home ? home : "") + path.substr(1);
    }
    const fs::path p(path);
    return (p.is_absolute() ? p : repo.workdir() / p).lexically_normal();
}

bool is_knot_shim(std::string_view text) {
    return text.find("git-knot hook") != std::string_view::npos ||
           text.find("git knot hook") != std::string_view::npos;
}

std::string describe(const HookReport& report) {
    const auto list = [](const std::vector<std::string>& names, const char* what) {
        std::string text;
        for (const auto& name : names)
            text += (text.empty() ? "" : ", ") + name;
        return text.empty() ? text : text + " " + what;
    };
    std::string notes;
    for (const auto& note :
         {list(report.chained, "chained, runs first"), list(report.restored, "restored"),
          list(report.foreign, "not knot's, left alone")})
        if (!note.empty())
            notes += (notes.empty() ? "" : "; ") + note;
    const std::string line = report.operation == HookOperation::uninstall
                                 ? "knot hooks removed from " + report.dir.string()
                                 : std::to_string(report.installed.size() + report.chained.size() +
                                                  report.unchanged.size()) +
                                       " knot hooks in " + report.dir.string();
    return notes.empty() ? line : line + " (" + notes + ")";
}

HookReport install_hooks(const GitRepo& repo) {
    return install_hooks_in(hooks_dir(repo));
}

HookReport uninstall_hooks(const GitRepo& repo) {
    HookReport report = uninstall_hooks_in(hooks_dir(repo));
    // The clone's knot-agent ends once its socket is gone (knot-agent/agent.hpp).
    std::error_code ec;
    fs::remove(repo.common_dir() / "knot" / "agent.sock", ec);
    return report;
}

HookReport install_hooks_in(const fs::path& dir) {
    HookReport report;
    report.dir = dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error("cannot create the hooks folder " + dir.string() + ": " + ec.message());
    for (const auto hook_name : k_knot_hooks) {
        const std::string name(hook_name);
        const fs::path hook = dir / name;
        const std::string shim = hook_program();
        if (present(hook)) {
            std::string text;
            if (is_installed_shim(hook, &text)) {
                if (text != shim)
                    write_file_atomic(hook, shim, 0755);
                report.unchanged.push_back(name);
                continue;
            }
            // Someone's own hook: it keeps running, from the shim. A .knot-orig left by an
            // earlier install is older than this hook, which had replaced the shim since.
            rename_or_throw(hook, chained_path(hook));
            report.chained.push_back(name);
        } else {
            report.installed.push_back(name);
        }
        write_file_atomic(hook, shim, 0755);
    }
    return report;
}

HookReport uninstall_hooks_in(const fs::path& dir) {
    HookReport report;
    report.operation = HookOperation::uninstall;
    report.dir = dir;
    for (const auto hook_name : k_knot_hooks) {
        const std::string name(hook_name);
        const fs::path hook = dir / name;
        const fs::path orig = chained_path(hook);
        if (!present(hook)) {
            if (present(orig)) { // the shim was deleted by hand: the original goes back
                rename_or_throw(orig, hook);
                report.restored.push_back(name);
            }
            continue;
        }
        if (!is_installed_shim(hook)) {
            report.foreign.push_back(name);
            continue;
        }
        if (present(orig)) {
            rename_or_throw(orig, hook); // replaces the shim in one step
            report.restored.push_back(name);
        } else {
            std::error_code ec;
            fs::remove(hook, ec);
            if (ec)
                throw Error("cannot remove " + hook.string() + ": " + ec.message());
            report.removed.push_back(name);
        }
    }
    return report;
}

} // namespace knot
