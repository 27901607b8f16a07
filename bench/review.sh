#!/usr/bin/env bash
# The review gate's overhead beyond the checks: one-file pushes integrated with checks off, timed
# from the start of `git push` to sync.integrated, with each review mode answered at once by an
# instant reviewer, beside the same pushes with review off (the baseline a room without review
# has). The server key and webhook modes are answered by the loopback stand-in the tests use
# (tests/support/review_standin.cpp: the Messages API and a webhook service); the peer mode by a
# `git knot review --watch` whose reviewer is `cat >/dev/null; echo PASS`.
#
# usage: review.sh [build-dir]   (default: build/ beside bench/; builds nothing; needs the
# stand-in, built with the tests). KNOT_BENCH_PUSHES sets the timed pushes per mode (default 10).
set -euo pipefail

build=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
pushes=${KNOT_BENCH_PUSHES:-10}
here=$(cd "$(dirname "$0")" && pwd)
standin_program="$build/tests/support/knot_test_review_standin"
if [ ! -x "$standin_program" ]; then
    echo "review.sh: $standin_program is missing; build it with: ninja -C $build knot_test_review_standin" >&2
    exit 1
fi
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=sync_common.sh
. "$here/sync_common.sh"
sync_setup review.sh "$build"
git config knot.check none
git knot check --configure >/dev/null
sync_join "$tmp/work" coder-1
sync_join "$tmp/peer" coder-2
mkdir -p "$tmp/no-hooks" "$tmp/standin"
(cd "$tmp/work" && git config core.hooksPath "$tmp/no-hooks")

"$standin_program" "$tmp/standin" >"$tmp/standin.out" &
standin_pid=$!
trap 'kill $standin_pid 2>/dev/null || true; sync_cleanup' EXIT
while [ ! -s "$tmp/standin.out" ]; do read -r -t 0.05 <> <(:) || true; done
standin="http://127.0.0.1:$(head -1 "$tmp/standin.out")"
echo "bench-key" >"$tmp/standin/expected_key"
echo "PASS: fine" >"$tmp/standin/model_answer"
echo PASS >"$tmp/standin/webhook_verdict"

# restart_with <up options...>: the room's server again, on the same port, with these options.
restart_with() {
    (cd "$tmp/repo" && git knot down >/dev/null &&
        git knot up --port "$port" --no-tunnel --json "$@" >"$tmp/up.json")
}

measure() { python3 "$here/review_measure.py" "$tmp/work" "$pushes" "$1"; }

(cd "$tmp/repo" && git knot review --mode off >/dev/null)
off=$(measure none)
(cd "$tmp/repo" && git knot review --mode server >/dev/null)
ANTHROPIC_BASE_URL=$standin restart_with --anthropic-key bench-key
server=$(measure server)
restart_with --review-webhook "$standin/hook"
(cd "$tmp/repo" && git knot review --mode webhook >/dev/null)
webhook=$(measure webhook)
restart_with
(cd "$tmp/repo" && git knot review --mode peers >/dev/null)
(cd "$tmp/peer" && git config knot.reviewer 'cat >/dev/null; echo PASS' &&
    exec git-knot review --watch >"$tmp/watch.log" 2>&1) &
watch_pid=$!
trap 'kill $watch_pid $standin_pid 2>/dev/null || true; sync_cleanup' EXIT
until grep -q "^watching" "$tmp/watch.log" 2>/dev/null; do read -r -t 0.05 <> <(:) || true; done
peer=$(measure peer)

echo "one-file pushes, checks off, $pushes timed per mode (median, git push start -> sync.integrated)"
printf "%-34s %10s %12s\n" "review" "ms" "added"
printf "%-34s %10s %12s\n" "off (no review: the baseline)" "$off" "-"
for row in "server key (stand-in Messages API):$server" "webhook (stand-in service):$webhook" \
    "peer (watch, instant reviewer):$peer"; do
    name=${row%%:*}
    ms=${row##*:}
    awk -v n="$name" -v ms="$ms" -v off="$off" \
        'BEGIN { printf "%-34s %10.1f %+10.1f ms (%.2fx)\n", n, ms, ms - off, ms / off }'
done
echo "(aim: under 20 ms added by each mode)"
