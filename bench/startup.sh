#!/usr/bin/env bash
# Start-up cost of git-knot as hooks pay it: N runs each of git, git-knot and `git knot whoami`,
# timed by knot_bench_exec, compared with `git --version`; then the same with a room up.
#
# usage: startup.sh [build-dir]     (default: build/ beside bench/; builds nothing)
# KNOT_BENCH_RUNS sets N (default 200).
set -euo pipefail

build=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
runs=${KNOT_BENCH_RUNS:-200}
timer="$build/bin/knot_bench_exec"
git_knot="$build/bin/git-knot"
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
bench_require startup.sh "$build" knot_bench_exec git-knot knot-server
bench_sandbox "$build"
echo "bench" >README
git add README
git commit -q -m "one commit"
git knot init --name bench --kind other >/dev/null

# Rows of the table, one "label median p90 min" line each.
rows=()
floor=""
measure() {
    local label=$1
    shift
    local figures
    figures=$("$timer" --runs "$runs" -- "$@")
    [ -n "$floor" ] || floor=${figures%% *}
    rows+=("$label $figures")
}

print_table() {
    local title=$1
    echo "$title"
    printf '%-34s %10s %10s %10s %10s\n' "command" "median ms" "p90 ms" "min ms" "x git"
    local row
    for row in "${rows[@]}"; do
        # The label is the row's leading words; the last three fields are the figures.
        awk -v floor="$floor" '{
            label = $1; for (i = 2; i <= NF - 3; i++) label = label " " $i
            printf "%-34s %10.3f %10.3f %10.3f %9.1fx\n", label, $(NF-2), $(NF-1), $NF,
                   $(NF-2) / floor
        }' <<<"$row"
    done
    rows=()
    floor=""
}

# Median of the row whose label is exactly $1, from the last table's rows.
median_of() {
    local row
    for row in "${rows[@]}"; do
        case $row in
        "$1 "[0-9]*) awk '{ print $(NF-2) }' <<<"$row" ;;
        esac
    done
}

measure "git --version" git --version
measure "git-knot --version" "$git_knot" --version
measure "git knot whoami --local" git knot whoami --local
measure "git-knot whoami --local (direct)" "$git_knot" whoami --local
whoami_median=$(median_of "git knot whoami --local")
git_median=$(median_of "git --version")
print_table "start-up, no room ($runs runs each, after 3 untimed)"
awk -v m="$whoami_median" -v g="$git_median" 'BEGIN {
    printf "aim: git knot whoami --local at most 3x git --version (issue 12); this run: %.2fx, %s\n",
           m / g, (m <= 3 * g ? "met" : "NOT met")
}'

echo
git knot up --port 0 --no-tunnel >"$tmp/up.log"
room_up=1
server=$(sed -n 's/^  server   \([^ ]*\).*/\1/p' "$tmp/up.log")
measure "git --version" git --version
measure "git knot whoami (server trip)" git knot whoami
measure "git knot status" git knot status
print_table "with a room up at $server ($runs runs each)"
git knot down >/dev/null
room_up=0
