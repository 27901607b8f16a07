# Shared by the benchmark scripts (sourced, not run): checking that the programs exist, and a
# sandbox with its own HOME and git identity so no configuration of this machine changes the
# figures. Sets `tmp` and `room_up`; the EXIT trap stops a room left up and removes the sandbox.

# bench_require <script> <build> <program>...: exits with the build command when one is missing.
bench_require() {
    local script=$1 build=$2 program
    shift 2
    for program in "$@"; do
        if [ ! -x "$build/bin/$program" ]; then
            echo "$script: $build/bin/$program is missing; build it with:" >&2
            echo "  ninja -C $build $*" >&2
            exit 1
        fi
    done
}

# bench_sandbox <build>: a temporary HOME with a git identity, <build>/bin first on PATH, and a
# repository at $tmp/repo with one commit, entered.
bench_sandbox() {
    local build=$1
    tmp=$(mktemp -d)
    room_up=0
    trap bench_cleanup EXIT
    export HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1 PATH="$build/bin:$PATH" LC_ALL=C
    mkdir -p "$HOME"
    git config --global user.name "Bench User"
    git config --global user.email "bench@example.invalid"
    git config --global init.defaultBranch main
    git init -q "$tmp/repo"
    cd "$tmp/repo"
}

bench_cleanup() {
    if [ "$room_up" = 1 ]; then
        (cd "$tmp/repo" && git knot down >/dev/null 2>&1) || true
    fi
    rm -rf "$tmp"
}
