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
first=$(sync_check_ms)
echo "touched" >>README
git commit -q -a -m "docs only"
second=$(sync_check_ms)
echo "first check (configure, build, ctest):        ${first} ms"
echo "second check, same sources, kept build tree:  ${second} ms"
awk -v a="$first" -v b="$second" 'BEGIN { printf "second / first: %.2fx (the build tree was %s)\n", b / a, (b < a / 2) ? "reused" : "NOT reused" }'
