// One line of text per event (see event_format.hpp).
#include "libknot/client/event_format.hpp"

#include "libknot/base/time_text.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <nlohmann/json.hpp>
#include <optional>

namespace knot {
namespace {

std::string join(const nlohmann::json& list, std::size_t limit = 4) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& item : list) {
        if (shown == limit) {
            out += ", +" + std::to_string(list.size() - limit) + " more";
            break;
        }
        if (!out.empty())
            out += ", ";
        out += item.is_string() ? item.get<std::string>() : item.dump();
        ++shown;
    }
    return out;
}

// The integer at `key` of an event's `data`, 0 when it is missing or not an integer.
long long json_integer(const nlohmann::json& data, const char* key) {
    const auto it = data.find(key);
    return it != data.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

std::string name_of(const std::string& id, const AgentNames& names) {
    const auto it = names.find(id);
    return it == names.end() ? (id.empty() ? "knot" : id) : it->second;
}

} // namespace

std::string json_text(const nlohmann::json& object, const char* key) {
    if (!object.is_object())
        return "";
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

AgentNames agent_names(const std::vector<wire::Agent>& agents) {
    AgentNames names;
    for (const auto& agent : agents)
        names[agent.id] = agent.name;
    return names;
}

void learn_name(AgentNames& names, const wire::Event& event) {
    if (event.type == "agent.joined")
        names[event.agent] = json_text(event.data, "name");
}

AgentNames agent_names_of(const nlohmann::json& answer) {
    return agent_names(wire::FieldReader(answer, "agents answer").objects<wire::Agent>("agents"));
}

namespace {

// The integration agent's events (docs/protocol.md, "Integration events"), or nothing for
// another type.
std::optional<std::string> describe_integration_event(const std::string& type,
                                                      const std::string& who,
                                                      const nlohmann::json& data) {
    const std::string run = "integration run " + std::to_string(json_integer(data, "run"));
    const std::string pushed =
        json_text(data, "agent") + "@" + json_text(data, "commit").substr(0, 7);
    if (type == "integration.started")
        return run + " started: " + pushed;
    if (type == "sync.integrated")
        return run + ": " + json_text(data, "message") + "; refs/knot/integration is at " +
               json_text(data, "integration").substr(0, 7);
    if (type == "sync.merge_conflict" || type == "sync.check_failed" ||
        type == "sync.review_failed" || type == "integration.skipped" ||
        type == "integration.error" || type == "sync.held_locked" || type == "integration.released")
        return run + ": " + json_text(data, "summary");
    // A forge push after an integration names its run; after an undo or the room's base, why.
    const std::string cause = json_text(data, "cause");
    const std::string after = cause == "undo"   ? " (after the undo of " + run + ")"
                              : cause == "base" ? " (the room's base)"
                                                : "";
    const std::string prefix = cause.empty() ? run + ": " : "";
    if (type == "integration.forge_pushed")
        return prefix + "refs/knot/integration " + json_text(data, "integration").substr(0, 7) +
               " pushed to " + json_text(data, "forge") + after;
    if (type == "integration.forge_push_failed")
        return prefix + "cannot push refs/knot/integration to " + json_text(data, "forge") + after +
               ": " + json_text(data, "error");
    if (type == "integration.based")
        return who + " started refs/knot/integration at " +
               json_text(data, "integration").substr(0, 7) + ", the room's base (from " +
               json_text(data, "forge") + ")";
    if (type == "integration.undone")
        return who + " undid " + run + " (" + pushed + "): refs/knot/integration " +
               json_text(data, "from").substr(0, 7) + " -> " + json_text(data, "to").substr(0, 7);
    if (type == "integration.settings") {
        const auto checks = data.value("checks", nlohmann::json());
        const std::string what = checks.is_null() ? "from each tree"
                                 : checks.empty() ? "none"
                                                  : join(checks);
        return who + " set the room's checks: " + what + " (" +
               std::to_string(json_integer(data, "time_limit")) + " s limit)";
    }
    return std::nullopt;
}

// The review gate's and the patch exchange's events (docs/protocol.md, "Reviews", "Patches"), or
// nothing for another type.
std::optional<std::string> describe_review_event(const std::string& type, const std::string& who,
                                                 const nlohmann::json& data,
                                                 const AgentNames& names) {
    const std::string review = json_text(data, "review");
    const std::string run = "integration run " + std::to_string(json_integer(data, "run"));
    if (type == "review.requested")
        return "review " + review + " of " + run + " (" + json_text(data, "agent") + ") asked of " +
               (json_text(data, "mode") == "peers"     ? std::string("peers")
                : json_text(data, "mode") == "webhook" ? std::string("the review webhook")
                                                       : std::string("the server's model"));
    if (type == "review.claimed")
        return json_text(data, "peer") + " is reviewing " + review + " (" + run + ")";
    if (type == "review.released")
        return "review " + review + " is free again: " + name_of(json_text(data, "peer"), names) +
               " went away";
    if (type == "review.verdict" || type == "review.timeout") {
        std::string line = "review " + review + " of " + run + ": " + json_text(data, "verdict");
        if (type == "review.timeout")
            line += " (nobody answered: advisory)";
        else
            line += " by " + json_text(data, "reviewer") +
                    (data.contains("verified") && data["verified"] == true ? "" : " (unverified)");
        if (!json_text(data, "reason").empty())
            line += ": " + json_text(data, "reason");
        return line;
    }
    if (type == "review.settings")
        return who + " set the review mode to " + json_text(data, "mode") + " (" +
               std::to_string(json_integer(data, "timeout_seconds")) + " s)";
    const std::string patch = json_text(data, "id");
    if (type == "patch.shared" || type == "patch.submitted")
        return who + (type == "patch.shared" ? " shared draft " : " submitted ") + patch + " (" +
               json_text(data, "tip").substr(0, 7) + ")";
    if (type == "patch.approved")
        return who + " approved " + patch;
    if (type == "patch.rejected")
        return who + " rejected " + patch + ": " + json_text(data, "reason");
    if (type == "patch.merge_requested")
        return who + " asked to merge " + patch + " (" + run + ")";
    return std::nullopt;
}

} // namespace

std::string describe_event(const wire::Event& event, const AgentNames& names) {
    const std::string& type = event.type;
    const std::string who = name_of(event.agent, names);
    const nlohmann::json& data = event.data;
    if (type == "chat.message")
        return who + ": " + json_text(data, "text");
    if (type == "room.created")
        return who + " created the room " + json_text(data, "name");
    if (type == "agent.joined")
        return json_text(data, "name") + " joined (" + json_text(data, "kind") + ", " +
               json_text(data, "fingerprint") +
               (data.contains("relay") && data["relay"] == true ? ", relay: no clone" : "") + ")";
    if (type == "agent.rejoined")
        return json_text(data, "name") + " joined again";
    if (type == "agent.upgraded")
        return json_text(data, "name") + " moved from relay into a clone (can lock and push)";
    if (type == "agent.doing") {
        std::string line = who + " is doing: " + json_text(data, "status");
        if (data.contains("files") && !data["files"].empty())
            line += " [" + join(data["files"]) + "]";
        return line;
    }
    if (type == "agent.head")
        return who + " is at " + json_text(data, "commit").substr(0, 12) + " on " +
               json_text(data, "branch");
    if (type == "lock.acquired") {
        std::string line = who + " locked " + join(data.value("paths", nlohmann::json::array()));
        if (!json_text(data, "intent").empty())
            line += " (" + json_text(data, "intent") + ")";
        return line;
    }
    if (type == "lock.released")
        return who + " unlocked " + join(data.value("paths", nlohmann::json::array()));
    if (type == "lock.expired")
        return "the lease of " + name_of(json_text(data, "holder"), names) + " on " +
               json_text(data, "path") + " expired";
    if (type == "lock.broken")
        return name_of(json_text(data, "by"), names) + " broke " +
               name_of(json_text(data, "holder"), names) + "'s lock on " + json_text(data, "path");
    if (type == "task.created")
        return who + " planned " + json_text(data, "id") + ": " + json_text(data, "title");
    if (type == "task.claimed")
        return who + " claimed " + json_text(data, "id");
    if (type == "task.done")
        return who + " finished " + json_text(data, "id");
    if (type == "task.released")
        return who + " gave back " + json_text(data, "id");
    if (type == "sync.pushing") {
        std::string line = who + " is pushing to " + json_text(data, "remote");
        if (data.contains("paths") && !data["paths"].empty())
            line += " [" + join(data["paths"]) + "]";
        return line;
    }
    if (type == "sync.pushed") {
        std::string line = who + " pushed " + json_text(data, "new").substr(0, 7) + " to " +
                           json_text(data, "ref");
        if (data.contains("files") && data["files"].is_array() && !data["files"].empty())
            line += " [" + join(data["files"]) + "]";
        if (data.contains("run"))
            line += " (integration run " + std::to_string(json_integer(data, "run")) + ")";
        return line;
    }
    if (type == "room.settings")
        return who + " set the lease to " + std::to_string(json_integer(data, "lease_seconds")) +
               "s";
    if (const auto line = describe_integration_event(type, who, data))
        return *line;
    if (const auto line = describe_review_event(type, who, data, names))
        return *line;
    return who + " " + type + " " + data.dump();
}

std::string conflict_line(const wire::Lock& lock, long long now) {
    std::string line = lock.path + " is locked by " + lock.agent_name;
    if (!lock.intent.empty())
        line += " (" + lock.intent + ")";
    return line + " until " + local_clock(lock.expires_at) + " (" +
           relative_time(lock.expires_at, now) + ")";
}

std::string event_line(const wire::Event& event, const AgentNames& names) {
    // Members' text (chat, reasons, names) is shown, never obeyed: no control characters.
    return terminal_text("#" + std::to_string(event.seq) + " " + local_clock(event.time) + " " +
                         describe_event(event, names));
}

} // namespace knot
