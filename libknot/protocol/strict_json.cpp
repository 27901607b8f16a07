// The strict JSON reader (see strict_json.hpp).
#include "libknot/protocol/strict_json.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

namespace knot {

nlohmann::json parse_strict_json(std::string_view text, std::size_t max_depth) {
    // nlohmann skips a leading UTF-8 byte-order mark and stops at a NUL as if the text ended
    // there; both are refused before it sees the text.
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        throw StrictJsonError("it starts with a byte-order mark");
    if (text.find('\0') != std::string_view::npos)
        throw StrictJsonError("it holds a NUL byte");
    // The keys seen so far in each object being read, innermost last. The parser calls back
    // after each token, so the depth is refused before anything deeper is built.
    std::vector<std::set<std::string>> keys;
    const nlohmann::json::parser_callback_t check = [&](int depth,
                                                        nlohmann::json::parse_event_t event,
                                                        nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        // `depth` counts the containers around the one starting (0 for the outermost).
        if ((event == Event::object_start || event == Event::array_start) &&
            static_cast<std::size_t>(depth) >= max_depth)
            throw StrictJsonError("it nests deeper than " + std::to_string(max_depth) + " levels");
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
                throw StrictJsonError("the key \"" + parsed.get<std::string>() +
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
        throw StrictJsonError("it is not one well-formed JSON value");
    }
    return value;
}

std::size_t json_value_end(std::string_view text, std::size_t start, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = start; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return std::string_view::npos;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return std::string_view::npos; // `start` opened nothing
            if (--depth == 0)
                return i + 1;
        }
    }
    return std::string_view::npos;
}

} // namespace knot
