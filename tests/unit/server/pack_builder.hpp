// Test support: git packs written byte by byte, for the hostile ones git itself will not make
// (trees nested 100,000 deep, a delta that makes 1 GiB, entries named .git).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace knot::test {

enum class PackType { commit = 1, tree = 2, blob = 3, ofs_delta = 6, ref_delta = 7 };

// The hex SHA-1 git names an object of `type` ("blob", "tree", "commit") and `content` by.
std::string object_id(std::string_view type, std::string_view content);

// One raw tree entry: "<mode> <name>\0<20-byte oid>"; `oid` in hex.
std::string tree_entry(std::string_view mode, std::string_view name, std::string_view oid);

// A commit of `tree` with a fixed author, and `parent` when not empty.
std::string commit_text(std::string_view tree, std::string_view parent = {});

class PackBuilder {
public:
    // Adds a whole object; returns its hex oid.
    std::string add(PackType type, std::string_view content);
    // Adds a REF_DELTA on the object `base` (hex) whose instructions are `delta` (sizes
    // included), compressed as they are.
    void add_ref_delta(std::string_view base, std::string_view delta);
    // An entry whose header declares `declared` bytes but whose zlib data holds `content`.
    void add_raw(PackType type, std::uint64_t declared, std::string_view content);
    // The pack: header, entries, SHA-1 trailer.
    std::string finish() const;

private:
    void entry_header(PackType type, std::uint64_t size);
    std::string m_entries;
    std::uint32_t m_count = 0;
};

// git's varint of a delta's sizes: 7 bits a byte, least significant first.
std::string delta_size(std::uint64_t size);

// A pack of a 64 KiB blob of zeros and a REF_DELTA on it whose copy instructions make an object
// of `result_bytes` (a multiple of 64 KiB): a few hundred bytes that git would expand in full.
std::string delta_bomb(std::uint64_t result_bytes);

} // namespace knot::test
