// The integration's and the git endpoints' JSON objects of docs/protocol.md ("Integration",
// "Git transfer", "Forge mode"), each defined once with nlohmann's to_json and from_json, read
// as strictly as those of wire.hpp.
#pragma once

#include "libknot/protocol/wire.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace knot::wire {

// A room's check settings as members see them ("Settings"): `checks` nothing (null: each tree's
// .knot/checks, else detection) or the commands; `forge` nothing (null) when the room has none.
struct Settings {
    std::optional<std::vector<std::string>> checks;
    std::int64_t time_limit = 0;
    std::optional<std::string> forge;
};

// One integration run ("Run object"). `base`, `candidate` and `log` are null (nothing) when
// there is none; `detail` holds what each step found, kept as JSON (its keys vary by step).
struct Run {
    std::int64_t run = 0;
    std::string agent; // the pushing agent's name
    std::string agent_id;
    std::string ref;
    std::string commit;
    std::string status;
    std::optional<std::string> base;
    std::optional<std::string> candidate;
    std::string summary;
    nlohmann::json detail = nlohmann::json::object();
    std::int64_t queued_at = 0;
    std::int64_t started_at = 0;
    std::int64_t finished_at = 0;
    std::int64_t duration_ms = 0;
    std::int64_t attempts = 0;
    bool undone = false;
    std::int64_t undone_at = 0;
    std::string undone_by; // "" while not undone
    std::optional<std::string> log;
};

// GET .../integration: where refs/knot/integration is and the room's base (nothing: null), the
// settings, and the newest runs first.
struct Integration {
    std::optional<std::string> integration;
    std::optional<std::string> base;
    Settings settings;
    std::vector<Run> runs;
};

// POST .../integration/undo's answer, and without `forge` the data of integration.undone.
struct Undo {
    std::int64_t run = 0;
    std::string agent;
    std::string commit;
    std::string from;
    std::string to;
    std::string by;
    std::optional<std::string> forge; // pushed, failed or none; absent in the event
};

// POST .../integration/base's answer: `forge` only when the base was created (created: true),
// `base` null when the room has none.
struct BaseAnswer {
    bool created = false;
    std::string integration;
    std::optional<std::string> base;
    std::optional<std::string> forge;
};

// A forge push whose run waits for other agents' locks (the notify answer's "held").
struct HeldRun {
    std::int64_t run = 0;
    std::vector<Lock> locks;
    std::string summary;
};

// The answer of a receive ({ref, old, new}) and of a notify (also `mode`: "forge", and `held`
// when the run is held).
struct PushAnswer {
    std::string ref;
    std::string old_oid; // "old"
    std::string new_oid; // "new"
    std::optional<std::string> mode;
    std::optional<HeldRun> held;
};

void to_json(nlohmann::json& out, const Settings& settings);
void from_json(const nlohmann::json& in, Settings& settings);
void to_json(nlohmann::json& out, const Run& run);
void from_json(const nlohmann::json& in, Run& run);
void to_json(nlohmann::json& out, const Integration& integration);
void from_json(const nlohmann::json& in, Integration& integration);
void to_json(nlohmann::json& out, const Undo& undo);
void from_json(const nlohmann::json& in, Undo& undo);
void to_json(nlohmann::json& out, const BaseAnswer& answer);
void from_json(const nlohmann::json& in, BaseAnswer& answer);
void to_json(nlohmann::json& out, const HeldRun& held);
void from_json(const nlohmann::json& in, HeldRun& held);
void to_json(nlohmann::json& out, const PushAnswer& answer);
void from_json(const nlohmann::json& in, PushAnswer& answer);

} // namespace knot::wire
