#!/usr/bin/env bash
# The integration agent's cost, in two parts.
#  1. Overhead without the checker (merge, record, advance, notify): a room whose checks are off
#     (knot.check none), a repository of 50,000 files, one-file pushes. Each run is timed by the
#     server (run total), and from `git push` returning to sync.integrated on the stream, beside
#     `git merge-tree --write-tree` on the same two commits (the plain-git baseline).
#  2. The scratch work tree is reused: a CMake project checked by auto-detection (configure,
#     build, ctest), then a push that changes no source: the second check runs on the kept build
#     tree. Prints both check times and their ratio.
#
# usage: integration.sh [build-dir]   (default: build/ beside bench/; builds nothing)
# KNOT_BENCH_FILES sets the file count (default 50000), KNOT_BENCH_PUSHES the timed pushes
# (default 10, after 1 untimed), KNOT_BENCH_SOURCES the C files of the CMake project (default 80).
set -euo pipefail

build=$(cd "${1:-$(dirname "$0")/../build}" && pwd)
files=${KNOT_BENCH_FILES:-50000}
pushes=${KNOT_BENCH_PUSHES:-10}
sources=${KNOT_BENCH_SOURCES:-80}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
# shellcheck source=sync_common.sh
. "$here/sync_common.sh"
sync_setup integration.sh "$build"
# Checks off: this part measures what the agent adds around them.
git config knot.check none
git knot check --configure >/dev/null
sync_join "$tmp/work" coder-1
cd "$tmp/work"
mkdir -p "$tmp/no-hooks"
git config core.hooksPath "$tmp/no-hooks"

sync_make_files "$files"
git add -A
git commit -q -m "$files files"
git push -q knot main
server_repo=$(ls -d "$tmp/repo/.git/knot/server/repos/"*.git)
echo "repository: $(git ls-files | wc -l) files; checks off (knot.check none)"
echo
echo "one-file pushes, each integrated with checks off"
target=$(git ls-files src | sed -n "$(((files + 1) / 2))p") # a file deep in the middle
python3 "$here/integration_measure.py" "$tmp/work" "$server_repo" "$pushes" "$target"

echo
echo "check runs in the kept scratch work tree (CMake project, $sources C files, auto-detected)"
(cd "$tmp/repo" && git config --unset knot.check && git knot check --configure >/dev/null)
sync_make_cmake_project "$sources"
git add -A
git commit -q -m "a CMake project"
check_run() { # check_run: pushes HEAD; prints the run's check_ms, status checked
    git push -q knot main
    python3 - "$1" <<'PY'
import json, subprocess, sys
# git-knot itself, not `git knot`: terminating git would leave its git-knot child following.
follow = subprocess.Popen(["git-knot", "log", "--follow", "--json"], stdout=subprocess.PIPE, text=True)
ends = {"sync.integrated", "sync.check_failed", "sync.merge_conflict", "integration.skipped", "integration.error"}
for line in follow.stdout:
    if not line.startswith("{"):
        continue
    event = json.loads(line)
    if event["type"] in ends and event["data"].get("commit") == sys.argv[1]:
        follow.terminate()
        if event["type"] != "sync.integrated":
            sys.exit("run ended with %s: %s" % (event["type"], event["data"].get("summary")))
        break
runs = json.loads(subprocess.run(["git", "knot", "check", "--history", "--json", "-n", "1"], capture_output=True, text=True, check=True).stdout)["runs"]
print(runs[0]["detail"]["check_ms"])
PY
}
first=$(check_run "$(git rev-parse HEAD)")
echo "touched" >>README
git commit -q -a -m "docs only"
second=$(check_run "$(git rev-parse HEAD)")
echo "first check (configure, build, ctest):        ${first} ms"
echo "second check, same sources, kept build tree:  ${second} ms"
awk -v a="$first" -v b="$second" 'BEGIN { printf "second / first: %.2fx (the build tree was %s)\n", b / a, (b < a / 2) ? "reused" : "NOT reused" }'
