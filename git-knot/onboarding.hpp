// What joining or hosting a room writes into a clone: git config, the `knot` remote, and the
// agent-facing files under .knot/ (each excluded through info/exclude, never .gitignore).
#pragma once

#include "libknot/client/clone.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace knot {

// Where installed data lives: $KNOT_SHARE_DIR, else <prefix>/share/knot beside this program,
// else the source tree's share/knot (for programs run from a build directory).
std::filesystem::path share_dir();

// Reads share/knot/templates/<name> and replaces each {{key}} with its value.
std::string render_template(const std::string& name,
                            const std::map<std::string, std::string>& values);

// Stores the room and the agent's name and kind, adds the `knot` remote
// (knot::<server>/<room>, fetching refs/knot/*, pushing the current branch, which the helper
// sends to refs/knot/<name>/<branch>), and
// writes .knot/playbook.md and the editor rule. Running it again rewrites the same state.
void configure_clone_for_room(Clone& clone, const RoomConfig& room, const std::string& name,
                              const std::string& kind, const std::string& invite_url);

// Writes `text` to .knot/<file> in the work tree and excludes that one file.
void write_agent_file(Clone& clone, const std::string& file, const std::string& text);

} // namespace knot
