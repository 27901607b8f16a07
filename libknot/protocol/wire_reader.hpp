// Reading the protocol's JSON objects strictly: a member of the wrong type is a knot::Error that
// names the object and the member, never a crash or nlohmann's own exception text.
#pragma once

#include "libknot/base/error.hpp"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace knot::wire {

// Throws knot::Error "the knot server sent a malformed <what>: <problem>".
[[noreturn]] void malformed(std::string_view what, std::string_view problem);

// The members of one JSON object of the wire, read by the object's from_json. A member that is
// absent reads as its type's empty value (older servers lacked some members) unless require()
// named it; a member that is present with another type than the protocol's is an error, as is a
// null where the protocol never sends one. `what` names the object in errors ("lock").
class FieldReader {
public:
    // Throws unless `value` is an object. `value` must outlive the reader.
    FieldReader(const nlohmann::json& value, std::string_view what);

    // Throws unless every key of `keys` is present.
    const FieldReader& require(std::initializer_list<const char*> keys) const;

    bool has(const char* key) const { return find(key) != nullptr; }
    std::string text(const char* key) const;
    // A string or null (nothing when null or absent).
    std::optional<std::string> nullable_text(const char* key) const;
    std::int64_t integer(const char* key) const;
    bool flag(const char* key) const;
    std::vector<std::string> texts(const char* key) const;
    // An object whose every member is a string (GET git/refs: ref to oid).
    std::map<std::string, std::string> text_map(const char* key) const;
    // Any JSON value; `fallback` when absent.
    nlohmann::json any(const char* key, nlohmann::json fallback = nullptr) const;

    // The object at `key` read by T's from_json (a T{} when absent).
    template <class T> T object(const char* key) const {
        const nlohmann::json* member = find(key);
        return member ? member->get<T>() : T{};
    }
    // The object at `key`, nothing when absent or null.
    template <class T> std::optional<T> nullable_object(const char* key) const {
        const nlohmann::json* member = find(key);
        if (!member || member->is_null())
            return std::nullopt;
        return member->get<T>();
    }
    // The array of objects at `key` (empty when absent).
    template <class T> std::vector<T> objects(const char* key) const {
        std::vector<T> out;
        const nlohmann::json* member = find(key);
        if (!member)
            return out;
        if (!member->is_array())
            wrong(key, "an array");
        out.reserve(member->size());
        for (const nlohmann::json& item : *member)
            out.push_back(item.get<T>());
        return out;
    }

    // Throws: `key` is not `expected` ("a string").
    [[noreturn]] void wrong(const char* key, std::string_view expected) const;

private:
    const nlohmann::json* find(const char* key) const;

    const nlohmann::json& m_value;
    std::string m_what;
};

// A JSON null for nothing, else the text: how the wire spells an unset oid or name.
nlohmann::json text_or_null(const std::optional<std::string>& text);

} // namespace knot::wire
