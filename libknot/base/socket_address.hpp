// An IP address and port in the form the sockets API takes, shared by the server's listener and
// the launcher's check that a port is free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/socket.h>

namespace knot {

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t size = 0;

    int family() const { return storage.ss_family; }
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// `ip` (IPv4 dotted or IPv6 text, no brackets) and `port`, or nothing when `ip` is neither.
std::optional<SocketAddress> socket_address(const std::string& ip, std::uint16_t port);

} // namespace knot
