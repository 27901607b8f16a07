// The hash chain of a room's event log, shared by the server that builds it and the clients
// that verify it (docs/protocol.md, "Event").
#pragma once

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

} // namespace knot
