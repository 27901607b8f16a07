// Fuzzes the server's check of a signed request (server/request_auth.*) with fuzzed headers,
// method, target and body, signed by a fixed test key when the input asks for it.
#include "fuzz/fuzz_input.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/protocol.hpp"
#include "server/request_auth.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

// The server's clock for every input, so that an input always gets the same answer.
constexpr std::int64_t k_now = 1'700'000'000;

struct TestKey {
    knot::Bytes public_key = knot::Bytes(crypto_sign_PUBLICKEYBYTES);
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};

    TestKey() {
        knot::crypto_init();
        std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
        seed.fill(7);
        crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed.data());
    }

    std::string sign(const std::string& message) const {
        knot::Bytes signature(crypto_sign_BYTES);
        crypto_sign_detached(signature.data(), nullptr,
                             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                             secret_key.data());
        return knot::to_base64(signature);
    }
};

const TestKey& test_key() {
    static const TestKey key;
    return key;
}

} // namespace

// Input: a flags byte, then agent, timestamp, nonce, signature, method and target, one a line,
// and the rest is the body. Flag 1 replaces the signature with the test key's over the canonical
// string of the timestamp as the check reads it; flag 2 puts the timestamp near k_now.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    knot::fuzz::Input input(data, size);
    const std::uint8_t flags = input.byte();
    knot::SignatureHeaders headers;
    headers.agent = input.line();
    headers.timestamp = input.line();
    headers.nonce = input.line();
    headers.signature = input.line();
    const std::string method = input.line();
    const std::string target = input.line();
    const std::string body = input.rest();

    if (flags & 2) {
        std::int64_t offset = 0;
        const char* end = headers.timestamp.data() + headers.timestamp.size();
        if (std::from_chars(headers.timestamp.data(), end, offset).ec == std::errc() &&
            offset > -1000 && offset < 1000)
            headers.timestamp = std::to_string(k_now + offset);
    }
    std::int64_t timestamp = 0;
    const auto form = knot::check_signature_form(headers, k_now, timestamp);
    if (flags & 1) {
        if (form)
            return 0;
        headers.signature =
            test_key().sign(knot::canonical_string(method, target, timestamp, headers.nonce, body));
    }
    const auto failure =
        knot::check_signature(headers, test_key().public_key, method, target, body, k_now);

    // What passes must be what was signed: the one spelling of its timestamp that the canonical
    // string holds, inside the window.
    if (!failure) {
        if (form || std::to_string(timestamp) != headers.timestamp)
            std::abort();
        if (timestamp < k_now - knot::k_signature_window_seconds ||
            timestamp > k_now + knot::k_signature_window_seconds)
            std::abort();
    }
    if (failure)
        static_cast<void>(knot::auth_failure_message(*failure));
    return 0;
}
