// The outbox of undelivered notifications (see outbox.hpp).
#include "libknot/client/outbox.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/crypto.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

namespace knot {
namespace {

constexpr std::size_t k_stamp_digits = 20;

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
    // Names sort in queue order: nanoseconds since the epoch, 20 digits (older names of 12-digit
    // seconds sort before them), past the newest waiting name even when the clock is coarse or
    // stepped back. The random tail keeps two processes queueing at once apart.
    long long stamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    const auto waiting = pending(m_dir);
    if (!waiting.empty()) {
        const std::string newest = waiting.back().filename().string();
        const auto digits = newest.find('-');
        if (digits == k_stamp_digits && newest.find_first_not_of("0123456789") == k_stamp_digits)
            stamp = std::max(stamp, std::stoll(newest.substr(0, digits)) + 1);
    }
    char name[32];
    std::snprintf(name, sizeof name, "%0*lld", static_cast<int>(k_stamp_digits), stamp);
    const auto path = m_dir / (std::string(name) + "-" + random_hex(6) + ".json");
    write_file_atomic(path, nlohmann::json{{"target", target}, {"body", body}}.dump() + "\n", 0600);
}

Outbox::Delivery Outbox::deliver(RoomClient& client) {
    return deliver(client, std::cerr);
}

Outbox::Delivery Outbox::deliver(RoomClient& client, std::ostream& warnings) {
    const auto waiting = pending(m_dir);
    Delivery delivery;
    delivery.waiting = static_cast<int>(waiting.size());
    delivery.left = delivery.waiting;
    for (const auto& path : waiting) {
        nlohmann::json notice = nlohmann::json::parse(read_file(path), nullptr, false);
        if (!notice.is_object() || !notice.contains("target") || !notice["target"].is_string()) {
            std::filesystem::remove(path);
            --delivery.left;
            continue;
        }
        try {
            client.post(notice["target"].get<std::string>(),
                        notice.value("body", nlohmann::json{}));
            ++delivery.delivered;
        } catch (const UnreachableError&) {
            break;
        } catch (const HttpError& e) {
            warnings << "knot: warning: a queued notice was refused and dropped: " << e.what()
                     << '\n';
        }
        std::filesystem::remove(path);
        --delivery.left;
    }
    return delivery;
}

int Outbox::size() const {
    return static_cast<int>(pending(m_dir).size());
}

} // namespace knot
