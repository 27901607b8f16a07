// What the hooks' end-to-end tests share (hooks_test.cpp, agent_test.cpp): files, commits and the
// room's state as a member reads it.
#pragma once

#include "libknot/client/http_client.hpp"
#include "tests/support/hosted_room.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace knot::test::hooks {

namespace fs = std::filesystem;

inline void write_file(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

inline std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes `path` in `repo` and commits it with `git commit <flags>`, hooks and all.
inline ShellResult commit(const fs::path& repo, const std::string& path, const std::string& text,
                          const std::string& flags = "") {
    write_file(repo / path, text);
    return sh("git add '" + path + "' && git commit -q -m 'change " + path + "' " + flags, repo);
}

inline int count_lines(const std::string& text) {
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// Reads the room `repo` has joined, with its own token, the way any member may.
inline nlohmann::json room_get(const fs::path& repo, const std::string& target) {
    HttpClient http(git_config(repo, "knot.server"));
    const auto response =
        http.request("GET", "/v1/rooms/" + git_config(repo, "knot.room") + target, "",
                     {{"X-Knot-Token", slurp(repo / ".git/knot/token").substr(0, 64)}});
    INFO(response.body);
    REQUIRE(response.status == 200);
    return nlohmann::json::parse(response.body);
}

// path -> holder's agent id, of the room's live locks held by teammates (not the host).
inline std::map<std::string, std::string> locks(const fs::path& repo) {
    std::map<std::string, std::string> held;
    const auto answer = room_get(repo, "/locks");
    for (const auto& lock : answer.at("locks"))
        if (lock.at("agent_name") != "host-1")
            held[lock.at("path").get<std::string>()] = lock.at("agent").get<std::string>();
    return held;
}

// The room's events of `type`.
inline std::vector<nlohmann::json> events(const fs::path& repo, const std::string& type) {
    std::vector<nlohmann::json> found;
    const auto answer = room_get(repo, "/events");
    for (const auto& event : answer.at("events"))
        if (event.at("type") == type)
            found.push_back(event);
    return found;
}

inline std::size_t outbox_size(const fs::path& repo) {
    std::error_code ec;
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(repo / ".git/knot/outbox", ec))
        n += entry.path().extension() == ".json" ? 1 : 0;
    return n;
}

inline std::string head_of(const fs::path& repo) {
    auto out = sh("git rev-parse HEAD", repo).out;
    return out.substr(0, out.find('\n'));
}

inline unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

} // namespace knot::test::hooks
