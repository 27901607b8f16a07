// What joining or hosting a room writes into a clone (see onboarding.hpp).
#include "git-knot/onboarding.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/git/git_command.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace knot {

std::filesystem::path share_dir() {
    if (const char* env = std::getenv("KNOT_SHARE_DIR"); env && *env)
        return env;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return share_dir_beside(ec ? std::filesystem::path("git-knot") : self);
}

std::filesystem::path share_dir_beside(const std::filesystem::path& program) {
    return (program.parent_path() / KNOT_SHARE_FROM_BIN).lexically_normal();
}

std::string render_template(const std::string& name,
                            const std::map<std::string, std::string>& values) {
    const auto path = share_dir() / "templates" / name;
    if (!std::filesystem::exists(path))
        throw Error("knot's data file " + path.string() + " is missing; reinstall knot");
    std::string text = read_file(path);
    for (const auto& [key, value] : values) {
        const std::string mark = "{{" + key + "}}";
        for (auto pos = text.find(mark); pos != std::string::npos;
             pos = text.find(mark, pos + value.size()))
            text.replace(pos, mark.size(), value);
    }
    return text;
}

void write_agent_file(Clone& clone, const std::string& file, const std::string& text) {
    const auto path = clone.repo().workdir() / ".knot" / file;
    std::filesystem::create_directories(path.parent_path());
    write_file_atomic(path, text);
    clone.repo().add_exclude("/.knot/" + file);
}

void configure_clone_for_room(Clone& clone, const RoomConfig& room, const std::string& name,
                              const std::string& kind, const std::string& invite_url) {
    clone.save_room(room);
    auto& repo = clone.repo();
    repo.config_set("knot.name", name);
    repo.config_set("knot.kind", kind);
    if (!repo.config_get("knot.autolock"))
        repo.config_set("knot.autolock", "commit");
    // Push refspec HEAD: a bare `git push knot` sends the current branch only, as
    // push.default=current would (a setting of the whole clone, so not ours to change); the
    // helper maps refs/heads/<branch> onto refs/knot/<name>/<branch>.
    repo.set_remote("knot", "knot::" + room.server + "/" + room.room, "+refs/knot/*:refs/knot/*",
                    "HEAD");
    const std::map<std::string, std::string> values = {{"name", name},
                                                       {"kind", kind},
                                                       {"room", room.room},
                                                       {"server", room.server},
                                                       {"invite", invite_url}};
    write_agent_file(clone, "playbook.md", render_template("playbook.md", values));
    const auto rule = repo.workdir() / ".cursor" / "rules" / "knot.mdc";
    std::filesystem::create_directories(rule.parent_path());
    write_file_atomic(rule, render_template("cursor-rule.mdc", values));
    repo.add_exclude("/.cursor/rules/knot.mdc");
    write_mcp_configs(clone);
}

std::string mcp_client_config() {
    // Claude Code's .mcp.json and Cursor's .cursor/mcp.json have the same shape.
    return nlohmann::json{{"mcpServers",
                           {{"knot", {{"command", "git"}, {"args", {"knot", "mcp", "--stdio"}}}}}}}
               .dump(2) +
           "\n";
}

std::vector<std::string> write_mcp_configs(Clone& clone) {
    auto& repo = clone.repo();
    std::vector<std::string> written;
    for (const std::string file : {".mcp.json", ".cursor/mcp.json"}) {
        const auto path = repo.workdir() / file;
        std::error_code ec;
        if (std::filesystem::exists(path, ec) &&
            run_git({"ls-files", "--error-unmatch", "--", file}, repo.workdir()).status == 0)
            continue; // the team's own, in git: not ours to change
        nlohmann::json config = nlohmann::json::parse(mcp_client_config());
        if (std::filesystem::exists(path, ec)) {
            // Someone's own, untracked: the knot server goes in beside theirs.
            const auto theirs = nlohmann::json::parse(read_file(path), nullptr, false);
            if (!theirs.is_object() ||
                (theirs.contains("mcpServers") && !theirs["mcpServers"].is_object()))
                continue; // not a shape to edit safely
            nlohmann::json merged = theirs;
            merged["mcpServers"]["knot"] = config["mcpServers"]["knot"];
            config = merged;
        }
        std::filesystem::create_directories(path.parent_path());
        write_file_atomic(path, config.dump(2) + "\n");
        repo.add_exclude("/" + file);
        written.push_back(file);
    }
    return written;
}

} // namespace knot
