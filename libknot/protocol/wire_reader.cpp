// Strict reading of the wire's JSON objects (see wire_reader.hpp).
#include "libknot/protocol/wire_reader.hpp"

namespace knot::wire {

void malformed(std::string_view what, std::string_view problem) {
    throw Error("the knot server sent a malformed " + std::string(what) + ": " +
                std::string(problem));
}

FieldReader::FieldReader(const nlohmann::json& value, std::string_view what)
    : m_value(value)
    , m_what(what) {
    if (!value.is_object())
        malformed(m_what, "it is not a JSON object");
}

const FieldReader& FieldReader::require(std::initializer_list<const char*> keys) const {
    for (const char* key : keys)
        if (!find(key))
            malformed(m_what, "it has no \"" + std::string(key) + "\"");
    return *this;
}

const nlohmann::json* FieldReader::find(const char* key) const {
    const auto it = m_value.find(key);
    return it == m_value.end() ? nullptr : &*it;
}

void FieldReader::wrong(const char* key, std::string_view expected) const {
    malformed(m_what, "\"" + std::string(key) + "\" is not " + std::string(expected));
}

std::string FieldReader::text(const char* key) const {
    const nlohmann::json* member = find(key);
    if (!member)
        return "";
    if (!member->is_string())
        wrong(key, "a string");
    return member->get<std::string>();
}

std::optional<std::string> FieldReader::nullable_text(const char* key) const {
    const nlohmann::json* member = find(key);
    if (!member || member->is_null())
        return std::nullopt;
    if (!member->is_string())
        wrong(key, "a string or null");
    return member->get<std::string>();
}

std::int64_t FieldReader::integer(const char* key) const {
    const nlohmann::json* member = find(key);
    if (!member)
        return 0;
    if (member->is_number_integer() && !member->is_number_unsigned())
        return member->get<std::int64_t>();
    if (member->is_number_unsigned() &&
        member->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(member->get<std::uint64_t>());
    wrong(key, "an integer");
}

bool FieldReader::flag(const char* key) const {
    const nlohmann::json* member = find(key);
    if (!member)
        return false;
    if (!member->is_boolean())
        wrong(key, "true or false");
    return member->get<bool>();
}

std::vector<std::string> FieldReader::texts(const char* key) const {
    std::vector<std::string> out;
    const nlohmann::json* member = find(key);
    if (!member)
        return out;
    if (!member->is_array())
        wrong(key, "an array of strings");
    for (const nlohmann::json& item : *member) {
        if (!item.is_string())
            wrong(key, "an array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::map<std::string, std::string> FieldReader::text_map(const char* key) const {
    std::map<std::string, std::string> out;
    const nlohmann::json* member = find(key);
    if (!member)
        return out;
    if (!member->is_object())
        wrong(key, "an object of strings");
    for (auto it = member->begin(); it != member->end(); ++it) {
        if (!it->is_string())
            wrong(key, "an object of strings");
        out.emplace(it.key(), it->get<std::string>());
    }
    return out;
}

nlohmann::json FieldReader::any(const char* key, nlohmann::json fallback) const {
    const nlohmann::json* member = find(key);
    return member ? *member : fallback;
}

nlohmann::json text_or_null(const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

} // namespace knot::wire
