#!/usr/bin/env bash
# Moving a large repository through knot against plain git: about 200 MB of incompressible files
# in two commits, pushed in full and then fetched into a fresh repository, over file://, through
# git http-backend on loopback and through a room hosted by `git knot up`. Prints the times, the
# ratios, and the knot-server's peak memory (VmHWM) for the push and for the fetch (the room is
# restarted between them) beside the size of the pack.
#
# usage: sync_large.sh [build-dir]  (default: build/ beside bench/; builds nothing)
# KNOT_BENCH_LARGE_FILES sets the number of 2 MiB random files (default 100).
set -euo pipefail

build=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
count=${KNOT_BENCH_LARGE_FILES:-100}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=sync_common.sh
. "$here/sync_common.sh"
sync_setup sync_large.sh "$build"
sync_http_start
sync_join "$tmp/work" coder-1
sync_join "$tmp/fetch-knot" coder-2
mkdir -p "$tmp/no-hooks"
git -C "$tmp/fetch-knot" config core.hooksPath "$tmp/no-hooks"
cd "$tmp/work"
git config core.hooksPath "$tmp/no-hooks"

# Two commits: nine tenths of the files, then the rest, so the pack holds a little history.
mkdir -p data
first=$((count * 9 / 10))
for ((i = 0; i < count; i++)); do
    head -c 2097152 /dev/urandom >"data/f$(printf %03d $i).bin"
    if ((i + 1 == first)); then
        git add -A && git commit -q -m "first $first files"
    fi
done
git add -A
git commit -q -m "the other $((count - first)) files"
echo "repository: $count files of 2 MiB from /dev/urandom in 2 commits" \
    "($(du -sk data | cut -f1) KiB in the work tree)"

sync_targets

failed=0
# timed <dir> <git arguments...>: runs git in <dir>; prints the ms, or "failed".
timed() {
    local dir=$1 t0 t1
    shift
    sync_wait_idle "$tmp/work"
    t0=$(now_us)
    if git -C "$dir" "$@" 2>"$tmp/git.err"; then
        t1=$(now_us)
        awk -v u=$((t1 - t0)) 'BEGIN { printf "%.1f\n", u / 1000 }'
    else
        echo "failed"
        sed 's/^/    /' "$tmp/git.err" >&2
    fi
}
ratio() { # ratio <numerator> <denominator>
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "failed" || b == "failed" || a == "" || b == "" || b == 0) print "-"
        else printf "%.2fx\n", a / b }'
}
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f MiB\n", k / 1024 }'; }

declare -A push_ms=() fetch_ms=()
for target in "${targets[@]}"; do
    push_ms[$target]=$(timed "$tmp/work" push -q "${url[$target]}" main)
    [ "${push_ms[$target]}" = failed ] && failed=1
    [ "$target" = knot ] && push_peak_kb=$(server_peak_kb)
    echo "push to $target: ${push_ms[$target]} ms"
done
pack_kb=$(du -ck "$tmp"/file.git/objects/pack/*.pack 2>/dev/null | awk 'END { print $1 }')
room_pack_kb=$(du -ck "$tmp"/repo/.git/knot/server/repos/*.git/objects/pack/*.pack 2>/dev/null |
    awk 'END { print $1 }')

# A fresh server for the fetch, so its peak is the fetch's own (the push's integration run done
# first, or the restart would queue it again).
sync_wait_idle "$tmp/work"
sync_restart_room
idle_peak_kb=$(server_peak_kb)
git init -q "$tmp/fetch-file"
fetch_ms[file://]=$(timed "$tmp/fetch-file" fetch -q "file://$tmp/file.git" main)
if [ -n "$http_url" ]; then
    git init -q "$tmp/fetch-http"
    fetch_ms[http]=$(timed "$tmp/fetch-http" fetch -q "$http_url/http.git" main)
fi
fetch_ms[knot]=$(timed "$tmp/fetch-knot" fetch -q knot)
fetch_peak_kb=$(server_peak_kb)
for target in "${targets[@]}"; do
    [ "${fetch_ms[$target]}" = failed ] && failed=1
    echo "fresh fetch from $target: ${fetch_ms[$target]} ms"
done
want=$(git rev-parse HEAD)
got=$(git -C "$tmp/fetch-knot" rev-parse -q --verify refs/knot/coder-1/main || echo none)
[ "$got" = "$want" ] || { echo "the knot fetch did not bring refs/knot/coder-1/main ($got)"; failed=1; }

echo
printf '%-12s' "operation"
for target in "${targets[@]}"; do printf ' %10s' "$target ms"; done
printf ' %14s' "knot/file://"
[ -n "$http_url" ] && printf ' %10s' "knot/http"
echo
for op in push fetch; do
    declare -n ms="${op}_ms"
    printf '%-12s' "$([ $op = push ] && echo "push" || echo "fresh fetch")"
    for target in "${targets[@]}"; do printf ' %10s' "${ms[$target]}"; done
    printf ' %14s' "$(ratio "${ms[knot]}" "${ms[file://]}")"
    [ -n "$http_url" ] && printf ' %10s' "$(ratio "${ms[knot]}" "${ms[http]}")"
    echo
    unset -n ms
done

echo
echo "pack: $(mib "$pack_kb") in the file:// repository, $(mib "$room_pack_kb") in the room's"
echo "knot-server peak memory (VmHWM): push $(mib "${push_peak_kb:-}") ($(ratio "${push_peak_kb:-}" "$pack_kb") the pack)," \
    "fetch $(mib "$fetch_peak_kb") ($(ratio "$fetch_peak_kb" "$pack_kb") the pack), idle after restart $(mib "$idle_peak_kb")"
awk -v p="${push_peak_kb:-}" -v f="$fetch_peak_kb" -v k="$pack_kb" 'BEGIN {
    if (p == "" || k == "") { print "aim: peak memory at most 2x the pack; not measured"; exit }
    m = p > f ? p : f
    printf "aim: peak memory at most 2x the pack; this run: %.2fx, %s\n", m / k, (m <= 2 * k ? "met" : "NOT met")
}'
exit "$failed"
