// JSON-RPC 2.0 as MCP uses it: one message a line on stdio (one a POST over HTTP). Reading a
// message checks its shape and nothing more; what a method means is server.hpp's.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace knot::mcp {

// JSON-RPC's error codes.
enum RpcCode : int {
    parse_error = -32700,
    invalid_request = -32600,
    method_not_found = -32601,
    invalid_params = -32602,
    internal_error = -32603,
};

// The most one message may hold: a tool's arguments are a few paths and words.
inline constexpr std::size_t k_max_message_bytes = 4 * 1024 * 1024;
// How deep a message may nest.
inline constexpr std::size_t k_max_message_depth = 32;

// A message refused as a whole: answered with this code, for `id` (null when it could not be
// read).
class RpcError : public std::runtime_error {
public:
    RpcError(int code, const std::string& message, nlohmann::json id = nullptr)
        : std::runtime_error(message)
        , m_code(code)
        , m_id(std::move(id)) {}
    int code() const { return m_code; }
    const nlohmann::json& id() const { return m_id; }

private:
    int m_code;
    nlohmann::json m_id;
};

struct Message {
    enum class Kind { request, notification, response };
    Kind kind = Kind::request;
    nlohmann::json id; // a string or an integer; null for a notification
    std::string method;
    nlohmann::json params = nlohmann::json::object(); // an object (absent params read as {})
};

// Reads one message. Throws RpcError: parse_error for text that is not strict JSON
// (strict_json.hpp), invalid_request for a batch (an array: MCP since 2025-06-18 has none) or any
// other shape.
Message parse_message(std::string_view text);

nlohmann::json result_message(const nlohmann::json& id, nlohmann::json result);
nlohmann::json error_message(const nlohmann::json& id, int code, const std::string& message);
nlohmann::json notification_message(const std::string& method, nlohmann::json params);

} // namespace knot::mcp
