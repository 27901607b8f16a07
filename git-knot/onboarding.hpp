// What joining or hosting a room writes into a clone: git config, the `knot` remote, and the
// agent-facing files under .knot/ (each excluded through info/exclude, never .gitignore).
#pragma once

#include "libknot/client/clone.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace knot {

// Where installed data lives: $KNOT_SHARE_DIR when set, else share_dir_beside(this program).
std::filesystem::path share_dir();

// The data directory of the program at `program`: <prefix>/share/knot for <prefix>/bin/git-knot,
// by the install layout's path from bin to data, compiled in relative so that no path of the
// build machine is. A build directory holds share/knot beside its bin/ too, a link to the source
// tree's (cmake/settings.cmake).
std::filesystem::path share_dir_beside(const std::filesystem::path& program);

// Reads share/knot/templates/<name> and replaces each {{key}} with its value.
std::string render_template(const std::string& name,
                            const std::map<std::string, std::string>& values);

// Stores the room and the agent's name and kind, adds the `knot` remote
// (knot::<server>/<room>, fetching refs/knot/*, pushing the current branch, which the helper
// sends to refs/knot/<name>/<branch>), and
// writes .knot/playbook.md, the editor rule and the MCP clients' configs (write_mcp_configs).
// Running it again rewrites the same state.
void configure_clone_for_room(Clone& clone, const RoomConfig& room, const std::string& name,
                              const std::string& kind, const std::string& invite_url);

// What Claude Code (.mcp.json) and Cursor (.cursor/mcp.json) read to start `git knot mcp
// --stdio` in the project.
std::string mcp_client_config();

// Writes .mcp.json and .cursor/mcp.json with the knot server (mcp_client_config), each excluded
// through info/exclude. A file git tracks is left alone (the team's own); an untracked one of
// someone's gets the knot server beside its others, unless it is not a JSON object. Returns the
// files written.
std::vector<std::string> write_mcp_configs(Clone& clone);

// Writes `text` to .knot/<file> in the work tree and excludes that one file.
void write_agent_file(Clone& clone, const std::string& file, const std::string& text);

} // namespace knot
