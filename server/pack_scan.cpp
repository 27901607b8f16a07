// The streaming size check of a git pack (see pack_scan.hpp); the format is git's
// Documentation/gitformat-pack.txt.
#include "pack_scan.hpp"

#include <zlib.h>

#include <array>
#include <cstring>

namespace knot::server {
namespace {

enum class Stage { header, entry_header, ofs_base, ref_base, data, trailer, done };

constexpr std::size_t k_header_bytes = 12;
constexpr std::size_t k_oid_bytes = 20; // SHA-1: what a REF_DELTA names and the trailer holds
constexpr int k_ofs_delta = 6;
constexpr int k_ref_delta = 7;
// A delta starts with two sizes of at most ten 7-bit groups each.
constexpr std::size_t k_delta_head_bytes = 20;

bool is_object_type(int type) {
    return (type >= 1 && type <= 4) || type == k_ofs_delta || type == k_ref_delta;
}

} // namespace

struct PackScanner::State {
    PackLimits limits;
    Stage stage = Stage::header;
    std::array<unsigned char, k_header_bytes> collected{}; // the header, a base oid, the trailer
    std::size_t collected_bytes = 0;
    std::uint32_t count = 0;
    std::uint32_t entries_done = 0;
    std::uint64_t expanded = 0;
    std::uint64_t offset = 0;       // of the next byte in the pack
    std::uint64_t entry_offset = 0; // where the current entry began
    // The entry being read.
    int type = 0;
    std::uint64_t size = 0; // what its zlib data inflates to
    unsigned shift = 0;
    bool first_byte = true;
    std::uint64_t base_distance = 0;
    std::uint64_t inflated = 0;
    std::array<unsigned char, k_delta_head_bytes> delta_head{};
    std::size_t delta_head_bytes = 0;
    bool delta_sized = false;
    z_stream zlib{};
    bool zlib_ready = false;
    std::array<unsigned char, 16 * 1024> scratch{};

    ~State() {
        if (zlib_ready)
            inflateEnd(&zlib);
    }

    [[noreturn]] void bad(const std::string& why) const {
        throw PackRefused(error_code::bad_pack, "the pack is not valid: " + why + " (object " +
                                                    std::to_string(entries_done + 1) + " at byte " +
                                                    std::to_string(entry_offset) + ")");
    }

    void add_expanded(std::uint64_t bytes) {
        if (bytes > limits.max_object_bytes)
            throw PackRefused(error_code::object_too_large,
                              "object " + std::to_string(entries_done + 1) + " of the pack is " +
                                  std::to_string(bytes) + " bytes; this server takes objects of " +
                                  "at most " + std::to_string(limits.max_object_bytes) + " bytes");
        expanded += bytes;
        if (expanded > limits.max_expanded_bytes)
            throw PackRefused(error_code::pack_too_large,
                              "the pack's objects expand to more than " +
                                  std::to_string(limits.max_expanded_bytes) +
                                  " bytes, this server's limit for one push");
    }

    void start_entry() {
        stage = Stage::entry_header;
        entry_offset = offset;
        first_byte = true;
        size = 0;
        shift = 0;
        base_distance = 0;
        inflated = 0;
        delta_head_bytes = 0;
        delta_sized = false;
    }

    void end_entry() {
        ++entries_done;
        if (entries_done == count) {
            stage = Stage::trailer;
            collected_bytes = 0;
        } else {
            start_entry();
        }
    }

    void start_data() {
        stage = Stage::data;
        if (!zlib_ready) {
            if (inflateInit(&zlib) != Z_OK)
                throw Error("zlib: cannot start inflating");
            zlib_ready = true;
        } else if (inflateReset(&zlib) != Z_OK) {
            throw Error("zlib: cannot reset");
        }
    }

    void header_byte(unsigned char c) {
        if (first_byte) {
            type = (c >> 4) & 7;
            size = c & 15;
            shift = 4;
            first_byte = false;
        } else {
            if (shift > 57) // more would not fit 64 bits, and is far past any limit
                bad("an object size that does not fit 64 bits");
            size |= static_cast<std::uint64_t>(c & 0x7f) << shift;
            shift += 7;
        }
        if (c & 0x80)
            return;
        if (!is_object_type(type))
            bad("an object of unknown type " + std::to_string(type));
        if (type == k_ofs_delta || type == k_ref_delta) {
            if (size > limits.max_object_bytes) // a delta's own instructions, not what it makes
                add_expanded(size);
            stage = type == k_ofs_delta ? Stage::ofs_base : Stage::ref_base;
            collected_bytes = 0;
            first_byte = true;
            return;
        }
        add_expanded(size);
        start_data();
    }

    void base_distance_byte(unsigned char c) {
        if (first_byte) {
            base_distance = c & 0x7f;
            first_byte = false;
        } else {
            if (base_distance > (std::uint64_t{1} << 56))
                bad("a delta base offset that does not fit 64 bits");
            base_distance = ((base_distance + 1) << 7) | (c & 0x7f);
        }
        if (c & 0x80)
            return;
        if (base_distance == 0 || base_distance > entry_offset)
            bad("a delta whose base is not an earlier object of the pack");
        start_data();
    }

    // Reads the delta's two leading sizes (its base's, then the object it makes) from the first
    // inflated bytes.
    void delta_bytes(const unsigned char* data, std::size_t size_out) {
        for (std::size_t i = 0; i < size_out && !delta_sized; ++i) {
            if (delta_head_bytes == delta_head.size())
                bad("a delta whose sizes do not fit 64 bits");
            delta_head[delta_head_bytes++] = data[i];
            std::size_t at = 0;
            std::uint64_t sizes[2] = {0, 0};
            bool complete = true;
            for (std::uint64_t& value : sizes) {
                unsigned bits = 0;
                while (true) {
                    if (at == delta_head_bytes) {
                        complete = false;
                        break;
                    }
                    const unsigned char b = delta_head[at++];
                    if (bits > 63)
                        bad("a delta whose sizes do not fit 64 bits");
                    value |= static_cast<std::uint64_t>(b & 0x7f) << bits;
                    bits += 7;
                    if (!(b & 0x80))
                        break;
                }
                if (!complete)
                    break;
            }
            if (complete) {
                delta_sized = true;
                add_expanded(sizes[1]);
            }
        }
    }

    // Inflates what `data` holds of the entry's zlib stream; returns how many bytes it used.
    std::size_t data_bytes(const unsigned char* data, std::size_t size_in) {
        zlib.next_in = const_cast<unsigned char*>(data);
        zlib.avail_in = static_cast<uInt>(size_in);
        int code = Z_OK;
        while (true) {
            zlib.next_out = scratch.data();
            zlib.avail_out = static_cast<uInt>(scratch.size());
            code = inflate(&zlib, Z_NO_FLUSH);
            const std::size_t produced = scratch.size() - zlib.avail_out;
            inflated += produced;
            if (inflated > size)
                bad("an object that inflates past the size it declares");
            if (type == k_ofs_delta || type == k_ref_delta)
                delta_bytes(scratch.data(), produced);
            if (code == Z_STREAM_END)
                break;
            if (code != Z_OK && code != Z_BUF_ERROR)
                bad("corrupt compressed data");
            if (code == Z_BUF_ERROR || (zlib.avail_in == 0 && zlib.avail_out != 0))
                break; // every byte given is used: the rest comes with the next feed
        }
        const std::size_t used = size_in - zlib.avail_in;
        if (code == Z_STREAM_END) {
            if (inflated != size)
                bad("an object shorter than the size it declares");
            if ((type == k_ofs_delta || type == k_ref_delta) && !delta_sized)
                bad("a delta too short to say what it makes");
            offset += used;
            end_entry();
            return used;
        }
        offset += used;
        return used;
    }
};

PackScanner::PackScanner(PackLimits limits)
    : m_state(std::make_unique<State>()) {
    m_state->limits = limits;
}

PackScanner::~PackScanner() = default;

void PackScanner::feed(const char* data, std::size_t size) {
    State& s = *m_state;
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    while (size > 0) {
        if (s.stage == Stage::data) {
            const std::size_t used = s.data_bytes(bytes, size);
            bytes += used;
            size -= used;
            continue;
        }
        const unsigned char c = *bytes++;
        --size;
        ++s.offset;
        switch (s.stage) {
        case Stage::header:
            s.collected[s.collected_bytes++] = c;
            if (s.collected_bytes == k_header_bytes) {
                const unsigned char* h = s.collected.data();
                const std::uint32_t version =
                    (std::uint32_t{h[4]} << 24) | (h[5] << 16) | (h[6] << 8) | h[7];
                if (std::memcmp(h, "PACK", 4) != 0 || (version != 2 && version != 3))
                    s.bad("no pack header");
                s.count = (std::uint32_t{h[8]} << 24) | (h[9] << 16) | (h[10] << 8) | h[11];
                if (s.count == 0) {
                    s.stage = Stage::trailer;
                    s.collected_bytes = 0;
                } else {
                    s.start_entry();
                }
            }
            break;
        case Stage::entry_header:
            s.header_byte(c);
            break;
        case Stage::ofs_base:
            s.base_distance_byte(c);
            break;
        case Stage::ref_base:
            if (++s.collected_bytes == k_oid_bytes)
                s.start_data();
            break;
        case Stage::trailer:
            if (++s.collected_bytes == k_oid_bytes)
                s.stage = Stage::done;
            break;
        case Stage::done:
            throw PackRefused(error_code::bad_pack, "the pack is not valid: data after its end");
        case Stage::data:
            break; // handled above
        }
    }
}

void PackScanner::finish() {
    if (m_state->stage != Stage::done)
        throw PackRefused(error_code::bad_pack, "the pack is not valid: it ends early");
}

std::uint32_t PackScanner::object_count() const {
    return m_state->count;
}

std::uint64_t PackScanner::expanded_bytes() const {
    return m_state->expanded;
}

void scan_pack(std::string_view pack, const PackLimits& limits) {
    PackScanner scanner(limits);
    scanner.feed(pack.data(), pack.size());
    scanner.finish();
}

} // namespace knot::server
