// Tool schemas and the argument check (see schema.hpp).
#include "mcp/schema.hpp"

#include "libknot/base/utf8.hpp"

namespace knot::mcp::schema {
namespace {

using nlohmann::json;

void describe(json& schema, const std::string& description) {
    if (!description.empty())
        schema["description"] = description;
}

std::size_t characters(const std::string& text) {
    std::size_t count = 0;
    for (const unsigned char c : text)
        count += (c & 0xC0) != 0x80 ? 1 : 0;
    return count;
}

// What is wrong with one member's value against its schema, or nothing.
std::optional<std::string> member_violation(const std::string& name, const json& schema,
                                            const json& value) {
    const std::string type = schema.value("type", "");
    const std::string quoted = "\"" + name + "\"";
    if (type == "string") {
        if (!value.is_string())
            return quoted + " must be a string";
        const std::string& text = value.get_ref<const std::string&>();
        if (!is_valid_utf8(text))
            return quoted + " must be UTF-8 text";
        if (schema.contains("enum")) {
            for (const auto& allowed : schema["enum"])
                if (allowed == value)
                    return std::nullopt;
            return quoted + " must be one of " + schema["enum"].dump();
        }
        const auto length = characters(text);
        if (schema.contains("minLength") && length < schema["minLength"].get<std::size_t>())
            return quoted + " must hold at least " + schema["minLength"].dump() + " characters";
        if (schema.contains("maxLength") && length > schema["maxLength"].get<std::size_t>())
            return quoted + " must hold at most " + schema["maxLength"].dump() + " characters";
        return std::nullopt;
    }
    if (type == "integer") {
        if (!value.is_number_integer())
            return quoted + " must be an integer";
        const auto number = value.get<std::int64_t>();
        if (number < schema["minimum"].get<std::int64_t>() ||
            number > schema["maximum"].get<std::int64_t>())
            return quoted + " must be from " + schema["minimum"].dump() + " to " +
                   schema["maximum"].dump();
        return std::nullopt;
    }
    if (type == "boolean")
        return value.is_boolean() ? std::nullopt
                                  : std::optional<std::string>(quoted + " must be true or false");
    if (type == "array") {
        if (!value.is_array())
            return quoted + " must be an array of strings";
        if (value.size() < schema["minItems"].get<std::size_t>())
            return quoted + " must hold at least " + schema["minItems"].dump() + " item" +
                   (schema["minItems"] == 1 ? "" : "s");
        if (value.size() > schema["maxItems"].get<std::size_t>())
            return quoted + " must hold at most " + schema["maxItems"].dump() + " items";
        for (const auto& item : value)
            if (!item.is_string() || !is_valid_utf8(item.get_ref<const std::string&>()))
                return quoted + " must be an array of strings";
        return std::nullopt;
    }
    return quoted + " has a type this server cannot check";
}

} // namespace

json text(std::size_t min_length, std::size_t max_length, const std::string& description) {
    json schema = {{"type", "string"}};
    if (min_length > 0)
        schema["minLength"] = min_length;
    if (max_length > 0)
        schema["maxLength"] = max_length;
    describe(schema, description);
    return schema;
}

json integer(std::int64_t minimum, std::int64_t maximum, const std::string& description) {
    json schema = {{"type", "integer"}, {"minimum", minimum}, {"maximum", maximum}};
    describe(schema, description);
    return schema;
}

json flag(const std::string& description) {
    json schema = {{"type", "boolean"}};
    describe(schema, description);
    return schema;
}

json choice(const std::vector<std::string>& values, const std::string& description) {
    json schema = {{"type", "string"}, {"enum", values}};
    describe(schema, description);
    return schema;
}

json texts(std::size_t min_items, std::size_t max_items, const std::string& description) {
    json schema = {{"type", "array"},
                   {"items", {{"type", "string"}}},
                   {"minItems", min_items},
                   {"maxItems", max_items}};
    describe(schema, description);
    return schema;
}

json object(json members, const std::vector<std::string>& required, bool closed) {
    // `{}` reads as null in nlohmann's braces: an object with no members is still an object.
    if (members.is_null())
        members = json::object();
    json schema = {{"type", "object"}, {"properties", std::move(members)}};
    if (!required.empty())
        schema["required"] = required;
    if (closed)
        schema["additionalProperties"] = false;
    return schema;
}

json of_type(const std::string& type, bool nullable) {
    return nullable ? json{{"type", {type, "null"}}} : json{{"type", type}};
}

json array_of(json items) {
    return {{"type", "array"}, {"items", std::move(items)}};
}

std::optional<std::string> violation(const json& input, const json& arguments) {
    if (!arguments.is_object())
        return "the arguments must be an object";
    const json& members = input["properties"];
    for (const auto& [name, value] : arguments.items()) {
        if (!members.contains(name))
            return "unknown argument \"" + name + "\"";
        if (auto wrong = member_violation(name, members[name], value))
            return wrong;
    }
    for (const auto& name : input.value("required", json::array()))
        if (!arguments.contains(name.get<std::string>()))
            return "missing argument \"" + name.get<std::string>() + "\"";
    return std::nullopt;
}

} // namespace knot::mcp::schema
