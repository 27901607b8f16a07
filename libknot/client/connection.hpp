// A byte stream to a server: TCP over POSIX sockets, with TLS from the module in libknot/tls
// when the server is https; every wait is bounded by a timeout (poll), nothing blocks for ever.
#pragma once

#include "libknot/base/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

struct KnotTlsSession;
struct KnotTlsModule;

namespace knot {

// Why a connection could not be opened or used; HttpClient turns it into an UnreachableError
// that names the server.
class TransportError : public Error {
public:
    // tls: the handshake failed (a certificate refused); tls_module: TLS cannot be loaded.
    enum class Kind { refused, timed_out, unresolved, tls, tls_module, broken };
    TransportError(Kind kind, const std::string& message)
        : Error(message)
        , m_kind(kind) {}
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

enum class Security { plain, tls };

class Connection {
public:
    // Connects to `host` (a name, or an IPv4 or IPv6 address without brackets) on `port`,
    // trying each address the name resolves to in turn; with Security::tls, runs the TLS
    // handshake and verifies the certificate for `host`. Each step waits at most `timeout`,
    // which also bounds every later read and write. Throws TransportError.
    Connection(const std::string& host, std::uint16_t port, Security security,
               std::chrono::milliseconds timeout);
    ~Connection();
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;

    // Up to `size` bytes: what was put back first, else what has arrived, waiting at most
    // `timeout` for something. Returns 0 at the end of the stream; throws TransportError
    // (timed_out when nothing came in time, broken when the connection failed).
    std::size_t read_some(char* data, std::size_t size, std::chrono::milliseconds timeout);
    std::size_t read_some(char* data, std::size_t size) { return read_some(data, size, m_timeout); }
    // Writes all of `data`, each part within the timeout. Throws TransportError.
    void write_all(std::string_view data);
    // Makes `data` the next bytes read_some returns (bytes read past the end of a message).
    void put_back(std::string_view data);
    // True when the server has closed the connection or sent something nobody asked for: a
    // kept-alive connection that must not carry the next request.
    bool stale() const;

private:
    void close();
    // One read from the socket or TLS, as read_some describes.
    std::size_t receive(char* data, std::size_t size, std::chrono::milliseconds timeout);
    // Waits for `events` on the socket until `timeout`; false when the time ran out.
    bool wait_for(short events, std::chrono::milliseconds timeout) const;

    int m_fd = -1;
    const KnotTlsModule* m_tls_module = nullptr;
    KnotTlsSession* m_tls = nullptr;
    std::chrono::milliseconds m_timeout;
    // Bytes read ahead or put back, from m_input_start on: small reads (a chunk's size line)
    // come from here rather than one system call each.
    std::string m_input;
    std::size_t m_input_start = 0;
};

} // namespace knot
