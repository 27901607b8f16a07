// Test helper: a client of the WebSocket event stream (see stream_client.hpp).
#include "stream_client.hpp"

#include "libknot/protocol/protocol.hpp"

#include <Poco/Buffer.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <catch2/catch.hpp>

namespace knot::test {

struct StreamClient::Socket {
    Poco::Net::HTTPClientSession session;
    std::unique_ptr<Poco::Net::WebSocket> socket;
    Socket(const std::string& host, unsigned short port)
        : session(host, port) {}
};

Headers upgrade_headers() {
    return {{"Upgrade", "websocket"},
            {"Connection", "Upgrade"},
            {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
            {"Sec-WebSocket-Version", "13"}};
}

std::string stream_target(const TestRoom& room, std::int64_t since) {
    return room.path("/stream?since=" + std::to_string(since));
}

Headers stream_hello(const TestRoom& room, const Identity& identity, std::int64_t since) {
    return signed_headers(identity, agent_id_of(identity), "GET", stream_target(room, since), "",
                          {{std::string(k_header_token), room.token}});
}

StreamClient::StreamClient(const std::string& host, unsigned short port, const std::string& target,
                           const Headers& hello)
    : m_socket(std::make_unique<Socket>(host, port)) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : hello)
        request.set(name, value);
    Poco::Net::HTTPResponse response;
    m_socket->socket = std::make_unique<Poco::Net::WebSocket>(m_socket->session, request, response);
}

StreamClient::StreamClient(const std::string& host, unsigned short port, const TestRoom& room,
                           const Identity& identity, std::int64_t since)
    : StreamClient(host, port, stream_target(room, since), stream_hello(room, identity, since)) {}

StreamClient::~StreamClient() = default;

std::optional<nlohmann::json> StreamClient::next_frame(std::chrono::milliseconds timeout) {
    if (m_closed)
        return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Poco::Buffer<char> buffer(0);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::nullopt;
        m_socket->socket->setReceiveTimeout(Poco::Timespan(left.count() * 1000));
        int flags = 0;
        int n = 0;
        buffer.resize(0);
        try {
            n = m_socket->socket->receiveFrame(buffer, flags);
        } catch (const Poco::TimeoutException&) {
            return std::nullopt;
        } catch (const Poco::Exception&) {
            m_closed = true; // reset by a killed server
            return std::nullopt;
        }
        const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
        if ((n == 0 && flags == 0) || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE) {
            m_closed = true;
            return std::nullopt;
        }
        if (opcode != Poco::Net::WebSocket::FRAME_OP_TEXT)
            continue;
        return nlohmann::json::parse(buffer.begin(), buffer.begin() + n);
    }
}

std::optional<nlohmann::json> StreamClient::next_event(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto frame = next_frame(std::max(left, std::chrono::milliseconds(1)));
        if (!frame || !frame->contains("heartbeat"))
            return frame;
    }
}

void StreamClient::close() {
    try {
        m_socket->socket->shutdown();
    } catch (const Poco::Exception&) {
        // Already gone.
    }
    m_closed = true;
}

TestMember join_room(ApiTransport& client, const TestRoom& room, const std::string& name) {
    TestMember member{Identity::generate(), "", name};
    const auto response = register_agent(client, room, member.identity, name);
    REQUIRE(response.status == 201);
    member.id = response.json()["agent"]["id"];
    return member;
}

ApiResponse room_post(ApiTransport& client, const TestRoom& room, const Identity& identity,
                      const std::string& rest, const nlohmann::json& body) {
    return signed_post(client, room, identity, room.path(rest), body.dump());
}

ApiResponse room_get(ApiTransport& client, const TestRoom& room, const std::string& rest) {
    return client.get(room.path(rest), {{std::string(k_header_token), room.token}});
}

} // namespace knot::test
