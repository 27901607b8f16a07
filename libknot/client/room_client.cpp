// The client side of the protocol (see room_client.hpp).
#include "libknot/client/room_client.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <nlohmann/json.hpp>
#include <set>

namespace knot {
namespace {

// The name of the first member of `value` (at any depth) whose text is not UTF-8, or "".
std::string non_utf8_member(const nlohmann::json& value, const std::string& name) {
    if (value.is_string())
        return is_valid_utf8(value.get_ref<const std::string&>()) ? "" : name;
    for (auto it = value.begin(); value.is_structured() && it != value.end(); ++it) {
        const std::string member = value.is_object() ? it.key() : name;
        if (!is_valid_utf8(member))
            return name;
        if (auto found = non_utf8_member(*it, member); !found.empty())
            return found;
    }
    return "";
}

} // namespace

nlohmann::json json_or_throw(const HttpResponse& response) {
    nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    if (response.status >= 200 && response.status < 300) {
        if (body.is_discarded())
            throw Error("the knot server sent a malformed answer (not JSON)");
        return body;
    }
    std::string code = "http_" + std::to_string(response.status);
    std::string message = "the knot server answered HTTP " + std::to_string(response.status);
    if (body.is_object()) {
        wire::ErrorBody error;
        try {
            error = body.get<wire::ErrorBody>();
        } catch (const Error&) {
            // Members of the wrong type: the status alone is the error.
        }
        if (!error.code.empty())
            code = error.code;
        if (!error.error.empty())
            message = error.error;
    }
    throw HttpError(response.status, code, message, response.body);
}

RoomClient::RoomClient(const std::string& base_url, std::string room, std::string token,
                       const Identity* identity, std::string agent_id)
    : m_http(base_url)
    , m_room(std::move(room))
    , m_token(std::move(token))
    , m_identity(identity)
    , m_agent_id(std::move(agent_id)) {}

nlohmann::json RoomClient::health() {
    return json_or_throw(m_http.request("GET", "/v1/health"));
}

nlohmann::json RoomClient::get(const std::string& target) {
    return send("GET", "/v1/rooms/" + m_room + target, "", false, false);
}

nlohmann::json RoomClient::post(const std::string& target, const nlohmann::json& body) {
    // JSON carries UTF-8 text only: bytes that are not (a file name, an argument) are the
    // caller's input, refused before anything is sent.
    if (auto member = non_utf8_member(body, "request"); !member.empty())
        throw UsageError("'" + member + "' is not UTF-8 text: knot's protocol carries only UTF-8");
    return send("POST", "/v1/rooms/" + m_room + target, body.dump(), true, true);
}

wire::Agent RoomClient::register_agent(wire::AgentCard card) {
    if (!m_identity)
        throw Error("registering an agent needs its identity");
    card.public_key = m_identity->public_key_base64();
    const nlohmann::json answer =
        send("POST", "/v1/rooms/" + m_room + "/agents", nlohmann::json(card).dump(), true, false);
    return wire::FieldReader(answer, "registration answer")
        .require({"agent"})
        .object<wire::Agent>("agent");
}

wire::Agent register_agent_named(RoomClient& client, wire::AgentCard card, NameChoice choice) {
    const std::string base = card.name;
    std::set<std::string> in_use;
    for (int n = 2;; ++n) {
        try {
            return client.register_agent(card);
        } catch (const HttpError& e) {
            if (e.code() != error_code::name_taken || choice == NameChoice::exact || n > 101)
                throw;
        }
        if (in_use.empty()) {
            const nlohmann::json answer = client.get("/agents");
            for (const auto& agent :
                 wire::FieldReader(answer, "agents answer").objects<wire::Agent>("agents"))
                in_use.insert(agent.name);
        }
        while (n <= 101 && in_use.count(numbered_agent_name(base, n)))
            ++n;
        card.name = numbered_agent_name(base, n);
    }
}

nlohmann::json RoomClient::send(const std::string& method, const std::string& target,
                                const std::string& body, bool signed_request, bool with_agent) {
    std::map<std::string, std::string> headers;
    if (signed_request) {
        if (!m_identity)
            throw Error("this request must be signed, and no identity is loaded");
        headers = sign_request(*m_identity, with_agent ? m_agent_id : "", method, target, body,
                               unix_now());
    }
    headers[std::string(k_header_token)] = m_token;
    return json_or_throw(m_http.request(method, target, body, headers));
}

wire::RoomCreated RoomClient::create_room(const std::string& base_url,
                                          const std::string& admin_token, const Identity& identity,
                                          const std::string& room_name, wire::AgentCard owner) {
    HttpClient http(base_url);
    const std::string target = "/v1/rooms";
    owner.public_key = identity.public_key_base64();
    const std::string body = nlohmann::json{{"name", room_name}, {"owner", owner}}.dump();
    auto headers = sign_request(identity, "", "POST", target, body, unix_now());
    headers[std::string(k_header_admin)] = admin_token;
    return json_or_throw(http.request("POST", target, body, headers)).get<wire::RoomCreated>();
}

} // namespace knot
