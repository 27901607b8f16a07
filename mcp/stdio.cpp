// MCP over stdio (see stdio.hpp).
#include "mcp/stdio.hpp"

#include "mcp/json_rpc.hpp"
#include "mcp/server.hpp"

#include <cerrno>
#include <string>
#include <unistd.h>

namespace knot::mcp {
namespace {

bool write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

bool LineWriter::write(const nlohmann::json& message) {
    const std::string line = message.dump() + "\n";
    const std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_failed && !write_all(m_fd, line))
        m_failed = true;
    return !m_failed;
}

int serve_stdio(McpServer& server, int in, LineWriter& out) {
    std::string line;
    bool too_long = false; // the line being read passed the limit: dropped up to its newline
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(in, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0; // the client closed its end: the session is over
        for (ssize_t i = 0; i < n; ++i) {
            const char c = buffer[i];
            if (c != '\n') {
                if (!too_long && line.size() >= k_max_message_bytes) {
                    too_long = true;
                    line.clear();
                    line.shrink_to_fit();
                }
                if (!too_long)
                    line.push_back(c);
                continue;
            }
            std::optional<nlohmann::json> answer;
            if (too_long)
                answer = error_message(nullptr, invalid_request,
                                       "the message is larger than " +
                                           std::to_string(k_max_message_bytes) + " bytes");
            else if (line.find_first_not_of(" \t\r") != std::string::npos)
                answer = server.handle_text(line);
            too_long = false;
            line.clear();
            if (answer && !out.write(*answer))
                return 128;
        }
    }
}

} // namespace knot::mcp
