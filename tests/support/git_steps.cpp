// Test support for the sync tests (see git_steps.hpp).
#include "git_steps.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace knot::test {

namespace fs = std::filesystem;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

nlohmann::json json_of(const ShellResult& result) {
    INFO(result.err);
    REQUIRE(result.status == 0);
    return nlohmann::json::parse(result.out);
}

void write_file(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

std::string rev(const fs::path& repo, const std::string& name) {
    return trimmed(sh("git rev-parse -q --verify '" + name + "^{commit}'", repo).out);
}

std::string commit_file(const fs::path& repo, const std::string& file, const std::string& text) {
    fs::create_directories((repo / file).parent_path());
    std::ofstream(repo / file) << text;
    const auto r = sh("git add -A && git commit -q -m 'change " + file + "'", repo);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return rev(repo, "HEAD");
}

ShellResult run(const std::string& command, const fs::path& repo) {
    auto r = sh(command, repo);
    UNSCOPED_INFO(command << ": " << r.out << r.err);
    return r;
}

std::vector<nlohmann::json> pushes(const fs::path& repo) {
    const auto log = sh("git knot log --json", repo);
    REQUIRE(log.status == 0);
    std::vector<nlohmann::json> out;
    std::istringstream lines(log.out);
    for (std::string line; std::getline(lines, line);) {
        auto event = nlohmann::json::parse(line);
        if (event.at("type") == "sync.pushed")
            out.push_back(std::move(event));
    }
    return out;
}

fs::path hosted_clone(HostedRoom& room, const std::string& name) {
    const auto path = room.joined(name);
    REQUIRE(sh("git config knot.forge none", path).status == 0);
    return path;
}

} // namespace knot::test
