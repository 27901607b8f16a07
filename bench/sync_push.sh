#!/usr/bin/env bash
# Pushing a large tree through knot against plain git: a repository of 50,000 small files in 500
# folders, one commit, pushed first in full and then one changed file at a time to a bare
# repository over file://, to git http-backend on loopback and to a room hosted by
# `git knot up` (git-remote-knot and the knot-server). Prints each time, the medians and the
# ratios knot/file:// and knot/http.
#
# usage: sync_push.sh [build-dir]   (default: build/ beside bench/; builds nothing)
# KNOT_BENCH_FILES sets the file count (default 50000, in 500 folders) and
# KNOT_BENCH_PUSHES the number of timed one-file pushes (default 10, after 1 untimed).
set -euo pipefail

build=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
files=${KNOT_BENCH_FILES:-50000}
runs=${KNOT_BENCH_PUSHES:-10}
warmup=1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=sync_common.sh
. "$here/sync_common.sh"
sync_setup sync_push.sh "$build"
sync_http_start
sync_join "$tmp/work" coder-1
cd "$tmp/work"
# Hooks off for every push and commit: this measures the transport (hook_cost.sh measures hooks).
mkdir -p "$tmp/no-hooks"
git config core.hooksPath "$tmp/no-hooks"

t0=$(now_us)
sync_make_files "$files"
git add -A
git commit -q -m "$files files"
t1=$(now_us)
pack_kb=$(git count-objects -v | awk '/^size-pack:/ { p = $2 } /^size:/ { l = $2 } END { print p + l }')
echo "repository: $(git ls-files | wc -l) files in $dirs folders, $(git rev-list --objects --all | wc -l) objects," \
    "${pack_kb} KiB of objects; generated and committed in $(((t1 - t0) / 1000)) ms"

sync_targets

failed=0
declare -A samples=()
# push_timed <target>: pushes main to it; prints the ms, or "failed" (and its error output).
push_timed() {
    local t0 t1
    sync_wait_idle "$tmp/work"
    t0=$(now_us)
    if git push -q "${url[$1]}" main 2>"$tmp/push.err"; then
        t1=$(now_us)
        echo $((t1 - t0))
    else
        echo "failed"
        sed 's/^/    /' "$tmp/push.err" >&2
    fi
}

echo
echo "initial push of the whole repository"
printf '%-10s %12s\n' "to" "ms"
declare -A initial=()
for target in "${targets[@]}"; do
    us=$(push_timed "$target")
    initial[$target]=$us
    if [ "$us" = failed ]; then
        failed=1
        printf '%-10s %12s\n' "$target" "failed"
    else
        printf '%-10s %12.1f\n' "$target" "$(awk -v u="$us" 'BEGIN { print u / 1000 }')"
    fi
done
ratio() { # ratio <numerator us> <denominator us>
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "failed" || b == "failed" || b == "" || b == 0) print "-"; else printf "%.2fx\n", a / b }'
}
echo "ratio knot/file:// $(ratio "${initial[knot]}" "${initial[file://]}")" \
    "${url[http]:+ knot/http $(ratio "${initial[knot]}" "${initial[http]:-}")}"

echo
echo "one changed file per push: $runs pushes to each after $warmup untimed, targets rotated"
printf '%-6s' "push"
for target in "${targets[@]}"; do printf ' %10s' "$target ms"; done
echo
for ((i = 1; i <= runs + warmup; i++)); do
    echo "change $i" >>"src/d$(printf %03d $((i % dirs)))/f000.txt"
    git commit -q -a -m "change $i"
    # Rotate the order so no target always pushes first (or last) after the commit.
    n=${#targets[@]}
    line=$(printf '%-6s' "$((i > warmup ? i - warmup : 0))")
    declare -A this=()
    for ((k = 0; k < n; k++)); do
        target=${targets[$(((i + k) % n))]}
        this[$target]=$(push_timed "$target")
    done
    for target in "${targets[@]}"; do
        us=${this[$target]}
        if [ "$us" = failed ]; then
            failed=1
            line+=$(printf ' %10s' failed)
        else
            line+=$(printf ' %10.1f' "$(awk -v u="$us" 'BEGIN { print u / 1000 }')")
            ((i > warmup)) && samples[$target]+="$us "
        fi
    done
    echo "$line"
    unset this
done

echo
printf '%-10s %12s\n' "to" "median ms"
declare -A median=()
for target in "${targets[@]}"; do
    if [ -n "${samples[$target]:-}" ]; then
        median[$target]=$(tr ' ' '\n' <<<"${samples[$target]}" | grep . | median_ms)
        printf '%-10s %12s\n' "$target" "${median[$target]}"
    else
        median[$target]=failed
        printf '%-10s %12s\n' "$target" "no sample"
    fi
done
echo "ratio knot/file:// $(ratio "${median[knot]}" "${median[file://]}")" \
    "${url[http]:+ knot/http $(ratio "${median[knot]}" "${median[http]:-}")}"
awk -v k="${median[knot]}" -v f="${median[file://]}" -v h="${median[http]:-}" 'BEGIN {
    if (k == "failed" || f == "failed") { print "aim: knot within 1.2x of plain git; not measured"; exit }
    best = f; if (h != "" && h != "failed" && h + 0 < best + 0) best = h
    printf "aim: knot within 1.2x of plain git (the faster of file:// and http); this run: %.2fx, %s\n",
           k / best, (k / best <= 1.2 ? "met" : "NOT met")
}'
exit "$failed"
