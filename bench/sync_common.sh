# Shared by the sync benchmarks (sourced after common.sh, not run): a room hosted in
# bench_sandbox's repository, clones joined to it, a loopback `git http-backend` for plain git's
# smart HTTP, a clock and the server's peak memory. Sets `invite`, `port`, `http_url` and
# `http_skipped`; sync_host_room's EXIT trap also stops the web server.

http_pid=""
http_url=""
http_skipped=""

sync_cleanup() {
    if [ -n "$http_pid" ]; then
        kill "$http_pid" 2>/dev/null || true
        wait "$http_pid" 2>/dev/null || true
    fi
    bench_cleanup
}

# Microseconds since the epoch, read without starting a process.
now_us() { echo "${EPOCHREALTIME/./}"; }

# The median of the numbers on standard input (microseconds), printed in ms.
median_ms() {
    sort -n | awk '{ v[NR] = $1 } END { printf "%.1f\n", v[int((NR + 1) / 2)] / 1000 }'
}

# sync_setup <script> <build>: checks the programs, makes the sandbox (bench_sandbox) with one
# commit in its repository and hosts the room there (sync_host_room).
sync_setup() {
    bench_require "$1" "$2" git-knot git-remote-knot knot-server
    bench_sandbox "$2"
    echo "bench" >README
    git add README
    git commit -q -m "host"
    sync_host_room
}

# sync_make_files <count>: writes <count> small text files into src/ of the current directory,
# in 500 folders (src/d000/f000.txt ...), for the large-tree benchmarks; sets `dirs`.
sync_make_files() {
    local total=$1 per_dir
    dirs=500
    per_dir=$(((total + dirs - 1) / dirs))
    mkdir -p src
    (cd src && awk -v dirs=$dirs -v per="$per_dir" -v total="$total" 'BEGIN {
        for (d = 0; d < dirs; d++) {
            dir = sprintf("d%03d", d); system("mkdir -p " dir)
            for (f = 0; f < per && d * per + f < total; f++) {
                name = sprintf("%s/f%03d.txt", dir, f)
                printf "file %d of folder %d\nsome text so the blob is not tiny: %d\n", f, d, d * per + f > name
                close(name)
            }
        }
    }')
}

# sync_host_room: in bench_sandbox's repository ($tmp/repo, one commit needed), `git knot init`
# and `git knot up` on port 0; sets `invite` and `port`.
sync_host_room() {
    trap sync_cleanup EXIT # after bench_sandbox's, which it replaces
    (cd "$tmp/repo" && git knot init --name host-1 --kind other >/dev/null &&
        git knot up --port 0 --no-tunnel --json >"$tmp/up.json")
    room_up=1
    invite=$(sed -n 's/^  "invite": "\(.*\)",$/\1/p' "$tmp/up.json")
    port=$(sed -n 's/^  "server": "http:\/\/127.0.0.1:\([0-9]*\)",*$/\1/p' "$tmp/up.json")
}

# sync_restart_room: `git knot down` and up again on the same port, so the server's peak memory
# starts afresh; the joined clones keep their remote URL.
sync_restart_room() {
    (cd "$tmp/repo" && git knot down >/dev/null &&
        git knot up --port "$port" --no-tunnel --json >"$tmp/up.json")
}

# The pid of the room's knot-server, from its server.json.
server_pid() {
    sed 's/.*"pid":\([0-9]*\).*/\1/' "$tmp/repo/.git/knot/server/server.json"
}

# The knot-server's peak resident memory (VmHWM) in KiB.
server_peak_kb() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$(server_pid)/status"
}

# sync_join <dir> <name>: clones the host repository into <dir> and joins the room as <name>,
# in hosted mode.
sync_join() {
    git clone -q "$tmp/repo" "$1"
    # Hosted mode: the clone's origin (the host's repository) would otherwise make it a forge.
    (cd "$1" && git knot join "$invite" --name "$2" --kind other >/dev/null &&
        git config knot.forge none)
}

# sync_wait_idle <clone>: waits (at most a minute) until the room of <clone> has no integration
# run queued or running. Every accepted push queues one (a merge, and the checks when the tree
# has any); without the wait that background work would be timed with whichever operation comes
# next, knot or plain git. Asks through `git knot check --history --json`.
sync_wait_idle() {
    local answer i
    for ((i = 0; i < 3000; i++)); do
        answer=$(cd "$1" && git knot check --history --json -n 5 2>/dev/null) || return 0
        case $answer in
        *'"status": "queued"'* | *'"status": "running"'*) sleep 0.02 ;;
        *) return 0 ;;
        esac
    done
}

# sync_http_start: serves the bare repositories under $tmp/http with git http-backend through
# git_http_server.py; sets `http_url` (the root), or `http_skipped` to the reason it cannot.
sync_http_start() {
    mkdir -p "$tmp/http"
    if ! command -v python3 >/dev/null || ! python3 -c 'import http.server' 2>/dev/null; then
        http_skipped="python3 with http.server is not installed"
        return 0
    fi
    if [ ! -x "$(git --exec-path)/git-http-backend" ]; then
        http_skipped="git http-backend is not installed"
        return 0
    fi
    local http_port=""
    exec {http_fd}< <(exec python3 "$(dirname "${BASH_SOURCE[0]}")/git_http_server.py" "$tmp/http")
    http_pid=$!
    read -r -t 10 -u "$http_fd" http_port || true
    if [ -z "$http_port" ]; then
        http_skipped="the loopback web server did not start"
        return 0
    fi
    http_url="http://127.0.0.1:$http_port"
}

# sync_bare <name>: a bare repository $tmp/http/<name>.git that accepts pushes over HTTP.
sync_bare() {
    git init -q --bare "$tmp/http/$1.git"
    git -C "$tmp/http/$1.git" config http.receivepack true
}

# sync_targets: in the repository to push, reads every object once (untimed, so the first push
# timed does not pay for a cold cache alone), makes $tmp/file.git and, when a web server runs,
# the http repository; sets `targets` and the associative array `url` (target -> push URL).
sync_targets() {
    git cat-file --batch-all-objects --batch >/dev/null
    git init -q --bare "$tmp/file.git"
    targets=("file://" "knot")
    declare -gA url=([file://]="file://$tmp/file.git" [knot]="knot")
    if [ -n "$http_url" ]; then
        sync_bare http
        targets=("file://" "http" "knot")
        url[http]="$http_url/http.git"
    else
        echo "http-backend skipped: $http_skipped"
    fi
}

# sync_make_cmake_project N: a CMake project of N C files in the current directory (CMakeLists.txt
# and cproject/), built and tested by the integration agent's detection: what the check
# benchmarks time.
sync_make_cmake_project() {
    local sources=$1 i
    mkdir -p cproject
    {
        echo "cmake_minimum_required(VERSION 3.16)"
        echo "project(bench C)"
        echo "enable_testing()"
        echo "file(GLOB sources cproject/*.c)"
        echo "add_executable(prog \${sources})"
        echo "add_test(NAME prog COMMAND prog)"
    } >CMakeLists.txt
    for i in $(seq 1 "$sources"); do
        printf 'int f%d(int x) { int s = 0; for (int i = 0; i < x; ++i) s += i * %d; return s; }\n' \
            "$i" "$i" >"cproject/f$i.c"
    done
    {
        for i in $(seq 1 "$sources"); do printf 'int f%d(int);\n' "$i"; done
        printf 'int main(void) { int s = 0;\n'
        for i in $(seq 1 "$sources"); do printf '  s += f%d(3);\n' "$i"; done
        printf '  return s < 0; }\n'
    } >cproject/main.c
}

# sync_check_ms: pushes HEAD through knot, waits for its run on the event stream (failing unless
# it integrated), prints the run's check_ms (the server's own timing of the checks).
sync_check_ms() {
    git push -q knot main
    python3 - "$(git rev-parse HEAD)" <<'PY'
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
