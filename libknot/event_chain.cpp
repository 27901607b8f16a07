// The hash chain of a room's event log (see event_chain.hpp).
#include "event_chain.hpp"

#include "crypto.hpp"

namespace knot {

std::string event_hash(std::string_view prev, std::int64_t seq, std::string_view type,
                       std::string_view agent, std::int64_t time, std::string_view data) {
    std::string text(prev);
    text += '\n';
    text += std::to_string(seq);
    text += '\n';
    text += type;
    text += '\n';
    text += agent;
    text += '\n';
    text += std::to_string(time);
    text += '\n';
    text += data;
    return sha256_hex(text);
}

} // namespace knot
