// The outbox of undelivered notifications (see outbox.hpp).
#include "libknot/client/outbox.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/clone.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/protocol.hpp"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

namespace knot {
namespace {

std::vector<std::filesystem::path> pending(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().extension() == ".json")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end()); // names start with the time, so this is age order
    return files;
}

} // namespace

Outbox::Outbox(std::filesystem::path dir)
    : m_dir(std::move(dir)) {}

void Outbox::queue(const std::string& target, const nlohmann::json& body) {
    std::filesystem::create_directories(m_dir);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%012lld", static_cast<long long>(unix_now()));
    const auto path = m_dir / (std::string(stamp) + "-" + random_hex(6) + ".json");
    write_file_atomic(path, nlohmann::json{{"target", target}, {"body", body}}.dump() + "\n", 0600);
}

int Outbox::flush(RoomClient& client) {
    int delivered = 0;
    for (const auto& path : pending(m_dir)) {
        nlohmann::json notice = nlohmann::json::parse(read_file(path), nullptr, false);
        if (!notice.is_object() || !notice.contains("target") || !notice["target"].is_string()) {
            std::filesystem::remove(path);
            continue;
        }
        try {
            client.post(notice["target"].get<std::string>(),
                        notice.value("body", nlohmann::json{}));
            ++delivered;
        } catch (const UnreachableError&) {
            break;
        } catch (const HttpError& e) {
            std::cerr << "knot: warning: a queued notice was refused and dropped: " << e.what()
                      << '\n';
        }
        std::filesystem::remove(path);
    }
    return delivered;
}

int Outbox::size() const {
    return static_cast<int>(pending(m_dir).size());
}

} // namespace knot
