// Latency figures (see latency.hpp).
#include "libknot/base/latency.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace knot {
namespace {

// Below 2^k_exact_bits microseconds a bucket is one microsecond wide; each doubling above it
// has k_half buckets (HdrHistogram's layout with ten significant bits).
constexpr int k_exact_bits = 10;
constexpr std::uint64_t k_exact = 1u << k_exact_bits;
constexpr std::uint64_t k_half = k_exact / 2;
constexpr int k_top_bit = 32; // 2^32 us: 71.6 minutes
constexpr std::size_t k_buckets = k_exact + (k_top_bit - k_exact_bits) * k_half;

std::size_t bucket_of(std::uint64_t us) {
    if (us < k_exact)
        return static_cast<std::size_t>(us);
    const int bits = std::bit_width(us); // us lies in [2^(bits-1), 2^bits)
    if (bits > k_top_bit)
        return k_buckets - 1;
    const int shift = bits - k_exact_bits;
    return static_cast<std::size_t>(k_exact + static_cast<std::uint64_t>(shift - 1) * k_half +
                                    ((us >> shift) - k_half));
}

// The middle of bucket `index`, in microseconds.
double middle_of(std::size_t index) {
    if (index < k_exact)
        return static_cast<double>(index);
    const std::size_t above = index - k_exact;
    const int shift = static_cast<int>(above / k_half) + 1;
    const std::uint64_t low = (k_half + above % k_half) << shift;
    return static_cast<double>(low) + static_cast<double>((std::uint64_t{1} << shift) - 1) / 2;
}

} // namespace

double percentile(const std::vector<double>& values, double p) {
    if (values.empty())
        return 0;
    const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size()));
    return values[std::min(rank, values.size() - 1)];
}

LatencyHistogram::LatencyHistogram()
    : m_buckets(k_buckets, 0) {}

void LatencyHistogram::add(double ms) {
    const double us = std::max(0.0, ms) * 1000.0;
    const auto whole = us >= 0x1p62 ? std::uint64_t{1} << 62 : static_cast<std::uint64_t>(us);
    ++m_buckets[bucket_of(whole)];
    ++m_count;
    m_max_ms = std::max(m_max_ms, std::max(0.0, ms));
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < k_buckets; ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_max_ms = std::max(m_max_ms, other.m_max_ms);
}

double LatencyHistogram::percentile_ms(double p) const {
    if (m_count == 0)
        return 0;
    // The same rank as percentile() above: the sample at index floor(p/100 * count).
    const auto rank = std::min(static_cast<std::uint64_t>(std::clamp(p, 0.0, 100.0) / 100.0 *
                                                          static_cast<double>(m_count)),
                               m_count - 1);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < k_buckets; ++i) {
        seen += m_buckets[i];
        if (seen > rank)
            return std::min(middle_of(i) / 1000.0, m_max_ms);
    }
    return m_max_ms;
}

} // namespace knot
