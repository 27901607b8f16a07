// What the benchmarks share (see bench_room.hpp).
#include "bench_room.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/client/room_client.hpp"
#include "tests/support/server_process.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
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
    std::vector<Agent> agents;
    agents.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        Agent agent{Identity::generate(), {}, {}};
        std::ostringstream name;
        name << "bench-" << std::setw(3) << std::setfill('0') << i;
        agent.name = name.str();
        RoomClient client(url, room.id, room.token, &agent.identity, "");
        agent.id = client.register_agent(wire::AgentCard{agent.name, "other", {"bench"}, ""}).id;
        agents.push_back(std::move(agent));
    }
    return agents;
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

double percentile(const std::vector<double>& values, double p) {
    if (values.empty())
        return 0;
    const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size()));
    return values[std::min(rank, values.size() - 1)];
}

} // namespace knot::bench
