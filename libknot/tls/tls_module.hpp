// The interface of knot's TLS module (knot_tls.so), which the client loads with dlopen() on a
// room's first https request, so that git-knot and the hooks start without OpenSSL (its
// libraries cost milliseconds of relocations at every start). Plain C types: the module and its
// loader (libknot/client/tls_loader.cpp) are built together but meet only through this table.
#pragma once

#include <cstddef>

extern "C" {

// What read, write and handshake return besides a count of bytes.
enum KnotTlsStatus : long {
    knot_tls_want_read = -1,  // wait until the socket is readable, then call again
    knot_tls_want_write = -2, // wait until the socket is writable, then call again
    knot_tls_failed = -3,     // the session is broken; the reason is in `error`
};

struct KnotTlsSession;

struct KnotTlsModule {
    int abi; // k_knot_tls_abi of the module; the loader refuses another
    // A client session over the connected non-blocking socket `fd`, to verify the server's
    // certificate for `host` (a name or an IP address) against the system's CA certificates
    // (SSL_CERT_FILE and SSL_CERT_DIR apply). Null, with the reason in `error`, on failure.
    KnotTlsSession* (*open)(int fd, const char* host, char* error, std::size_t error_size);
    // The handshake: 1 when done, else a KnotTlsStatus; a certificate refused is knot_tls_failed.
    long (*handshake)(KnotTlsSession* session, char* error, std::size_t error_size);
    // Up to `size` bytes of plain text: the count, 0 at the peer's orderly end, or a status.
    long (*read)(KnotTlsSession* session, char* data, std::size_t size, char* error,
                 std::size_t error_size);
    // Some of `data`: the count written (at least 1), or a status.
    long (*write)(KnotTlsSession* session, const char* data, std::size_t size, char* error,
                  std::size_t error_size);
    // Frees the session (without a close_notify: the connection is dropped); the socket stays
    // open, it is the caller's.
    void (*close)(KnotTlsSession* session);
};

constexpr int k_knot_tls_abi = 1;

// The module's only exported symbol.
const KnotTlsModule* knot_tls_module();
}
