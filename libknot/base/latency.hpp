// Latency figures for the benchmarks and `git knot bench`: a nearest-rank percentile of sorted
// samples, and a histogram that keeps any number of samples in fixed memory.
#pragma once

#include <cstdint>
#include <vector>

namespace knot {

// Nearest-rank percentile `p` (0..100) of sorted `values`; 0 when there are none.
double percentile(const std::vector<double>& values, double p);

// Counts of durations in buckets of at most 1/512 of their value (exact below 1,024 us), from
// 0 to about 71 minutes; longer ones count in the last bucket, so a run of any length takes
// the same 98 KiB. Not synchronised: one writer at a time, or a lock around it.
class LatencyHistogram {
public:
    LatencyHistogram();

    // Adds one duration of `ms` milliseconds (a negative one counts as 0).
    void add(double ms);
    // Adds every count of `other`.
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return m_count; }
    // The largest duration added, exactly; 0 when none was.
    double max_ms() const { return m_max_ms; }
    // Nearest-rank percentile `p` (0..100) in milliseconds: the middle of the bucket that holds
    // it, never above max_ms(); 0 when nothing was added.
    double percentile_ms(double p) const;

private:
    std::vector<std::uint64_t> m_buckets;
    std::uint64_t m_count = 0;
    double m_max_ms = 0;
};

} // namespace knot
