// Notifications that could not reach the server wait here (.git/knot/outbox/, one file each)
// and go out, oldest first, on the next contact. Hooks and pushes never fail because the
// coordination server is down.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace knot {

class RoomClient;

class Outbox {
public:
    explicit Outbox(std::filesystem::path dir);

    // Stores a signed POST of `body` to `target` (under /v1/rooms/<room>) for later. It is
    // signed when sent, not now: a signature older than five minutes would be refused.
    void queue(const std::string& target, const nlohmann::json& body);

    struct Delivery {
        int waiting = 0;   // what waited before
        int delivered = 0; // what the server took
        int left = 0;      // what still waits
    };

    // Sends what waits, oldest first, reading the folder once. Stops at the first
    // knot::UnreachableError (what is left stays); a notice the server refuses (4xx) is dropped
    // with a warning on `warnings`, since sending it again would be refused again.
    Delivery deliver(RoomClient& client, std::ostream& warnings);
    Delivery deliver(RoomClient& client);

    // deliver(client).delivered.
    int flush(RoomClient& client) { return deliver(client).delivered; }

    // How many notifications wait.
    int size() const;

private:
    std::filesystem::path m_dir;
};

} // namespace knot
