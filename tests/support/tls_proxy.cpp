// knot_test_tls_proxy <cert.pem> <key.pem> <port>: a TLS front for a knot-server on loopback,
// standing in for what terminates TLS before a real server (a tunnel, a reverse proxy), so the
// https path of git-knot and git-remote-knot runs for real in tests. Listens on 127.0.0.1 on a
// free port, prints that port and a newline, then forwards each TLS connection's bytes to
// 127.0.0.1:<port> and back until either side closes. Runs until killed.
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace {

// Copies bytes from `from` to `to` until `from` ends, then closes `to` for writing.
void pump(Poco::Net::StreamSocket from, Poco::Net::StreamSocket to) {
    std::array<char, 64 * 1024> buffer{};
    try {
        for (;;) {
            const int got = from.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
            if (got <= 0)
                break;
            for (int sent = 0; sent < got;)
                sent += to.sendBytes(buffer.data() + sent, got - sent);
        }
    } catch (const Poco::Exception&) {
        // The other side went away: end this direction.
    }
    try {
        to.shutdownSend();
    } catch (const Poco::Exception&) {
    }
}

void serve(Poco::Net::StreamSocket client, std::uint16_t port) {
    try {
        Poco::Net::StreamSocket server(Poco::Net::SocketAddress("127.0.0.1", port));
        std::thread back(pump, server, client);
        pump(client, server);
        back.join();
    } catch (const Poco::Exception& error) {
        std::cerr << "tls_proxy: " << error.displayText() << '\n';
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: knot_test_tls_proxy <cert.pem> <key.pem> <port>\n";
        return 2;
    }
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[3]));
    Poco::Net::initializeSSL();
    const Poco::Net::Context::Ptr context(new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, argv[2], argv[1], "", Poco::Net::Context::VERIFY_NONE));
    Poco::Net::SecureServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
    std::cout << listener.address().port() << std::endl;
    for (;;) {
        try {
            Poco::Net::StreamSocket client = listener.acceptConnection();
            std::thread(serve, client, port).detach();
        } catch (const Poco::Exception& error) {
            std::cerr << "tls_proxy: " << error.displayText() << '\n';
        }
    }
}
