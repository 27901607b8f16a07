// The refs knot adds to a repository, as the server, the remote helper, the hooks and the
// porcelain name them (docs/protocol.md, "Refs").
#pragma once

#include <string_view>

namespace knot {

// Every ref knot keeps: refs/knot/<agent>/<branch> per member, and the integration ref.
inline constexpr std::string_view k_knot_ref_prefix = "refs/knot/";

// The known-good ref the integration agent moves after the checks pass; only the server moves
// it.
inline constexpr std::string_view k_integration_ref = "refs/knot/integration";

} // namespace knot
