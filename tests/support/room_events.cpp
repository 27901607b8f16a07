// Following a room's events for end-to-end tests (see room_events.hpp).
#include "room_events.hpp"

#include "git_steps.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

namespace knot::test {
namespace {

constexpr int k_wait_ms = 120000;

} // namespace

RoomEvents::RoomEvents(const std::filesystem::path& repo)
    : m_follow("exec git knot log --follow --json", repo) {}

nlohmann::json RoomEvents::next(const std::function<bool(const nlohmann::json&)>& match) {
    while (auto line = m_follow.next_line(k_wait_ms)) {
        if (line->empty() || (*line)[0] != '{')
            continue;
        auto event = nlohmann::json::parse(*line);
        m_seen.push_back(event);
        if (match(event))
            return event;
    }
    FAIL("the awaited event did not come");
    return {};
}

int RoomEvents::pushed(const std::string& commit) {
    return next([&](const nlohmann::json& event) {
               return event.at("type") == "sync.pushed" && event.at("data").at("new") == commit;
           })
        .at("data")
        .at("run")
        .get<int>();
}

nlohmann::json RoomEvents::outcome(int run) {
    static const std::vector<std::string> ends = {
        "sync.integrated",     "sync.check_failed", "sync.merge_conflict", "sync.review_failed",
        "integration.skipped", "integration.error", "sync.held_locked"};
    return next([run](const nlohmann::json& event) {
        return std::find(ends.begin(), ends.end(), event.at("type").get<std::string>()) !=
                   ends.end() &&
               event.at("data").value("run", 0) == run;
    });
}

nlohmann::json RoomEvents::outcome_of_push(const std::string& commit) {
    return outcome(pushed(commit));
}

nlohmann::json RoomEvents::push(const std::filesystem::path& repo) {
    const std::string commit = rev(repo, "HEAD");
    REQUIRE(run("git push -q knot main", repo).status == 0);
    return outcome_of_push(commit);
}

} // namespace knot::test
