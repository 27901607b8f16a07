// What the benchmarks share (see bench_room.hpp).
#include "bench_room.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/invite.hpp"
#include "tests/support/server_process.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace knot::bench {
namespace {

std::string trimmed(std::string_view text) {
    return std::string(trim_whitespace_end(text));
}

} // namespace

Room create_room(const test::ServerProcess& server) {
    const auto owner = Identity::generate();
    const wire::RoomCreated answer =
        RoomClient::create_room(server.url(), trimmed(server.admin_token()), owner, "bench",
                                wire::AgentCard{"bench-owner", "other", {}, ""});
    return {answer.room, answer.token};
}

std::vector<Agent> register_agents(const std::string& url, const Room& room, int count) {
    return register_simulated_agents(Invite{url, room.id, room.token}, count, "bench-");
}

std::string proc_status_field(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) != 0)
            continue;
        const auto value = line.find_first_not_of(" \t", field.size() + 1);
        return value == std::string::npos ? "" : trimmed(line.substr(value));
    }
    return "unknown";
}

double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces: count fields from the ')' that ends it.
    const auto end = stat.rfind(')');
    if (end == std::string::npos)
        return 0;
    std::istringstream fields(stat.substr(end + 2));
    std::string field;
    double ticks = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index)
        if (index == 14 || index == 15)
            ticks += std::stod(field);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

} // namespace knot::bench
