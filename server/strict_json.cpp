// The strict JSON reader for request bodies (see strict_json.hpp).
#include "strict_json.hpp"

#include "api_error.hpp"
#include "libknot/protocol/strict_json.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {

nlohmann::json parse_strict_json(std::string_view text) {
    try {
        return knot::parse_strict_json(text, k_max_json_depth);
    } catch (const StrictJsonError& e) {
        throw ApiError(error_code::bad_json,
                       std::string("the request body is not valid JSON: ") + e.what());
    }
}

} // namespace knot::server
