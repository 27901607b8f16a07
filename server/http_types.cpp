// The Poco-free request and response the routes see (see http_types.hpp).
#include "http_types.hpp"

#include "api_error.hpp"
#include "strict_json.hpp"

#include "libknot/base/ascii.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {

std::string Request::header(std::string_view name) const {
    const auto it = headers.find(ascii_lower(name));
    return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::query_value(const std::string& name) const {
    const auto it = query.find(name);
    if (it == query.end())
        return std::nullopt;
    return it->second;
}

nlohmann::json Request::json_body() const {
    nlohmann::json value = parse_strict_json(body);
    if (!value.is_object())
        throw ApiError(error_code::bad_json, "the request body must be a JSON object");
    return value;
}

Response Response::json(int status, const nlohmann::json& value) {
    Response response;
    response.status = status;
    response.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response Response::error(ErrorCode code, std::string_view message, std::string_view details) {
    nlohmann::json body = {{"error", message}, {"code", code.code()}};
    if (!details.empty()) {
        const auto extra = nlohmann::json::parse(details, nullptr, false);
        if (extra.is_object())
            for (const auto& [name, value] : extra.items())
                body[name] = value;
    }
    return json(code.status(), body);
}

} // namespace knot::server
