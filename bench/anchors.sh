#!/usr/bin/env bash
# Anchors: the same lock workload against knot, etcd and redis on loopback, one after the other,
# printed as one table with knot's ratios to each, so knot's figures read beside known services'.
# etcd and redis are started here in a temporary folder on free ports and stopped at exit.
#
# usage: anchors.sh [build-dir]     (default: build/ beside bench/; builds nothing)
# KNOT_BENCH_SECONDS sets each service's run (default 5), KNOT_BENCH_CLIENTS the clients (100).
# Without etcd or redis-server it prints a "skipped" line and exits 0: nothing else needs them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
seconds=${KNOT_BENCH_SECONDS:-5}
clients=${KNOT_BENCH_CLIENTS:-100}
# shellcheck source=common.sh
. "$here/common.sh"
bench_require anchors.sh "$build" knot_bench_anchors knot-server

missing=()
for program in etcd redis-server redis-cli curl python3; do
    command -v "$program" >/dev/null || missing+=("$program")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "anchors: skipped: ${missing[*]} not found; install them with \`./quickstart.sh bench\`"
    echo "  (or: apt-get install etcd-server redis-server curl python3)"
    exit 0
fi

tmp=$(mktemp -d)
service_pid=""
status=0

# Stops the service started last: SIGTERM, then SIGKILL if it is still there after 10 s.
stop_service() {
    [ -n "$service_pid" ] || return 0
    kill "$service_pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while kill -0 "$service_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.05
    done
    kill -KILL "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
    service_pid=""
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    stop_service
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port free on 127.0.0.1 now (the kernel's choice for port 0; nothing holds it after).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready <name> <log> <command>...: polls the command until it succeeds, for 30 s at most,
# and gives up at once when the service has exited.
wait_ready() {
    local name=$1 log=$2 deadline=$((SECONDS + 30))
    shift 2
    until "$@" >/dev/null 2>&1; do
        if ! kill -0 "$service_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
            echo "anchors: $name did not come up; the end of its log:" >&2
            tail -n 20 "$log" >&2
            exit 1
        fi
        sleep 0.05
    done
}

# shellcheck disable=SC2317 # run by wait_ready
redis_ready() {
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping)" = PONG ]
}

# Figures per service, from knot_bench_anchors's key=value line.
declare -A ops_per_s p50 p99 max failures

# measure <service> <options>...: runs the load generator and keeps its figures.
measure() {
    local service=$1 line field
    shift
    if ! line=$("$build/bin/knot_bench_anchors" --service "$service" --clients "$clients" \
        --seconds "$seconds" "$@" 2>"$tmp/$service.err"); then
        status=1
        echo "anchors: $service had failures:" >&2
        cat "$tmp/$service.err" >&2
    fi
    ops_per_s[$service]=-
    p50[$service]=-
    p99[$service]=-
    max[$service]=-
    failures[$service]=-
    for field in $line; do
        case "$field" in
            ops_per_s=*) ops_per_s[$service]=${field#*=} ;;
            p50_ms=*) p50[$service]=${field#*=} ;;
            p99_ms=*) p99[$service]=${field#*=} ;;
            max_ms=*) max[$service]=${field#*=} ;;
            failures=*) failures[$service]=${field#*=} ;;
        esac
    done
}

# ratio <a> <b>: a / b to two places, or "-" when either is missing or b is 0.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}

# aim <figure> <op> <bound>: "met" or "NOT met" (op is >= or <).
aim() {
    awk -v x="$1" -v op="$2" -v bound="$3" 'BEGIN {
        if (x == "-") print "no figure"
        else if ((op == ">=" && x + 0 >= bound + 0) || (op == "<" && x + 0 < bound + 0)) print "met"
        else print "NOT met" }'
}

echo "anchors: $clients clients, ${seconds} s per service, one service at a time on $(nproc) cores;"
echo "  client i takes bench/<i>/<k % 8>, then releases it, k = 0, 1, ...; each take and each"
echo "  release is one operation, timed alone; the clients share the cores with the service"

measure knot

etcd_port=$(free_port)
etcd_peer_port=$(free_port)
etcd --name anchors --data-dir "$tmp/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "anchors=http://127.0.0.1:$etcd_peer_port" >"$tmp/etcd.log" 2>&1 &
service_pid=$!
wait_ready etcd "$tmp/etcd.log" curl -fsS -m 1 "http://127.0.0.1:$etcd_port/health"
measure etcd --url "http://127.0.0.1:$etcd_port"
stop_service

redis_port=$(free_port)
mkdir "$tmp/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$tmp/redis" --appendonly yes \
    --appendfsync always --save '' >"$tmp/redis.log" 2>&1 &
service_pid=$!
wait_ready redis "$tmp/redis.log" redis_ready "$redis_port"
measure redis --port "$redis_port"
stop_service

echo
printf '%-8s %8s %8s %8s %8s %6s   %s\n' service ops/s "p50 ms" "p99 ms" "max ms" fails durable
declare -A durable=(
    [knot]="fsync per batch (SQLite WAL, synchronous=FULL)"
    [etcd]="fsync per commit (raft WAL)"
    [redis]="appendfsync always")
for service in knot etcd redis; do
    printf '%-8s %8s %8s %8s %8s %6s   %s\n' "$service" "${ops_per_s[$service]}" \
        "${p50[$service]}" "${p99[$service]}" "${max[$service]}" "${failures[$service]}" \
        "${durable[$service]}"
done
etcd_ratio=$(ratio "${ops_per_s[knot]}" "${ops_per_s[etcd]}")
echo
echo "knot/etcd   ops/s ratio $etcd_ratio (aim >= 3: $(aim "$etcd_ratio" '>=' 3))" \
    "  p99 ratio $(ratio "${p99[knot]}" "${p99[etcd]}")"
echo "knot/redis  ops/s ratio $(ratio "${ops_per_s[knot]}" "${ops_per_s[redis]}")" \
    "  p99 ratio $(ratio "${p99[knot]}" "${p99[redis]}")"
echo "knot p99 ${p99[knot]} ms (aim < 10 ms: $(aim "${p99[knot]}" '<' 10))"
echo
echo "per operation: knot verifies an Ed25519 signature and a token, records the nonce, appends"
echo "  the event to the room's hash chain and commits it with the lock; etcd (no auth; its JSON"
echo "  gateway forwards to its own gRPC server) appends a raft entry and makes a revision; redis"
echo "  (no auth) runs SET NX or a Lua script and appends to its AOF"
exit "$status"
