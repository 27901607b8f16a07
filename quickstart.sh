#!/usr/bin/env bash
# knot's quick start on Debian 12, as root: installs the Debian packages knot builds with,
# builds, installs to a prefix on PATH, then either hosts a room in a repository (`up`, the
# default), runs every test (`test`, what .ci/run calls) or runs the benchmarks (`bench`).
#
#   ./quickstart.sh [up [REPO]]   host a room in REPO (default: this checkout); prints the invite
#   ./quickstart.sh test          the same set-up, then the whole test suite, then (CI) each
#                                 fuzzer for a short fixed time (fuzz/README.md), the suite
#                                 again under ASan+UBSan and the concurrency tests under TSan
#   ./quickstart.sh bench         the same set-up, plus etcd, redis and perf (for the bench only:
#                                 no test needs them), then bench/run.sh (bench/README.md)
#
# Environment: KNOT_PREFIX (default /usr/local), KNOT_BUILD_DIR (default ./build; the sanitizer
# and fuzzing builds go to the same path with -asan, -tsan and -fuzz appended), KNOT_CI_FAST=1
# (`test` stops after the plain suite: the slow stages are for CI), KNOT_FUZZ_SECONDS (how long
# each fuzzer runs, default 20).
set -euo pipefail

mode=${1:-up}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${KNOT_PREFIX:-/usr/local}
build=${KNOT_BUILD_DIR:-$here/build}

packages=(g++ cmake ninja-build pkg-config git ca-certificates openssl ccache
          libgit2-dev libsodium-dev libpoco-dev libsqlite3-dev nlohmann-json3-dev zlib1g-dev
          catch2 libcli11-dev man-db groff-base clang-format bubblewrap clang libclang-rt-14-dev
          tmux shellcheck libssl-dev)

say() { printf '==> %s\n' "$*"; }

# Installs those of the Debian packages named that are missing.
install_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
        "${sudo[@]}" apt-get update
        "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

build_and_install() {
    say "building in $build"
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DCMAKE_INSTALL_PREFIX="$prefix" -DKNOT_WERROR=ON
    cmake --build "$build"
    say "installing to $prefix"
    if [ -w "$prefix" ] || [ "$(id -u)" -eq 0 ]; then
        cmake --install "$build" >/dev/null
    else
        sudo cmake --install "$build" >/dev/null
    fi
    # `git help knot` finds the page through man's own path; refresh its index when present.
    if command -v mandb >/dev/null; then mandb -q "$prefix/share/man" 2>/dev/null || true; fi
}

host_room() {
    local repo=${1:-$here}
    cd "$repo"
    git rev-parse --verify -q HEAD >/dev/null ||
        { echo "quickstart: $repo has no commits; make one first" >&2; exit 128; }
    git knot init
    if git knot status >/dev/null 2>&1 && [ -f .knot/HOST.md ]; then
        say "a room is already up here"
        git knot status
        grep -m1 -o "git knot join '[^']*'" .knot/HOST.md
        return 0
    fi
    git knot up --no-tunnel
}

# The MCP tests' client, the official MCP TypeScript SDK, pinned by tests/mcp/package-lock.json,
# installed into <build dir>/tests/mcp (npm ci: exactly the locked versions), where
# tests/e2e/mcp_test.cpp runs it; after this the tests need no network.
install_mcp_sdk() {
    local dir=$1/tests/mcp
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        install_packages nodejs npm
    fi
    mkdir -p "$dir"
    cp "$here/tests/mcp/package.json" "$here/tests/mcp/package-lock.json" "$dir/"
    say "installing the MCP SDK for the tests in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

# Runs `$@` as one stage of `test` and says how long it took.
stage() {
    local start=$SECONDS
    "$@"
    say "$1: $((SECONDS - start)) s"
}

check_format() {
    say "checking the format"
    cmake --build "$build" --target check_format
}

test_plain() {
    install_mcp_sdk "$build"
    say "running every test"
    ctest --test-dir "$build" --output-on-failure -j 2 --timeout 300
}

# Sanitizer builds compile at -O1 with line tables only: a third of the -O2 build's time, and
# still fast enough that the tests' timeouts hold. A report from any process the tests start
# (servers, hooks, the remote helper: their output is often not shown) lands in $dir/reports,
# which must stay empty.
sanitized_build() {
    local dir=$1 sanitizer=$2
    shift 2
    cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
          -DKNOT_SANITIZE="$sanitizer" -DKNOT_BENCH=OFF -DKNOT_WERROR=ON >/dev/null
    cmake --build "$dir" "$@"
    rm -rf "$dir/reports"
    mkdir -p "$dir/reports"
}

no_reports() {
    local dir=$1
    if compgen -G "$dir/reports/*" >/dev/null; then
        cat "$dir"/reports/* >&2
        echo "quickstart: sanitizer reports in $dir/reports (above)" >&2
        return 1
    fi
}

test_asan() {
    local dir=$build-asan
    say "building under ASan+UBSan in $dir"
    sanitized_build "$dir" address
    install_mcp_sdk "$dir"
    say "running every test under ASan+UBSan"
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$dir/reports/asan" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$dir/reports/ubsan" \
        ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 600
    no_reports "$dir"
}

# The tests where threads or clients race: the lock table and task claims under 50 agents at
# once, the event hub, the streams, and the store's transactions and commit listener.
tsan_tests='^server_test: ?(50 agents .* at once|a (stream|subscriber|replayed stream|refused hello|quiet stream)|an agent following the stream|120 streams|SIGTERM closes|shutting the hub|a transaction that throws|a nonce is accepted|events (are numbered|appended in a transaction)|writes queued while|a write that throws in a batch|a read does not wait|the same nonce sent twice|the member cache forgets)'

test_tsan() {
    local dir=$build-tsan
    say "building under TSan in $dir"
    sanitized_build "$dir" thread --target server_test
    say "running the concurrency tests under TSan"
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$dir/reports/tsan" \
        ctest --test-dir "$dir" --output-on-failure -j 2 --timeout 600 -R "$tsan_tests"
    no_reports "$dir"
}

# Each harness runs on a copy of its seed corpus, so the committed corpus never changes; a crash
# leaves its input in $dir/findings and fails the stage.
run_fuzzers() {
    local dir=$build-fuzz seconds=${KNOT_FUZZ_SECONDS:-20}
    say "building the fuzzers with clang in $dir"
    # -O1 with line tables, as the sanitizer builds: at -O2 -g the instrumented build took
    # twice as long, which a 20 s run per harness does not repay.
    cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
          -DCMAKE_CXX_COMPILER=clang++ -DKNOT_FUZZ=ON -DKNOT_TESTS=OFF -DKNOT_BENCH=OFF \
          -DKNOT_WERROR=ON >/dev/null
    cmake --build "$dir" --target fuzzers
    rm -rf "$dir/corpus" "$dir/findings"
    mkdir -p "$dir/findings"
    # The routes harness copies a SQLite file for each input: on tmpfs when there is one.
    local tmp=${TMPDIR:-/tmp}
    [ -w /dev/shm ] && tmp=/dev/shm
    local harness target
    for harness in "$here"/fuzz/*_fuzz.cpp; do
        target=$(basename "$harness" _fuzz.cpp)
        say "fuzzing $target for $seconds s"
        mkdir -p "$dir/corpus/$target"
        cp -r "$here/fuzz/corpus/$target/." "$dir/corpus/$target/"
        TMPDIR=$tmp "$dir/bin/fuzz/${target}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
            -print_final_stats=1 -artifact_prefix="$dir/findings/$target-" \
            "$dir/corpus/$target" 2>"$dir/findings/$target.log" ||
            { tail -n 60 "$dir/findings/$target.log" >&2; return 1; }
        grep -E '^stat::number_of_executed_units' "$dir/findings/$target.log" || true
    done
}

run_tests() {
    stage check_format
    stage test_plain
    if [ "${KNOT_CI_FAST:-0}" = 1 ]; then
        say "KNOT_CI_FAST=1: skipping the sanitizer and fuzzing stages"
        return 0
    fi
    stage run_fuzzers
    stage test_asan
    stage test_tsan
}

# What bench/anchors.sh runs knot beside, and perf for looking into a figure. A package's own
# service (where an init system starts it) is stopped when this call installed the package: the
# bench starts its own etcd and redis on free ports, and a server left running would share the
# cores with what is measured. A service installed before is the user's and is left alone.
install_bench_packages() {
    local fresh=() p sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    for p in etcd-server redis-server; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            fresh+=("$p")
    done
    install_packages etcd-server redis-server linux-perf curl python3
    for p in "${fresh[@]}"; do
        case $p in etcd-server) p=etcd ;; esac # the service's name
        "${sudo[@]}" service "$p" stop >/dev/null 2>&1 || true
    done
}

run_bench() {
    install_bench_packages
    install_mcp_sdk "$build"
    "$here/bench/run.sh" "$build"
}

case "$mode" in
    up | test | bench) ;;
    *) echo "usage: quickstart.sh [up [REPO] | test | bench]" >&2; exit 129 ;;
esac
install_packages "${packages[@]}"
build_and_install
case "$mode" in
    up) host_room "${2:-}" ;;
    test) run_tests ;;
    bench) run_bench ;;
esac
