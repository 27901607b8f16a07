#!/usr/bin/env bash
# The check sandbox's cost: the same checks run by the integration agent in the bubblewrap
# sandbox (the default) and with knot-server --unsandboxed-checks, each run timed by the server
# (the run's detail.check_ms: planning and running the commands, not the merge or checkout).
#  1. A check that runs `true`: N one-file pushes in each mode; medians and their ratio.
#  2. The CMake project of integration.sh (configure, build, ctest, auto-detected): its first
#     check in a fresh scratch tree and the second on the kept build tree, in each mode.
#
# usage: check_sandbox.sh [build-dir]   (default: build/ beside bench/; builds nothing)
# KNOT_BENCH_RUNS sets the pushes per mode of part 1 (default 10, after 1 untimed),
# KNOT_BENCH_SOURCES the C files of the CMake project (default 80). Needs bwrap.
set -euo pipefail

build=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
runs=${KNOT_BENCH_RUNS:-10}
sources=${KNOT_BENCH_SOURCES:-80}
here=$(cd "$(dirname "$0")" && pwd)
command -v bwrap >/dev/null || {
    echo "check_sandbox.sh: bwrap is missing (apt-get install bubblewrap)" >&2
    exit 1
}
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=sync_common.sh
. "$here/sync_common.sh"
sync_setup check_sandbox.sh "$build"
sync_join "$tmp/work" coder-1
cd "$tmp/work"
mkdir -p "$tmp/no-hooks"
git config core.hooksPath "$tmp/no-hooks"
data="$tmp/repo/.git/knot/server"

# median: of the numbers on standard input.
median() {
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# true_runs <mode>: one untimed and $runs timed one-file pushes whose check is `true`; prints
# the median check_ms.
true_runs() {
    local i
    for i in $(seq 0 "$runs"); do
        echo "$1 $i" >>pushes.txt
        git commit -q -a -m "$1 push $i"
        if [ "$i" -gt 0 ]; then sync_check_ms; else sync_check_ms >/dev/null; fi
    done | median
}

# restart <flags>: the room's server again on its port, with <flags>, and a fresh scratch tree.
restart() {
    (cd "$tmp/repo" && git knot down >/dev/null &&
        git knot up --port "$port" --no-tunnel "$@" --json >"$tmp/up.json")
    rm -rf "$data/scratch"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'
}

mkdir -p .knot
echo "true" >.knot/checks
echo start >pushes.txt
git add -A
git commit -q -m "checks: true"
sync_check_ms >/dev/null
echo "1. a check that runs \`true\`, median of $runs runs (check_ms, timed by the server)"
sandboxed=$(true_runs sandboxed)
restart --unsandboxed-checks
unsandboxed=$(true_runs unsandboxed)
echo "   sandboxed:    ${sandboxed} ms"
echo "   unsandboxed:  ${unsandboxed} ms"
echo "   sandboxed / unsandboxed: $(ratio "$sandboxed" "$unsandboxed")"

echo
echo "2. the CMake project of integration.sh ($sources C files, auto-detected: configure, build, ctest)"
git rm -q -r .knot
sync_make_cmake_project "$sources"
git add -A
git commit -q -m "a CMake project"
# cmake_pair: the first check in a fresh scratch tree, then one on the kept build tree.
cmake_pair() {
    local first second
    first=$(sync_check_ms)
    echo "touched" >>README
    git commit -q -a -m "docs only"
    second=$(sync_check_ms)
    echo "$first $second"
}
restart --unsandboxed-checks
read -r u_first u_second < <(cmake_pair)
restart
read -r s_first s_second < <(
    echo "touched" >>README
    git commit -q -a -m "docs only"
    cmake_pair
)
echo "   first check, fresh scratch tree:  sandboxed ${s_first} ms, unsandboxed ${u_first} ms," \
    "ratio $(ratio "$s_first" "$u_first")"
echo "   second check, kept build tree:    sandboxed ${s_second} ms, unsandboxed ${u_second} ms," \
    "ratio $(ratio "$s_second" "$u_second")"
