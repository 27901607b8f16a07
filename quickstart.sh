#!/usr/bin/env bash
# knot's quick start on Debian 12, as root: installs the Debian packages knot builds with,
# builds, installs to a prefix on PATH, then either hosts a room in a repository (`up`, the
# default) or runs every test (`test`, what .ci/run calls).
#
#   ./quickstart.sh [up [REPO]]   host a room in REPO (default: this checkout); prints the invite
#   ./quickstart.sh test          the same set-up, then the whole test suite
#
# Environment: KNOT_PREFIX (default /usr/local), KNOT_BUILD_DIR (default ./build).
set -euo pipefail

mode=${1:-up}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${KNOT_PREFIX:-/usr/local}
build=${KNOT_BUILD_DIR:-$here/build}

packages=(g++ cmake ninja-build pkg-config git ca-certificates openssl ccache
          libgit2-dev libsodium-dev libpoco-dev libsqlite3-dev nlohmann-json3-dev zlib1g-dev
          catch2 libcli11-dev man-db groff-base clang-format bubblewrap)

say() { printf '==> %s\n' "$*"; }

install_packages() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
        "${sudo[@]}" apt-get update
        "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

build_and_install() {
    say "building in $build"
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DCMAKE_INSTALL_PREFIX="$prefix" -DKNOT_WERROR=ON
    cmake --build "$build"
    say "installing to $prefix"
    if [ -w "$prefix" ] || [ "$(id -u)" -eq 0 ]; then
        cmake --install "$build" >/dev/null
    else
        sudo cmake --install "$build" >/dev/null
    fi
    # `git help knot` finds the page through man's own path; refresh its index when present.
    command -v mandb >/dev/null && mandb -q "$prefix/share/man" 2>/dev/null || true
}

host_room() {
    local repo=${1:-$here}
    cd "$repo"
    git rev-parse --verify -q HEAD >/dev/null ||
        { echo "quickstart: $repo has no commits; make one first" >&2; exit 128; }
    git knot init
    if git knot status >/dev/null 2>&1 && [ -f .knot/HOST.md ]; then
        say "a room is already up here"
        git knot status
        grep -m1 -o "git knot join '[^']*'" .knot/HOST.md
        return 0
    fi
    git knot up --no-tunnel
}

run_tests() {
    say "checking the format"
    cmake --build "$build" --target check_format
    say "running every test"
    ctest --test-dir "$build" --output-on-failure -j 2 --timeout 300
}

install_packages
build_and_install
case "$mode" in
    up) host_room "${2:-}" ;;
    test) run_tests ;;
    *) echo "usage: quickstart.sh [up [REPO] | test]" >&2; exit 129 ;;
esac
