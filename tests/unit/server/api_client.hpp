// Test helpers that speak the protocol to a real server: requests, raw bytes, signed writes.
#pragma once

#include "libknot/protocol/identity.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace knot::test {

struct ApiResponse {
    int status = 0;
    std::string content_type;
    std::string body;

    nlohmann::json json() const { return nlohmann::json::parse(body); }
    // The "code" of an error body, "" when there is none.
    std::string code() const;
};

using Headers = std::map<std::string, std::string>;

// Whatever answers the API: a real server over a connection (ApiClient), or the routes called
// in-process (InProcessServer). The helpers below speak to either.
class ApiTransport {
public:
    virtual ~ApiTransport() = default;
    virtual ApiResponse send(const std::string& method, const std::string& target,
                             const std::string& body = {}, const Headers& headers = {}) = 0;
    ApiResponse get(const std::string& target, const Headers& headers = {}) {
        return send("GET", target, {}, headers);
    }
};

// One keep-alive HTTP connection to the server.
class ApiClient : public ApiTransport {
public:
    ApiClient(const std::string& host, unsigned short port);
    ~ApiClient() override;
    ApiResponse send(const std::string& method, const std::string& target,
                     const std::string& body = {}, const Headers& headers = {}) override;

private:
    struct Session;
    std::unique_ptr<Session> m_session;
};

// Sends `bytes` exactly as given on a new connection and reads the answer until the server
// closes the connection (so send "Connection: close" in them).
ApiResponse send_raw(const std::string& host, unsigned short port, const std::string& bytes);

// The bytes of one HTTP/1.1 request with Content-Length and "Connection: close".
std::string raw_request(const std::string& method, const std::string& target,
                        const std::string& body, const Headers& headers);

// An agent card for `identity`.
nlohmann::json card_of(const Identity& identity, const std::string& name,
                       const std::string& kind = "claude");

// ag_ + 16 hex digits of the SHA-256 of the public key.
std::string agent_id_of(const Identity& identity);

// The signature headers for a request, merged with `extra`.
Headers signed_headers(const Identity& identity, const std::string& agent_id,
                       const std::string& method, const std::string& target,
                       const std::string& body, Headers extra = {}, std::int64_t timestamp = 0);

struct TestRoom {
    std::string id;
    std::string token;
    Identity owner;
    std::string owner_id;
    nlohmann::json answer;

    std::string path(const std::string& rest = {}) const { return "/v1/rooms/" + id + rest; }
};

// Creates a room named `name` whose owner is a fresh key named "owner"; REQUIREs a 201.
TestRoom create_room(ApiTransport& client, const std::string& admin_token,
                     const std::string& name = "demo");

// Registers `identity` as `name` in `room`, signed by that key.
ApiResponse register_agent(ApiTransport& client, const TestRoom& room, const Identity& identity,
                           const std::string& name, const std::string& kind = "claude");

// A signed POST of `body` to `target` by a member of `room`.
ApiResponse signed_post(ApiTransport& client, const TestRoom& room, const Identity& identity,
                        const std::string& target, const std::string& body = "{}");

} // namespace knot::test
