// A streaming check of a git pack's sizes, run on the bytes as they arrive and before git
// indexes them: what each object declares it will expand to, and what it really inflates to.
#pragma once

#include "libknot/base/error.hpp"
#include "libknot/protocol/error_codes.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace knot::server {

// Why a pack was refused: `code` is object_too_large, pack_too_large (its objects expand past
// the limit) or bad_pack (not a pack git would read), the message says which object.
class PackRefused : public Error {
public:
    PackRefused(ErrorCode code, const std::string& message)
        : Error(message)
        , m_code(code) {}
    ErrorCode wire_code() const { return m_code; }
    std::string_view code() const { return m_code.code(); }

private:
    ErrorCode m_code;
};

struct PackLimits {
    // No object, and no object a delta would make, may be larger than this many bytes.
    std::uint64_t max_object_bytes = std::uint64_t{100} << 20;
    // The sum of the sizes every object of the pack expands to (a delta counts as the object it
    // makes) may not pass this: it bounds the work of indexing, however small the pack.
    std::uint64_t max_expanded_bytes = std::uint64_t{4} << 30;
};

// Reads a pack (version 2 or 3) piece by piece in constant memory: each entry's type and size,
// a delta's base reference and the size of the object it makes, and the entry's zlib data,
// inflated into a small scratch buffer to check that it is exactly as long as it said. Nothing
// is kept. It does not resolve deltas, check object contents or the trailing checksum: git's
// index-pack does, on bytes this scanner has already bounded. Throws PackRefused from feed() or
// finish() as soon as the bytes seen break a limit or the format; after that the scanner is
// spent.
class PackScanner {
public:
    explicit PackScanner(PackLimits limits);
    ~PackScanner();
    PackScanner(const PackScanner&) = delete;
    PackScanner& operator=(const PackScanner&) = delete;

    // The next `size` bytes of the pack. Bytes after the pack's trailer are refused.
    void feed(const char* data, std::size_t size);
    // The input has ended: refuses a pack that stopped short.
    void finish();

    // The objects the header announced, and the bytes they expand to (deltas counted as the
    // objects they make), as seen so far.
    std::uint32_t object_count() const;
    std::uint64_t expanded_bytes() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// The whole check over a pack held in memory (for tests and the fuzzing harness).
void scan_pack(std::string_view pack, const PackLimits& limits);

} // namespace knot::server
