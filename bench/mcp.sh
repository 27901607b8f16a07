#!/usr/bin/env bash
# MCP: a tool call through `git knot mcp` (stdio and HTTP) beside the same read from the server
# and the same operations through the CLI; an event reaching 50 subscribed sessions; the HTTP
# server's memory with 50 sessions. Uses the MCP SDK the tests use (quickstart.sh installs it
# into <build>/tests/mcp). Prints the figures and the issue's aims.
#
# usage: mcp.sh [build-dir]   (default: build/ beside bench/; builds nothing)
# KNOT_BENCH_CALLS sets the calls per round-trip row (default 300).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
bench_require mcp.sh "$build" git-knot knot-server
sdk=$build/tests/mcp
if [ ! -d "$sdk/node_modules/@modelcontextprotocol/sdk" ]; then
    echo "mcp.sh: the MCP SDK is not in $sdk; install it as quickstart.sh does:" >&2
    echo "  cp tests/mcp/package*.json $sdk/ && (cd $sdk && npm ci)" >&2
    exit 1
fi
bench_sandbox "$build"
echo bench >bench.txt
git add bench.txt
git commit -q -m "one commit"
git knot init --name bench --kind other >/dev/null
git knot up --port 0 --no-tunnel >"$tmp/up.log"
room_up=1
# git-knot itself, not through git (whose dispatch would stay as the parent): the pid measured
# is knot-mcp's, which git-knot becomes.
git-knot mcp --port 0 >"$tmp/mcp.url" 2>"$tmp/mcp.log" &
mcp_pid=$!
for _ in $(seq 100); do
    [ -s "$tmp/mcp.url" ] && break
    sleep 0.05
done
cp "$here/mcp_bench.mjs" "$sdk/mcp_bench.mjs"
status=0
(cd "$sdk" && node mcp_bench.mjs "$tmp/repo" "$(head -1 "$tmp/mcp.url")" "$mcp_pid" \
    "${KNOT_BENCH_CALLS:-300}") || status=$?
kill "$mcp_pid" 2>/dev/null || true
wait "$mcp_pid" 2>/dev/null || true
exit "$status"
