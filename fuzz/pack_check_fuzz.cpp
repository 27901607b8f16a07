// Fuzzes the checks a pushed pack meets before git indexes it (server/pack_scan.*) and the tree
// entry rules of every pushed tree (server/tree_check.*): nothing a member sends may crash them,
// take memory beyond their scratch buffers, or be judged differently fed whole and piecewise.
#include "server/pack_scan.hpp"
#include "server/tree_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// Small limits, so that the fuzzer reaches the size refusals with small inputs.
constexpr knot::server::PackLimits k_limits{1 << 16, 1 << 20};

// "" when the pack passes, else the refusal's code.
std::string verdict_whole(std::string_view pack) {
    try {
        knot::server::scan_pack(pack, k_limits);
    } catch (const knot::server::PackRefused& refused) {
        return std::string(refused.code());
    }
    return "";
}

std::string verdict_split(std::string_view pack, std::size_t step) {
    knot::server::PackScanner scanner(k_limits);
    try {
        for (std::size_t at = 0; at < pack.size(); at += step)
            scanner.feed(pack.data() + at, std::min(step, pack.size() - at));
        scanner.finish();
    } catch (const knot::server::PackRefused& refused) {
        return std::string(refused.code());
    }
    return "";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    // The scanner sees the bytes however the network cuts them: whether a pack passes may not
    // depend on it. (Which refusal comes first may: a delta that both declares too large an
    // object and inflates past its entry's size is refused for whichever the bytes show first.)
    const bool whole_passes = verdict_whole(input).empty();
    const std::size_t step = size == 0 ? 1 : 1 + data[0] % 7;
    if (verdict_split(input, step).empty() != whole_passes)
        std::abort();
    // The same bytes as a tree entry name and mode.
    if (size >= 4) {
        const std::uint32_t mode =
            (std::uint32_t{data[0]} << 16) | (std::uint32_t{data[1]} << 8) | data[2];
        (void)knot::server::entry_kind(mode);
        (void)knot::server::bad_entry_name(input.substr(3, 255));
    }
    return 0;
}
