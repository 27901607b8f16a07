// Test support: git packs written byte by byte (see pack_builder.hpp).
#include "pack_builder.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>
#include <zlib.h>

#include <stdexcept>
#include <vector>

namespace knot::test {
namespace {

std::string deflated(std::string_view data) {
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    std::vector<unsigned char> out(size);
    if (compress2(out.data(), &size, reinterpret_cast<const Bytef*>(data.data()),
                  static_cast<uLong>(data.size()), Z_BEST_COMPRESSION) != Z_OK)
        throw std::runtime_error("zlib compress failed");
    return {reinterpret_cast<const char*>(out.data()), size};
}

std::string sha1(std::string_view data) {
    Poco::SHA1Engine engine;
    engine.update(data.data(), static_cast<unsigned>(data.size()));
    const auto& digest = engine.digest();
    return {digest.begin(), digest.end()};
}

std::string binary_oid(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}

const char* type_name(PackType type) {
    switch (type) {
    case PackType::commit:
        return "commit";
    case PackType::tree:
        return "tree";
    default:
        return "blob";
    }
}

} // namespace

std::string object_id(std::string_view type, std::string_view content) {
    const std::string header = std::string(type) + " " + std::to_string(content.size()) + '\0';
    Poco::SHA1Engine engine;
    engine.update(header.data(), static_cast<unsigned>(header.size()));
    engine.update(content.data(), static_cast<unsigned>(content.size()));
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string tree_entry(std::string_view mode, std::string_view name, std::string_view oid) {
    return std::string(mode) + " " + std::string(name) + '\0' + binary_oid(oid);
}

std::string commit_text(std::string_view tree, std::string_view parent) {
    std::string out = "tree " + std::string(tree) + "\n";
    if (!parent.empty())
        out += "parent " + std::string(parent) + "\n";
    out += "author A U Thor <author@example.com> 1700000000 +0000\n"
           "committer A U Thor <author@example.com> 1700000000 +0000\n\nhostile\n";
    return out;
}

void PackBuilder::entry_header(PackType type, std::uint64_t size) {
    auto c = static_cast<unsigned char>((static_cast<int>(type) << 4) | (size & 15));
    size >>= 4;
    while (size) {
        m_entries += static_cast<char>(c | 0x80);
        c = static_cast<unsigned char>(size & 0x7f);
        size >>= 7;
    }
    m_entries += static_cast<char>(c);
    ++m_count;
}

std::string PackBuilder::add(PackType type, std::string_view content) {
    entry_header(type, content.size());
    m_entries += deflated(content);
    return object_id(type_name(type), content);
}

void PackBuilder::add_ref_delta(std::string_view base, std::string_view delta) {
    entry_header(PackType::ref_delta, delta.size());
    m_entries += binary_oid(base);
    m_entries += deflated(delta);
}

void PackBuilder::add_raw(PackType type, std::uint64_t declared, std::string_view content) {
    entry_header(type, declared);
    m_entries += deflated(content);
}

std::string PackBuilder::finish() const {
    std::string pack = "PACK";
    for (const std::uint32_t word : {std::uint32_t{2}, m_count})
        for (int shift = 24; shift >= 0; shift -= 8)
            pack += static_cast<char>((word >> shift) & 0xff);
    pack += m_entries;
    return pack + sha1(pack);
}

std::string delta_size(std::uint64_t size) {
    std::string out;
    do {
        auto c = static_cast<unsigned char>(size & 0x7f);
        size >>= 7;
        if (size)
            c |= 0x80;
        out += static_cast<char>(c);
    } while (size);
    return out;
}

std::string delta_bomb(std::uint64_t result_bytes) {
    constexpr std::uint64_t k_base = 64 * 1024;
    PackBuilder pack;
    const std::string base = pack.add(PackType::blob, std::string(k_base, '\0'));
    // A copy instruction with no offset or size bytes copies 64 KiB from offset 0: one byte
    // for each 64 KiB the delta makes.
    const std::string delta = delta_size(k_base) + delta_size(result_bytes) +
                              std::string(result_bytes / k_base, static_cast<char>(0x80));
    pack.add_ref_delta(base, delta);
    return pack.finish();
}

} // namespace knot::test
