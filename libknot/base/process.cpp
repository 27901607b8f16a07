// Finding programs and stopping processes (see process.hpp).
#include "libknot/base/process.hpp"

#include "libknot/base/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace knot {

bool process_alive(pid_t pid) {
    if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM))
        return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const auto close = text.rfind(')');
    return close == std::string::npos || close + 2 >= text.size() || text[close + 2] != 'Z';
}

std::optional<std::filesystem::path> find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (!path)
        return std::nullopt;
    std::istringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty())
            continue;
        const auto candidate = std::filesystem::path(dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return std::nullopt;
}

std::optional<std::filesystem::path> self_program() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        return std::nullopt;
    return self;
}

std::optional<std::filesystem::path> knot_lib_dir() {
    const auto self = self_program();
    if (!self)
        return std::nullopt;
    return (self->parent_path() / KNOT_LIB_FROM_BIN).lexically_normal();
}

std::filesystem::path find_program_beside_self(const std::string& name) {
    if (const auto self = self_program()) {
        const auto beside = self->parent_path() / name;
        if (::access(beside.c_str(), X_OK) == 0)
            return beside;
    }
    if (auto found = find_on_path(name))
        return *found;
    throw Error("cannot find the " + name + " program beside git-knot or on PATH; reinstall knot");
}

bool stop_process(pid_t pid, std::chrono::milliseconds timeout) {
    if (!process_alive(pid))
        return true;
    ::kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        ::waitpid(pid, &status, WNOHANG); // reaps it when it is our own child
        if (!process_alive(pid))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    return false;
}

} // namespace knot
