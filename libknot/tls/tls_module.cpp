// knot's TLS module (see tls_module.hpp): OpenSSL with the system's CA store, SNI and host name
// verification, over a non-blocking socket the client owns.
#include "libknot/tls/tls_module.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <pthread.h>

struct KnotTlsSession {
    SSL* ssl = nullptr;
};

namespace {

void set_error(char* error, std::size_t error_size, const char* text) {
    std::snprintf(error, error_size, "%s", text);
}

// The context every session shares: built once, on the first https request.
SSL_CTX* client_context(char* error, std::size_t error_size) {
    static SSL_CTX* const context = [] {
        SSL_CTX* made = SSL_CTX_new(TLS_client_method());
        if (!made)
            return made;
        SSL_CTX_set_min_proto_version(made, TLS1_2_VERSION);
        SSL_CTX_set_verify(made, SSL_VERIFY_PEER, nullptr);
        // A peer that closes without close_notify ends the stream: the HTTP framing above
        // (Content-Length, chunked) is what tells a whole body from a cut one.
        SSL_CTX_set_options(made, SSL_OP_IGNORE_UNEXPECTED_EOF);
        // SSL_CERT_FILE / SSL_CERT_DIR, else the system's store: how a private CA is trusted.
        SSL_CTX_set_default_verify_paths(made);
        return made;
    }();
    if (!context)
        set_error(error, error_size, "cannot set up TLS");
    return context;
}

// Blocks SIGPIPE while OpenSSL writes to the socket (it uses write(), not send() with
// MSG_NOSIGNAL), and swallows the one a write to a closed connection raises, so that the peer
// going away is an error code, not the death of git-knot. The disposition of SIGPIPE is left
// alone: git's children must inherit the default.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        m_was_pending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe, &m_old);
    }
    ~SigpipeGuard() {
        if (!m_was_pending) {
            sigset_t pipe;
            sigemptyset(&pipe);
            sigaddset(&pipe, SIGPIPE);
            const timespec now{0, 0};
            while (sigtimedwait(&pipe, nullptr, &now) == SIGPIPE) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t m_old{};
    bool m_was_pending = false;
};

// What an SSL_* call's result means for the caller; `done` is what success returns.
long status_of(KnotTlsSession* session, int result, long done, char* error,
               std::size_t error_size) {
    if (result > 0)
        return done;
    switch (SSL_get_error(session->ssl, result)) {
    case SSL_ERROR_WANT_READ:
        return knot_tls_want_read;
    case SSL_ERROR_WANT_WRITE:
        return knot_tls_want_write;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    default:
        break;
    }
    const long verified = SSL_get_verify_result(session->ssl);
    if (verified != X509_V_OK) {
        std::snprintf(error, error_size, "certificate refused: %s",
                      X509_verify_cert_error_string(verified));
    } else if (const unsigned long code = ERR_peek_last_error(); code != 0) {
        ERR_error_string_n(code, error, error_size);
    } else {
        set_error(error, error_size, "the connection broke during TLS");
    }
    ERR_clear_error();
    return knot_tls_failed;
}

KnotTlsSession* open(int fd, const char* host, char* error, std::size_t error_size) {
    SSL_CTX* context = client_context(error, error_size);
    if (!context)
        return nullptr;
    auto* session = new KnotTlsSession;
    session->ssl = SSL_new(context);
    if (!session->ssl || SSL_set_fd(session->ssl, fd) != 1) {
        set_error(error, error_size, "cannot start a TLS session");
        SSL_free(session->ssl);
        delete session;
        return nullptr;
    }
    unsigned char address[16];
    const bool is_ip =
        inet_pton(AF_INET, host, address) == 1 || inet_pton(AF_INET6, host, address) == 1;
    X509_VERIFY_PARAM* param = SSL_get0_param(session->ssl);
    // An address is checked against the certificate's IP entries; a name is also sent (SNI) so a
    // server with several names shows the right certificate.
    // (SSL_set_tlsext_host_name is this SSL_ctrl, written as a macro with a C cast.)
    const int checked = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host)
                              : SSL_ctrl(session->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                         TLSEXT_NAMETYPE_host_name, const_cast<char*>(host)) == 1 &&
                                    SSL_set1_host(session->ssl, host) == 1;
    if (checked != 1) {
        set_error(error, error_size, "cannot set the host name to verify");
        SSL_free(session->ssl);
        delete session;
        return nullptr;
    }
    SSL_set_connect_state(session->ssl);
    return session;
}

long handshake(KnotTlsSession* session, char* error, std::size_t error_size) {
    SigpipeGuard guard;
    ERR_clear_error();
    return status_of(session, SSL_do_handshake(session->ssl), 1, error, error_size);
}

long read(KnotTlsSession* session, char* data, std::size_t size, char* error,
          std::size_t error_size) {
    SigpipeGuard guard;
    ERR_clear_error();
    std::size_t count = 0;
    const int result = SSL_read_ex(session->ssl, data, size, &count);
    return status_of(session, result, static_cast<long>(count), error, error_size);
}

long write(KnotTlsSession* session, const char* data, std::size_t size, char* error,
           std::size_t error_size) {
    SigpipeGuard guard;
    ERR_clear_error();
    std::size_t count = 0;
    const int result = SSL_write_ex(session->ssl, data, size, &count);
    const long status = status_of(session, result, static_cast<long>(count), error, error_size);
    if (status != 0)
        return status;
    set_error(error, error_size, "the server closed the TLS session");
    return knot_tls_failed;
}

void close(KnotTlsSession* session) {
    SSL_free(session->ssl);
    delete session;
}

constexpr KnotTlsModule k_module{k_knot_tls_abi, open, handshake, read, write, close};

} // namespace

extern "C" __attribute__((visibility("default"))) const KnotTlsModule* knot_tls_module() {
    return &k_module;
}
