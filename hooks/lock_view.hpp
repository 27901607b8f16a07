// Which of the server's locks (wire::Lock) another agent holds on the paths of a commit or a push,
// and the refusal the hooks and the remote helper print when one stops it.
#pragma once

#include "libknot/protocol/wire.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

// Those of `locks` that lie on one of `paths` (sorted) and are held by an agent other than
// `self`.
std::vector<wire::Lock> locks_held_by_others(const std::vector<wire::Lock>& locks,
                                             const std::vector<std::string>& paths,
                                             std::string_view self);

// The text of a refusal: "knot: <action> refused: ...", one line per lock naming its path,
// holder, intent and expiry (relative to `now`, and as local time), then a hint: coordinate or
// wait. It names no way around the hooks: the room's server refuses (hosted) or holds (forge)
// such a push anyway.
std::string refusal_message(std::string_view action, const std::vector<wire::Lock>& conflicts,
                            std::int64_t now);

} // namespace knot
