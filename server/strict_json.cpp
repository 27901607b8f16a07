// The strict JSON reader for request bodies (see strict_json.hpp).
#include "strict_json.hpp"

#include "api_error.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <vector>

namespace knot::server {
namespace {

ApiError bad_json(const std::string& why) {
    return ApiError(error_code::bad_json, "the request body is not valid JSON: " + why);
}

} // namespace

nlohmann::json parse_strict_json(std::string_view text) {
    // nlohmann skips a leading UTF-8 byte-order mark and stops at a NUL as if the text ended
    // there; both are refused before it sees the text.
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        throw bad_json("it starts with a byte-order mark");
    if (text.find('\0') != std::string_view::npos)
        throw bad_json("it holds a NUL byte");
    // The keys seen so far in each object being read, innermost last. The parser calls back
    // after each token, so the depth is refused before anything deeper is built.
    std::vector<std::set<std::string>> keys;
    const nlohmann::json::parser_callback_t check = [&](int depth,
                                                        nlohmann::json::parse_event_t event,
                                                        nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        // `depth` counts the containers around the one starting (0 for the outermost).
        if ((event == Event::object_start || event == Event::array_start) &&
            static_cast<std::size_t>(depth) >= k_max_json_depth)
            throw bad_json("it nests deeper than " + std::to_string(k_max_json_depth) + " levels");
        switch (event) {
        case Event::object_start:
            keys.emplace_back();
            break;
        case Event::object_end:
            if (!keys.empty())
                keys.pop_back();
            break;
        case Event::key:
            if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
                throw bad_json("the key \"" + parsed.get<std::string>() +
                               "\" appears twice in one object");
            break;
        default:
            break;
        }
        return true;
    };
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text.begin(), text.end(), check, true, false);
    } catch (const nlohmann::json::exception&) {
        throw bad_json("it is not one well-formed JSON value");
    }
    return value;
}

} // namespace knot::server
