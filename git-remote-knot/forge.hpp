// Forge mode: the remote (origin, or the one `knot.forge` names) that carries the objects of a
// push through knot with the user's own git and credentials, its refs under refs/knot/, and the
// paths a push changes. Everything here runs the real git binary.
#pragma once

#include "local_repo.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace knot::remote {

struct Forge {
    std::string remote; // the remote's name, so git applies its pushurl and credentials
    std::string url;    // what the server fetches from: a relative local path made absolute
};

// The forge of the repository git runs the helper in: the remote `knot.forge` names, else
// `origin` when it exists; nothing (hosted mode) when `knot.forge` is "none" or there is no
// origin. Throws knot::Error when `knot.forge` names a remote that does not exist.
std::optional<Forge> find_forge();

// The forge's refs under refs/knot/: name to oid. Throws knot::Error with git's message when
// the forge cannot be read.
std::map<std::string, std::string> forge_refs(const Forge& forge);

// How a push to the forge should run.
enum class ForgePushMode { real, dry_run };

// Runs `git push <forge> <spec>` (`spec` is [+]<src>:<dst>) with the user's environment; git's
// own output goes to stderr. Returns nothing when it succeeded, else the reason in the words
// gitremote-helpers(7) expects ("non-fast forward", or a quoted message).
std::optional<std::string> push_to_forge(const Forge& forge, const std::string& spec,
                                         ForgePushMode mode, bool quiet, Progress progress);

// The paths that differ between commits `old_oid` and `new_oid` (every path of `new_oid` when
// `old_oid` is all zeros), at most `max`; none when git cannot tell (an unknown old commit).
std::vector<std::string> changed_paths(const std::string& old_oid, const std::string& new_oid,
                                       std::size_t max);

} // namespace knot::remote
