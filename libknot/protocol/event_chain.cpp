// The hash chain of a room's event log (see event_chain.hpp).
#include "libknot/protocol/event_chain.hpp"

#include "libknot/base/error.hpp"
#include "libknot/protocol/crypto.hpp"

#include <nlohmann/json.hpp>

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

namespace {

using JsonType = nlohmann::json::value_t;

// The member `key` of the object `event` when it has one of `types`; a Refused naming the event
// `where` otherwise.
const nlohmann::json& member(const nlohmann::json& event, const char* key,
                             std::initializer_list<JsonType> types, const std::string& where) {
    const auto it = event.find(key);
    if (it != event.end())
        for (JsonType type : types)
            if (it->type() == type)
                return *it;
    throw Refused("the log is broken: " + where + " has no well-formed \"" + key + "\"");
}

const std::string& text_member(const nlohmann::json& event, const char* key,
                               const std::string& where) {
    return member(event, key, {JsonType::string}, where).get_ref<const std::string&>();
}

} // namespace

void ChainVerifier::check(const nlohmann::json& event) {
    std::string where = "event #" + std::to_string(m_next_seq);
    if (!event.is_object())
        throw Refused("the log is broken: " + where + " is not an object");
    const std::int64_t seq =
        member(event, "seq", {JsonType::number_integer, JsonType::number_unsigned}, where)
            .get<std::int64_t>();
    where = "event #" + std::to_string(seq);
    if (seq != m_next_seq)
        throw Refused("the log is broken: " + where + " follows #" +
                      std::to_string(m_next_seq - 1) + " (a gap)");
    if (text_member(event, "prev", where) != m_prev)
        throw Refused("the log is broken: " + where + " does not link to the one before");
    // An event without a time hashes as time 0, as the server would have hashed it.
    const std::int64_t time =
        event.contains("time")
            ? member(event, "time", {JsonType::number_integer, JsonType::number_unsigned}, where)
                  .get<std::int64_t>()
            : 0;
    const nlohmann::json& data =
        member(event, "data",
               {JsonType::object, JsonType::array, JsonType::string, JsonType::boolean,
                JsonType::number_integer, JsonType::number_unsigned, JsonType::number_float,
                JsonType::null},
               where);
    const std::string hash = event_hash(m_prev, seq, text_member(event, "type", where),
                                        text_member(event, "agent", where), time, data.dump());
    if (hash != text_member(event, "hash", where))
        throw Refused("the log is broken: " + where + "'s content does not match its hash");
    m_prev = hash;
    ++m_next_seq;
}

} // namespace knot
