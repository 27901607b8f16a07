// Tests for libknot/base/latency: the nearest-rank percentile and the fixed-memory histogram.
#include "libknot/base/latency.hpp"

#include <catch2/catch.hpp>

using knot::LatencyHistogram;
using knot::percentile;

TEST_CASE("the percentile of sorted samples is the nearest-rank sample") {
    const std::vector<double> values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK(percentile(values, 0) == 1);
    CHECK(percentile(values, 50) == 6);
    CHECK(percentile(values, 99) == 10);
    CHECK(percentile(values, 100) == 10);
    CHECK(percentile({}, 50) == 0);
    CHECK(percentile({4.5}, 99) == 4.5);
}

TEST_CASE("a histogram of sub-millisecond durations gives exact microsecond percentiles") {
    LatencyHistogram histogram;
    for (int us = 1; us <= 100; ++us)
        histogram.add(us / 1000.0);
    CHECK(histogram.count() == 100);
    CHECK(histogram.percentile_ms(50) == Approx(0.051));
    CHECK(histogram.percentile_ms(99) == Approx(0.100));
    CHECK(histogram.max_ms() == Approx(0.100));
}

TEST_CASE("a histogram's percentile of long durations is within a 512th of the value") {
    LatencyHistogram histogram;
    for (const double ms : {3.7, 42.0, 1234.5, 60'000.0})
        histogram.add(ms);
    CHECK(histogram.percentile_ms(0) == Approx(3.7).epsilon(1.0 / 512));
    CHECK(histogram.percentile_ms(25) == Approx(42.0).epsilon(1.0 / 512));
    CHECK(histogram.percentile_ms(50) == Approx(1234.5).epsilon(1.0 / 512));
    CHECK(histogram.percentile_ms(99) == Approx(60'000.0).epsilon(1.0 / 512));
}

TEST_CASE("a histogram never reports a percentile above the largest duration added") {
    LatencyHistogram histogram;
    histogram.add(5.0001);
    CHECK(histogram.percentile_ms(99) <= histogram.max_ms());
    CHECK(histogram.max_ms() == 5.0001);
}

TEST_CASE("an empty histogram reports zeros and a negative or huge duration still counts") {
    LatencyHistogram histogram;
    CHECK(histogram.percentile_ms(50) == 0);
    CHECK(histogram.max_ms() == 0);
    histogram.add(-1);
    histogram.add(1e12); // longer than the last bucket: counted there
    CHECK(histogram.count() == 2);
    CHECK(histogram.percentile_ms(0) == 0);
    CHECK(histogram.max_ms() == 1e12);
}

TEST_CASE("merged histograms count both and keep the larger maximum") {
    LatencyHistogram a;
    LatencyHistogram b;
    a.add(1);
    b.add(2);
    b.add(3);
    a.merge(b);
    CHECK(a.count() == 3);
    CHECK(a.max_ms() == 3);
    CHECK(a.percentile_ms(50) == Approx(2).epsilon(1.0 / 512));
}
