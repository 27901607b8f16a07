// The hash chain of a room's event log, shared by the server that builds it and the clients
// that verify it (docs/protocol.md, "Event").
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace knot {

// The `prev` of a room's first event: 64 zeros.
inline const std::string k_genesis_hash(64, '0');

// The hex SHA-256 of prev \n seq \n type \n agent \n time \n data, where `data` is the event's
// compact JSON text exactly as stored.
std::string event_hash(std::string_view prev, std::int64_t seq, std::string_view type,
                       std::string_view agent, std::int64_t time, std::string_view data);

// Checks a room's events one by one from the first, as `git knot log --verify` does.
class ChainVerifier {
public:
    // Checks that `event` (an object as GET events returns it) is the next link: its seq follows
    // the previous one's, its prev is the previous one's hash, and its hash matches its content.
    // Throws knot::Refused naming the event at the first that is not, a malformed one included
    // (a field missing or of the wrong type).
    void check(const nlohmann::json& event);
    // How many events have been checked.
    std::int64_t checked() const { return m_next_seq - 1; }

private:
    std::string m_prev = k_genesis_hash;
    std::int64_t m_next_seq = 1;
};

} // namespace knot
