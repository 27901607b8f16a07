// Test helpers that speak the protocol to a real server (see api_client.hpp).
#include "api_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <catch2/catch.hpp>

#include <sstream>

namespace knot::test {

std::string ApiResponse::code() const {
    const auto value = nlohmann::json::parse(body, nullptr, false);
    if (value.is_object() && value.contains("code") && value["code"].is_string())
        return value["code"].get<std::string>();
    return "";
}

struct ApiClient::Session {
    Session(const std::string& host, unsigned short port)
        : http(host, port) {}
    Poco::Net::HTTPClientSession http;
};

ApiClient::ApiClient(const std::string& host, unsigned short port)
    : m_session(std::make_unique<Session>(host, port)) {
    m_session->http.setKeepAlive(true);
    m_session->http.setTimeout(Poco::Timespan(30, 0));
}

ApiClient::~ApiClient() = default;

ApiResponse ApiClient::send(const std::string& method, const std::string& target,
                            const std::string& body, const Headers& headers) {
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers)
        request.set(name, value);
    if (method != "GET" || !body.empty()) {
        request.setContentType("application/json");
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    std::ostream& out = m_session->http.sendRequest(request);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse response;
    std::istream& in = m_session->http.receiveResponse(response);
    ApiResponse answer;
    answer.status = response.getStatus();
    answer.content_type = response.getContentType();
    Poco::StreamCopier::copyToString(in, answer.body);
    return answer;
}

ApiResponse send_raw(const std::string& host, unsigned short port, const std::string& bytes) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress(host, port));
    socket.setReceiveTimeout(Poco::Timespan(30, 0));
    socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    std::string text;
    char buffer[4096];
    for (;;) {
        int n = 0;
        try {
            n = socket.receiveBytes(buffer, sizeof buffer);
        } catch (const Poco::Exception&) {
            break; // a reset after the answer arrived
        }
        if (n <= 0)
            break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ApiResponse answer;
    const auto space = text.find(' ');
    if (space == std::string::npos)
        return answer;
    answer.status = std::stoi(text.substr(space + 1, 3));
    const auto end = text.find("\r\n\r\n");
    if (end != std::string::npos)
        answer.body = text.substr(end + 4);
    return answer;
}

std::string raw_request(const std::string& method, const std::string& target,
                        const std::string& body, const Headers& headers) {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const auto& [name, value] : headers)
        text += name + ": " + value + "\r\n";
    text += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: close\r\n\r\n" + body;
    return text;
}

nlohmann::json card_of(const Identity& identity, const std::string& name, const std::string& kind) {
    return {{"name", name},
            {"kind", kind},
            {"capabilities", {"code"}},
            {"public_key", identity.public_key_base64()}};
}

std::string agent_id_of(const Identity& identity) {
    const auto& key = identity.public_key();
    return "ag_" +
           sha256_hex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()))
               .substr(0, 16);
}

Headers signed_headers(const Identity& identity, const std::string& agent_id,
                       const std::string& method, const std::string& target,
                       const std::string& body, Headers extra, std::int64_t timestamp) {
    const auto now = timestamp != 0 ? timestamp : unix_now();
    for (auto& [name, value] : sign_request(identity, agent_id, method, target, body, now))
        extra[name] = value;
    return extra;
}

TestRoom create_room(ApiTransport& client, const std::string& admin_token,
                     const std::string& name) {
    TestRoom room{"", "", Identity::generate(), "", {}};
    const std::string body =
        nlohmann::json{{"name", name}, {"owner", card_of(room.owner, "owner")}}.dump();
    const auto response = client.send("POST", "/v1/rooms", body,
                                      signed_headers(room.owner, "", "POST", "/v1/rooms", body,
                                                     {{std::string(k_header_admin), admin_token}}));
    REQUIRE(response.status == 201);
    room.answer = response.json();
    room.id = room.answer["room"];
    room.token = room.answer["token"];
    room.owner_id = room.answer["agent"]["id"];
    return room;
}

ApiResponse register_agent(ApiTransport& client, const TestRoom& room, const Identity& identity,
                           const std::string& name, const std::string& kind) {
    const std::string target = room.path("/agents");
    const std::string body = card_of(identity, name, kind).dump();
    return client.send("POST", target, body,
                       signed_headers(identity, "", "POST", target, body,
                                      {{std::string(k_header_token), room.token}}));
}

ApiResponse signed_post(ApiTransport& client, const TestRoom& room, const Identity& identity,
                        const std::string& target, const std::string& body) {
    return client.send("POST", target, body,
                       signed_headers(identity, agent_id_of(identity), "POST", target, body,
                                      {{std::string(k_header_token), room.token}}));
}

} // namespace knot::test
