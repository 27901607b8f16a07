// Reading and writing JSON-RPC messages (see json_rpc.hpp).
#include "mcp/json_rpc.hpp"

#include "libknot/protocol/strict_json.hpp"

namespace knot::mcp {

Message parse_message(std::string_view text) {
    if (text.size() > k_max_message_bytes)
        throw RpcError(invalid_request, "the message is larger than " +
                                            std::to_string(k_max_message_bytes) + " bytes");
    nlohmann::json value;
    try {
        value = parse_strict_json(text, k_max_message_depth);
    } catch (const StrictJsonError& e) {
        throw RpcError(parse_error, std::string("the message is not valid JSON: ") + e.what());
    }
    if (value.is_array())
        throw RpcError(invalid_request, "batches are not supported: send one message at a time");
    if (!value.is_object())
        throw RpcError(invalid_request, "a message is a JSON object");
    const auto version = value.find("jsonrpc");
    if (version == value.end() || *version != "2.0")
        throw RpcError(invalid_request, "\"jsonrpc\" must be \"2.0\"");
    Message message;
    const auto id = value.find("id");
    if (id != value.end()) {
        if (!id->is_string() && !id->is_number_integer())
            throw RpcError(invalid_request, "\"id\" must be a string or an integer");
        message.id = *id;
    }
    const auto method = value.find("method");
    if (method == value.end()) {
        if (id == value.end() || (!value.contains("result") && !value.contains("error")))
            throw RpcError(invalid_request, "a message needs a \"method\"", message.id);
        message.kind = Message::Kind::response;
        return message;
    }
    if (!method->is_string())
        throw RpcError(invalid_request, "\"method\" must be a string", message.id);
    message.method = method->get<std::string>();
    message.kind = id == value.end() ? Message::Kind::notification : Message::Kind::request;
    const auto params = value.find("params");
    if (params != value.end()) {
        if (!params->is_object())
            throw RpcError(invalid_params, "\"params\" must be an object", message.id);
        message.params = *params;
    }
    return message;
}

nlohmann::json result_message(const nlohmann::json& id, nlohmann::json result) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json error_message(const nlohmann::json& id, int code, const std::string& message) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

nlohmann::json notification_message(const std::string& method, nlohmann::json params) {
    return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

} // namespace knot::mcp
