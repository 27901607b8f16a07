// The server's side of a knot:: remote (see remote.hpp).
#include "remote.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/error_codes.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/wire_integration.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <istream>
#include <iterator>

namespace knot::remote {
namespace {

constexpr std::string_view k_notify_target = "/git/notify";

// Packs can be large and slow to index: far longer than a coordination call.
constexpr std::chrono::minutes k_transfer_timeout{10};

} // namespace

Endpoint parse_endpoint(const std::string& url) {
    const std::size_t scheme = url.find("://");
    const std::string kind = scheme == std::string::npos ? "" : url.substr(0, scheme);
    const std::size_t slash =
        scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
    if ((kind != "http" && kind != "https") || slash == std::string::npos ||
        slash + 1 >= url.size())
        throw Error("not a knot URL: " + url + " (expected knot::http(s)://host:port/<room>)");
    std::string room = url.substr(slash + 1);
    while (!room.empty() && room.back() == '/')
        room.pop_back();
    if (room.empty() || room.find('/') != std::string::npos)
        throw Error("not a knot URL: " + url + " (expected knot::http(s)://host:port/<room>)");
    return Endpoint{url.substr(0, slash), room};
}

Remote::Remote(const std::string& url)
    : m_endpoint(parse_endpoint(url))
    , m_session(RoomAddress{m_endpoint.base_url, m_endpoint.room},
                SessionOptions{.outbox = OutboxOnOpen::deliver})
    , m_http(m_endpoint.base_url, k_transfer_timeout) {}

std::optional<wire::PushAnswer> Remote::notify(const nlohmann::json& body) {
    if (m_session.outbox().size() == 0) {
        try {
            return m_session.client()
                .post(std::string(k_notify_target), body)
                .get<wire::PushAnswer>();
        } catch (const UnreachableError&) {
        }
    }
    m_session.outbox().queue(std::string(k_notify_target), body);
    return std::nullopt;
}

std::map<std::string, std::string> Remote::headers(const std::string& method,
                                                   const std::string& target,
                                                   const std::string& body) const {
    const RoomConfig& room = m_session.room();
    auto out = sign_request(m_session.identity(), room.agent_id, method, target, body, unix_now());
    out[std::string(k_header_token)] = room.token;
    return out;
}

std::map<std::string, std::string> Remote::refs() {
    const std::string target = "/v1/rooms/" + m_endpoint.room + "/git/refs";
    const nlohmann::json answer = json_or_throw(
        m_http.request("GET", target, {}, {{std::string(k_header_token), m_session.room().token}}));
    return wire::FieldReader(answer, "refs answer").text_map("refs");
}

void Remote::upload(const std::vector<std::string>& wants, const std::vector<std::string>& haves,
                    const std::function<void(std::istream& pack)>& on_pack) {
    const std::string target = "/v1/rooms/" + m_endpoint.room + "/git/upload";
    const std::string body = nlohmann::json{{"wants", wants}, {"haves", haves}}.dump();
    m_http.request_streamed("POST", target, body, headers("POST", target, body),
                            [&](int status, std::istream& in) {
                                if (status == 200) {
                                    on_pack(in);
                                    return;
                                }
                                HttpResponse refused{status, {}};
                                refused.body.assign(std::istreambuf_iterator<char>(in), {});
                                json_or_throw(refused); // throws with the server's message
                            });
}

std::optional<Refusal> Remote::receive(const Push& push, const std::string& pack) {
    const std::string target = "/v1/rooms/" + m_endpoint.room + "/git/receive?ref=" + push.ref +
                               "&old=" + push.old_oid + "&new=" + push.new_oid +
                               "&force=" + (push.force ? "1" : "0");
    // The digest the signature covers goes up front: the server checks the signature before it
    // takes a byte of the pack.
    const std::string digest = sha256_hex(pack);
    const RoomConfig& room = m_session.room();
    auto signed_headers = sign_request_of_digest(m_session.identity(), room.agent_id, "POST",
                                                 target, digest, unix_now());
    signed_headers[std::string(k_header_token)] = room.token;
    signed_headers[std::string(k_header_content_sha256)] = digest;
    signed_headers["Content-Type"] = "application/x-git-packfile";
    const HttpResponse response = m_http.request("POST", target, pack, signed_headers);
    if (response.status == 200)
        return std::nullopt;
    Refusal refusal{
        response.status, "", "the server answered " + std::to_string(response.status), {}};
    // Not a JSON object (a proxy's page): the status line stays the message.
    if (const auto body = wire::parse_error_body(response.body)) {
        refusal.code = body->code;
        if (!body->error.empty())
            refusal.message = body->error;
        if (refusal.code == error_code::lock_conflict && body->conflicts)
            refusal.conflicts = *body->conflicts;
    }
    return refusal;
}

} // namespace knot::remote
