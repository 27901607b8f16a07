// An agent's Ed25519 identity: key generation, key files kept like ssh keeps them, signatures
// and fingerprints.
#pragma once

#include "libknot/protocol/crypto.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace knot {

class Identity {
public:
    // A fresh key pair from libsodium's random generator.
    static Identity generate();
    // Reads a key file written by `save`. Throws knot::Error when the file is missing,
    // malformed, or readable or writable by anyone but its owner (like ssh, such a key is
    // refused: whoever could read it could sign as this agent).
    static Identity load(const std::filesystem::path& path);
    // Writes the secret key to `path` with mode 0600 (created that way, never widened) and the
    // public key to `path` + ".pub". Refuses to overwrite an existing key.
    void save(const std::filesystem::path& path) const;

    const Bytes& public_key() const { return m_public_key; }
    std::string public_key_base64() const { return to_base64(m_public_key); }
    std::string fingerprint() const;

    // The detached Ed25519 signature of `message`, base64-encoded.
    std::string sign(std::string_view message) const;

private:
    Bytes m_public_key;
    Bytes m_secret_key;
};

// `knot:xxxx-xxxx-xxxx`: the first six bytes of the SHA-256 of the public key, for reading
// aloud and comparing out of band.
std::string fingerprint_of(const Bytes& public_key);

// True when `signature_base64` is a valid Ed25519 signature of `message` by
// `public_key`. Malformed keys or signatures are simply invalid.
bool verify_signature(const Bytes& public_key, std::string_view message,
                      std::string_view signature_base64);

} // namespace knot
