// The reviews' JSON objects of docs/protocol.md ("Reviews"), each defined once with nlohmann's
// to_json and from_json, read as strictly as those of wire.hpp.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace knot::wire {

// One review request ("Review object"). `verdict` is null until answered; `diff` is present
// only in the answers that show the change (GET one review, a claim).
struct Review {
    std::string id;
    std::int64_t run = 0;
    std::string agent; // the pushing agent's name
    std::string agent_id;
    std::string mode;  // server, webhook or peers
    std::string state; // pending, claimed, answered or timed_out
    std::optional<std::string> base;
    std::string candidate;
    std::string intent;
    std::string diff_stat;
    std::int64_t requested_at = 0;
    std::int64_t deadline = 0;
    std::string claimed_by; // the claiming peer's name, "" when none
    std::optional<std::string> verdict;
    std::string reason;
    std::string reviewer;    // for people: "peer coder-2", "the server's model", "webhook"
    std::string reviewer_id; // the reviewing agent's id, "" when not an agent
    bool verified = false;
    bool advisory = false;
    std::string statement; // what the reviewer signed ("" when nobody did)
    std::string signature;
    std::int64_t answered_at = 0;
    std::optional<std::string> diff;
};

// A room's review settings and the modes its server offers.
struct ReviewSettings {
    std::string mode; // auto, off, server, webhook or peers
    std::int64_t timeout = 300;
    std::string model; // "" for the server's default
    bool server_key = false;
    bool webhook = false;
};

// GET .../reviews.
struct Reviews {
    ReviewSettings settings;
    std::vector<Review> reviews;
};

void to_json(nlohmann::json& out, const Review& review);
void from_json(const nlohmann::json& in, Review& review);
void to_json(nlohmann::json& out, const ReviewSettings& settings);
void from_json(const nlohmann::json& in, ReviewSettings& settings);
void to_json(nlohmann::json& out, const Reviews& reviews);
void from_json(const nlohmann::json& in, Reviews& reviews);

} // namespace knot::wire
