// Forge mode: the room's refs/knot/integration pushed back to the room's forge whenever it moves
// (an integration, an undo, the room's base), so that teammates who resync from the forge while
// the server is down get the server's position, not one it left.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>

namespace knot::server {

class Store;
struct ForgePolicy;

struct ForgePushEnvironment {
    Store& store;
    const ForgePolicy& policy;      // the host's forge rules, checked again before every push
    std::filesystem::path data_dir; // holds repos/<room>.git
    std::string server_agent_id;    // the author of the events
};

// What became of a push of the integration ref to the forge.
enum class ForgePushOutcome { no_forge, pushed, failed };

// Pushes `room_id`'s refs/knot/integration, as it is when the push starts, to the room's forge
// (--force: an undo moves it back) and appends integration.forge_pushed, or
// integration.forge_push_failed with `error` in fixed words (git's own message goes to the
// server's log only, as it may name the server's paths), each with `data` plus `integration` and
// `forge`. Does nothing (no_forge) when the room has no forge or no integration ref. A room's
// pushes run one at a time, so the forge ends where the server's ref is after the last of them. The
// server's ref is the authority: a forge that refuses changes nothing here, and nothing throws
// for it.
ForgePushOutcome push_integration_to_forge(const ForgePushEnvironment& environment,
                                           const std::string& room_id, nlohmann::json data);

} // namespace knot::server
