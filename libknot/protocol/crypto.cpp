// Hashing, random values, encodings and constant-time comparison, all through libsodium.
#include "libknot/protocol/crypto.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/hex.hpp"

#include <mutex>
#include <sodium.h>

namespace knot {

void crypto_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0)
            throw Error("libsodium could not be initialised");
    });
}

Bytes sha256(std::string_view data) {
    crypto_init();
    Bytes out(crypto_hash_sha256_BYTES);
    crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size());
    return out;
}

std::string sha256_hex(std::string_view data) {
    return to_hex(sha256(data));
}

Bytes random_bytes(std::size_t count) {
    crypto_init();
    Bytes bytes(count);
    randombytes_buf(bytes.data(), bytes.size());
    return bytes;
}

std::string random_hex(std::size_t count) {
    return to_hex(random_bytes(count));
}

std::string to_hex(const Bytes& bytes) {
    return to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string to_base64(const Bytes& bytes) {
    const int variant = sodium_base64_VARIANT_ORIGINAL;
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
    out.resize(out.size() - 1);
    return out;
}

Bytes from_base64(std::string_view text) {
    crypto_init();
    Bytes out(text.size() * 3 / 4 + 3);
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        throw Error("not valid base64");
    out.resize(length);
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    crypto_init();
    // Comparing fixed-length digests keeps the time independent of where the inputs differ
    // and of the secret's length.
    const Bytes da = sha256(a);
    const Bytes db = sha256(b);
    return sodium_memcmp(da.data(), db.data(), da.size()) == 0;
}

} // namespace knot
