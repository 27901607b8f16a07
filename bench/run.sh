#!/usr/bin/env bash
# Runs every benchmark against an existing build and prints all the figures (see README.md).
#
# usage: bench/run.sh [build-dir]   (default: build/ beside bench/; builds nothing)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
programs=(knot_bench_writes knot_bench_coordination knot_bench_anchors knot_bench_streams knot_bench_exec
          git-knot knot-server)
for program in "${programs[@]}"; do
    if [ ! -x "$build/bin/$program" ]; then
        echo "run.sh: $build/bin/$program is missing; build the benchmarks with:" >&2
        echo "  cmake -S $here/.. -B $build -DKNOT_BENCH=ON && ninja -C $build ${programs[*]}" >&2
        exit 1
    fi
done

echo "== knot benchmarks: $(uname -sm), $(nproc) cores, build $build"
echo
echo "== signed writes"
"$build/bin/knot_bench_writes"
echo
echo "== locks and fan-out"
"$build/bin/knot_bench_coordination"
echo
echo "== anchors: knot beside etcd and redis (skipped without them: ./quickstart.sh bench)"
"$here/anchors.sh" "$build"
echo
echo "== event streams and idle connections"
"$build/bin/knot_bench_streams"
echo
echo "== start-up"
"$here/startup.sh" "$build"
echo
echo "== hook cost"
"$here/hook_cost.sh" "$build"
echo
echo "== MCP (needs the SDK quickstart.sh installs into $build/tests/mcp)"
"$here/mcp.sh" "$build"
echo
echo "== review gate (needs the tests' stand-in, $build/tests/support/knot_test_review_standin)"
"$here/review.sh" "$build"

# The sync and integration benchmarks build large repositories and take a minute or more each:
# opt in with KNOT_BENCH_SYNC=1.
if [ "${KNOT_BENCH_SYNC:-0}" = 1 ]; then
    echo
    echo "== push through knot (50,000 files)"
    "$here/sync_push.sh" "$build"
    echo
    echo "== large repository through knot (200 MB)"
    "$here/sync_large.sh" "$build"
    echo
    echo "== integration agent (50,000 files; a CMake project)"
    "$here/integration.sh" "$build"
    echo
    echo "== check sandbox (\`true\`; a CMake project), sandboxed against --unsandboxed-checks"
    "$here/check_sandbox.sh" "$build"
else
    echo
    echo "(sync and integration benchmarks skipped: set KNOT_BENCH_SYNC=1 to run sync_push.sh,"
    echo " sync_large.sh, integration.sh and check_sandbox.sh)"
fi
