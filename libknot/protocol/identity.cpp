// An agent's Ed25519 identity: key generation, key files kept like ssh keeps them, signatures
// and fingerprints.
#include "libknot/protocol/identity.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sodium.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace knot {
namespace {

constexpr std::string_view k_secret_header = "knot-ed25519-secret-v1 ";

} // namespace

Identity Identity::generate() {
    crypto_init();
    Identity id;
    id.m_public_key.resize(crypto_sign_PUBLICKEYBYTES);
    id.m_secret_key.resize(crypto_sign_SECRETKEYBYTES);
    crypto_sign_keypair(id.m_public_key.data(), id.m_secret_key.data());
    return id;
}

Identity Identity::load(const std::filesystem::path& path) {
    crypto_init();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error("no identity key at " + path.string() + "; run 'git knot init'");
    if ((st.st_mode & 077) != 0) {
        std::ostringstream msg;
        msg << "permissions " << std::oct << (st.st_mode & 0777) << " for " << path.string()
            << " are too open; the key must be readable only by you: chmod 600 " << path.string();
        throw Error(msg.str());
    }
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    if (line.rfind(k_secret_header, 0) != 0)
        throw Error(path.string() + " is not a knot identity key");
    Bytes secret;
    try {
        secret = from_base64(line.substr(k_secret_header.size()));
    } catch (const Error&) {
        throw Error(path.string() + " is not a knot identity key (bad encoding)");
    }
    if (secret.size() != crypto_sign_SECRETKEYBYTES)
        throw Error(path.string() + " is not a knot identity key (wrong length)");
    Identity id;
    id.m_secret_key = std::move(secret);
    id.m_public_key.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_ed25519_sk_to_pk(id.m_public_key.data(), id.m_secret_key.data());
    return id;
}

void Identity::save(const std::filesystem::path& path) const {
    const auto create = [](const std::filesystem::path& file, const std::string& text,
                           unsigned mode) {
        if (!write_new_file(file, text, mode))
            throw Error("cannot create " + file.string() + ": " + std::strerror(EEXIST));
    };
    create(path, std::string(k_secret_header) + to_base64(m_secret_key) + "\n", 0600);
    const auto pub = path.string() + ".pub";
    std::filesystem::remove(pub);
    create(pub, "knot-ed25519 " + public_key_base64() + "\n", 0644);
}

std::string Identity::fingerprint() const {
    return fingerprint_of(m_public_key);
}

std::string Identity::sign(std::string_view message) const {
    Bytes sig(crypto_sign_BYTES);
    crypto_sign_detached(sig.data(), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         m_secret_key.data());
    return to_base64(sig);
}

std::string fingerprint_of(const Bytes& public_key) {
    const std::string hex = sha256_hex(
        std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
    return "knot:" + hex.substr(0, 4) + "-" + hex.substr(4, 4) + "-" + hex.substr(8, 4);
}

bool verify_signature(const Bytes& public_key, std::string_view message,
                      std::string_view signature_base64) {
    crypto_init();
    if (public_key.size() != crypto_sign_PUBLICKEYBYTES)
        return false;
    Bytes sig;
    try {
        sig = from_base64(signature_base64);
    } catch (const Error&) {
        return false;
    }
    if (sig.size() != crypto_sign_BYTES)
        return false;
    return crypto_sign_verify_detached(sig.data(),
                                       reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(), public_key.data()) == 0;
}

} // namespace knot
