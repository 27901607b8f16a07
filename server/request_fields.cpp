// Validation of the fields of JSON request bodies (see request_fields.hpp).
#include "request_fields.hpp"

#include "api_error.hpp"
#include "http_types.hpp"
#include "libknot/protocol/repo_path.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <set>

namespace knot::server {

std::int64_t query_integer(const Request& request, const std::string& name, std::int64_t fallback) {
    const auto text = request.query_value(name);
    if (!text)
        return fallback;
    std::int64_t value = 0;
    const char* last = text->data() + text->size();
    auto [end, ec] = std::from_chars(text->data(), last, value);
    if (text->empty() || ec != std::errc() || end != last || value < 0)
        throw bad_request(name, "must be a non-negative integer");
    return value;
}

nlohmann::json body_object(const Request& request) {
    if (request.body.empty())
        return nlohmann::json::object();
    return request.json_body();
}

std::size_t utf8_length(std::string_view text) {
    std::size_t chars = 0;
    for (unsigned char c : text)
        if ((c & 0xc0) != 0x80)
            ++chars;
    return chars;
}

void check_text(const std::string& text, std::string_view field, std::size_t min_chars,
                std::size_t max_chars, TextLines lines) {
    for (unsigned char c : text) {
        const bool allowed = lines == TextLines::multi_line && (c == '\n' || c == '\t');
        if ((c < 0x20 || c == 0x7f) && !allowed)
            throw bad_request(field, "control characters are not allowed");
    }
    const std::size_t chars = utf8_length(text);
    if (chars < min_chars || chars > max_chars)
        throw bad_request(field, min_chars == 0
                                     ? "at most " + std::to_string(max_chars) + " characters"
                                     : std::to_string(min_chars) + " to " +
                                           std::to_string(max_chars) + " characters");
}

std::optional<std::string> optional_text(const nlohmann::json& body, const char* field,
                                         std::size_t min_chars, std::size_t max_chars,
                                         TextLines lines) {
    const auto it = body.find(field);
    if (it == body.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        throw bad_request(field, "must be a string");
    const auto& text = it->get_ref<const std::string&>();
    check_text(text, field, min_chars, max_chars, lines);
    return text;
}

std::string required_text(const nlohmann::json& body, const char* field, std::size_t min_chars,
                          std::size_t max_chars, TextLines lines) {
    auto text = optional_text(body, field, min_chars, max_chars, lines);
    if (!text)
        throw bad_request(field, "missing");
    return std::move(*text);
}

bool optional_flag(const nlohmann::json& body, const char* field) {
    const auto it = body.find(field);
    if (it == body.end() || it->is_null())
        return false;
    if (!it->is_boolean())
        throw bad_request(field, "must be true or false");
    return it->get<bool>();
}

std::vector<std::string> parse_paths(const nlohmann::json& body, const char* field,
                                     PathsRequired required) {
    const auto it = body.find(field);
    if (it == body.end() || it->is_null()) {
        if (required == PathsRequired::yes)
            throw bad_request(field, "missing");
        return {};
    }
    return parse_path_array(*it, field, required, k_max_paths_per_request);
}

std::vector<std::string> parse_path_array(const nlohmann::json& array, const std::string& field,
                                          PathsRequired required, std::size_t max_paths) {
    if (!array.is_array())
        throw bad_request(field, "must be an array of repository paths");
    std::vector<std::string> paths;
    std::set<std::string> seen;
    for (const auto& item : array) {
        if (!item.is_string())
            throw bad_request(field, "must be an array of repository paths");
        const auto& path = item.get_ref<const std::string&>();
        if (auto why = invalid_repo_path(path)) {
            // Shown escaped and cut short: a control character stays readable, and a long
            // name is not sent back whole.
            throw ApiError(error_code::bad_path,
                           field + ": '" + printable_path(path) + "': " + *why);
        }
        if (seen.insert(path).second) {
            if (seen.size() > max_paths)
                throw bad_request(field, "at most " + std::to_string(max_paths) +
                                             (max_paths == k_max_paths_per_request
                                                  ? " paths in one request"
                                                  : " paths"));
            paths.push_back(path);
        }
    }
    if (paths.empty() && required == PathsRequired::yes)
        throw bad_request(field, "names no path");
    return paths;
}

} // namespace knot::server
