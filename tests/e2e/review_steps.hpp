// What the review gate's end-to-end tests share (review_peers_test.cpp, review_services_test.cpp,
// review_attack_test.cpp): reading the room's events, a refusal's code, the server's integration
// ref, and the loopback stand-in for the Messages API and a webhook service
// (tests/support/review_standin.cpp).
#pragma once

#include "libknot/base/error.hpp"
#include "tests/support/git_steps.hpp"
#include "tests/support/room_events.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace knot::test::review {

namespace fs = std::filesystem;
using nlohmann::json;

inline bool of_type(const json& event, const std::string& type) {
    return event.value("type", "") == type;
}

inline json data_of(const json& event) {
    return event.contains("data") ? event["data"] : json::object();
}

// The first event of `type` read so far; FAILs when there is none.
inline json seen_event(const RoomEvents& events, const std::string& type) {
    for (const json& event : events.seen())
        if (of_type(event, type))
            return event;
    FAIL("no " + type + " event was seen");
    return {};
}

// The HTTP error code `call` throws, "" when it throws none.
inline std::string refusal(const std::function<void()>& call) {
    try {
        call();
    } catch (const knot::HttpError& error) {
        return error.code();
    }
    return "";
}

// The room's integration ref as the server's bare repository has it.
inline std::string server_integration(const HostedRoom& room) {
    return trimmed(sh("git --git-dir='" + room.repository().string() +
                          "' rev-parse -q --verify refs/knot/integration",
                      room.host())
                       .out);
}

// The stand-in, serving from a folder of its own; its port is its first line of output.
class Standin {
public:
    Standin()
        : m_process(
              "'" + (fs::path(KNOT_BUILD_DIR) / "tests/support/knot_test_review_standin").string() +
                  "' '" + m_dir.path().string() + "'",
              m_dir.path()) {
        const auto line = m_process.next_line(30000);
        REQUIRE(line);
        m_url = "http://127.0.0.1:" + *line;
    }
    const std::string& url() const { return m_url; }
    const fs::path& dir() const { return m_dir.path(); }
    void set(const std::string& name, const std::string& text) const {
        write_file(m_dir.path() / name, text);
    }
    void unset(const std::string& name) const { fs::remove(m_dir.path() / name); }
    // Waits for the stand-in to announce its next request or callback; returns the line.
    std::string await() {
        const auto line = m_process.next_line(60000);
        REQUIRE(line);
        return *line;
    }
    // The requests it received, oldest first.
    std::vector<json> requests() const { return lines("requests.jsonl"); }
    std::vector<json> callbacks() const { return lines("callbacks.jsonl"); }

private:
    std::vector<json> lines(const std::string& name) const {
        std::vector<json> out;
        std::ifstream in(m_dir.path() / name);
        for (std::string line; std::getline(in, line);)
            out.push_back(json::parse(line));
        return out;
    }

    TempDir m_dir;
    BackgroundCommand m_process;
    std::string m_url;
};

// Sets an environment variable for the life of the object (the host's `git knot up` passes its
// environment on to the server it starts).
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value)
        : m_name(name) {
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() { ::unsetenv(m_name); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
};

} // namespace knot::test::review
