// Chat messages and the signed notices clients send about git (pushing, their new head).
#include "libknot/protocol/protocol.hpp"
#include "server/api_error.hpp"
#include "server/context.hpp"
#include "server/member_request.hpp"
#include "server/request_fields.hpp"
#include "server/router.hpp"
#include "server/routes/routes.hpp"
#include "server/views.hpp"

#include <nlohmann/json.hpp>

namespace knot::server {
namespace {

constexpr std::size_t k_max_message_chars = 4000;
constexpr std::size_t k_max_remote_chars = 1024;
constexpr std::size_t k_max_refs = 100;
constexpr std::size_t k_max_ref_bytes = 255;

// Why `name` is not a sane git ref name (the rules of git-check-ref-format, one-level names
// such as HEAD allowed), or nothing.
std::optional<std::string> invalid_ref_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_ref_bytes)
        return "a ref name has 1 to 255 bytes";
    for (unsigned char c : name)
        if (c <= 0x20 || c == 0x7f || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' ||
            c == '[' || c == '\\')
            return "a ref name cannot contain spaces, control characters or ~^:?*[\\";
    if (name.find("..") != std::string_view::npos || name.find("@{") != std::string_view::npos ||
        name == "@")
        return "a ref name cannot contain '..' or '@{' or be '@'";
    if (name.back() == '.' || name.back() == '/')
        return "a ref name cannot end with '.' or '/'";
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto end = std::min(name.find('/', start), name.size());
        const auto component = name.substr(start, end - start);
        if (component.empty())
            return "a ref name cannot have an empty component";
        if (component.front() == '.')
            return "a ref name component cannot start with '.'";
        if (component.size() >= 5 && component.substr(component.size() - 5) == ".lock")
            return "a ref name component cannot end with '.lock'";
        start = end + 1;
    }
    return std::nullopt;
}

// The ref name under `key` of `object`; errors name it `field`.
std::string ref_field(const nlohmann::json& object, const char* key, const std::string& field) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        throw bad_request(field, "must be a string");
    const auto& name = it->get_ref<const std::string&>();
    if (auto why = invalid_ref_name(name))
        throw bad_request(field, *why);
    return name;
}

// The object id under `key` of `object`; errors name it `field`.
std::string object_id_field(const nlohmann::json& object, const char* key,
                            const std::string& field) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string() || !is_object_id(it->get_ref<const std::string&>()))
        throw bad_request(field, "must be 40 or 64 lower-case hex digits");
    return it->get<std::string>();
}

// The event data of a sync.pushing notice, rebuilt from the checked fields only.
nlohmann::json pushing_data(const nlohmann::json& body) {
    const std::string remote = required_text(body, "remote", 1, k_max_remote_chars);
    const auto refs = body.find("refs");
    if (refs == body.end() || !refs->is_array())
        throw bad_request("refs", "must be an array of {ref, old, new}");
    if (refs->size() > k_max_refs)
        throw bad_request("refs", "at most 100 refs");
    nlohmann::json checked = nlohmann::json::array();
    for (std::size_t i = 0; i < refs->size(); ++i) {
        const auto& item = (*refs)[i];
        const std::string where = "refs[" + std::to_string(i) + "]";
        if (!item.is_object())
            throw bad_request(where, "must be an object {ref, old, new}");
        checked.push_back({{"ref", ref_field(item, "ref", where + ".ref")},
                           {"old", object_id_field(item, "old", where + ".old")},
                           {"new", object_id_field(item, "new", where + ".new")}});
    }
    return {{"remote", remote},
            {"refs", checked},
            {"paths", parse_paths(body, "paths", PathsRequired::no)}};
}

nlohmann::json head_data(const nlohmann::json& body) {
    return {{"branch", ref_field(body, "branch", "branch")},
            {"commit", object_id_field(body, "commit", "commit")}};
}

// Appends the member's signed event `type` with `data`; answers 201 with the event.
Response append_signed(const MemberRequest& call, const std::string& type,
                       const nlohmann::json& data) {
    return call.answer(201, [&](Transaction& transaction) {
        return nlohmann::json{{"event", event_view(call.append_event(transaction, type, data))}};
    });
}

Response post_message(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const std::string text =
        required_text(body_object(request), "text", 1, k_max_message_chars, TextLines::multi_line);
    return append_signed(call, "chat.message", {{"text", text}});
}

Response post_notice(const Request& request, ServerContext& context) {
    const MemberRequest call(request, context);
    const nlohmann::json body = body_object(request);
    const std::string type = required_text(body, "type", 1, 32);
    if (type == "sync.pushing")
        return append_signed(call, type, pushing_data(body));
    if (type == "agent.head")
        return append_signed(call, type, head_data(body));
    throw bad_request("type", "must be sync.pushing or agent.head");
}

} // namespace

void add_message_routes(Router& router) {
    router.add("POST", "/v1/rooms/{room}/messages", post_message);
    router.add("POST", "/v1/rooms/{room}/notices", post_notice);
}

} // namespace knot::server
