// The patch exchange's JSON objects of docs/protocol.md ("Patches"), defined once with
// nlohmann's to_json and from_json, read as strictly as those of wire.hpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace knot::wire {

// One agent's standing verdict on a patch: "approve" or "reject" (with its reason). A later
// verdict of the same agent replaces its earlier one.
struct PatchVerdict {
    std::string agent; // id
    std::string agent_name;
    std::string verdict;
    std::string reason; // "" for an approval
    std::int64_t time = 0;
};

// The integration run a merge of the patch queued: its status as the run reports it, and the
// review's verdict ("pass", "warn", "fail") once the run reached review (nothing before, or when
// the room reviews nothing).
struct PatchRun {
    std::int64_t run = 0;
    std::string status;
    std::optional<std::string> review;
};

// A patch ("Patch object"). `kind` is draft (shared for reading) or submitted (proposed for
// merging). `state` is draft, submitted, or once merged the status of its run. `statement` is
// the exact text the author signed, `signature` its base64 Ed25519 signature.
struct Patch {
    std::string id;
    std::string author; // id
    std::string author_name;
    std::string kind;
    std::string state;
    std::string ref;
    std::string base;
    std::string tip;
    std::string message;
    std::int64_t time = 0; // when the author signed
    std::int64_t created_at = 0;
    std::string statement;
    std::string signature;
    std::int64_t approvals = 0;
    std::int64_t rejections = 0;
    std::vector<PatchVerdict> verdicts;
    std::optional<PatchRun> run;
};

// POST .../patches' body: the statement's fields and the author's signature over them (the room
// and the author are the request's own).
struct NewPatch {
    std::string id;
    std::string kind;
    std::string base;
    std::string tip;
    std::string message;
    std::int64_t time = 0;
    std::string signature;
};

void to_json(nlohmann::json& out, const PatchVerdict& verdict);
void from_json(const nlohmann::json& in, PatchVerdict& verdict);
void to_json(nlohmann::json& out, const PatchRun& run);
void from_json(const nlohmann::json& in, PatchRun& run);
void to_json(nlohmann::json& out, const Patch& patch);
void from_json(const nlohmann::json& in, Patch& patch);
void to_json(nlohmann::json& out, const NewPatch& patch);

} // namespace knot::wire
