#!/usr/bin/env bash
# The bash completion of `git knot`, driven through git's own completion as a shell would:
# commands and options come from git-knot's registry, an option that takes a value is offered
# as "--name=" and its value is not taken for an option or a flag.
#
# usage: completion.sh <build-dir> <source-dir>
set -euo pipefail

build=${1:?usage: completion.sh <build-dir> <source-dir>}
source=${2:?usage: completion.sh <build-dir> <source-dir>}
git_completion=/usr/share/bash-completion/completions/git

fail() {
    echo "completion: FAIL: $*" >&2
    exit 1
}

if [ ! -r "$git_completion" ]; then
    echo "completion: note: $git_completion is missing; git's completion was not tried"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export HOME="$tmp" GIT_CONFIG_NOSYSTEM=1 PATH="$build/bin:$PATH"

set +eu # git's completion is not written for -e and -u
# shellcheck source=/dev/null
source "$git_completion"
# shellcheck source=/dev/null
source "$source/share/bash-completion/completions/git-knot"

# The words bash would offer for the command line "$@" (the last word being completed), one a
# line, as readline gets them (a trailing space means the word is complete).
offered() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    __git_wrap__git_main
    if [ "${#COMPREPLY[@]}" -gt 0 ]; then printf '%s\n' "${COMPREPLY[@]}"; fi
}

# expect <what is offered> <command line...>: the offered words, one a line, equal the first.
expect() {
    local want=$1
    shift
    local got
    got=$(offered "$@")
    [ "$got" = "$want" ] || fail "'$*' offered:
$got
instead of:
$want"
}

# includes <word> <command line...>: the word is among those offered.
includes() {
    local word=$1
    shift
    local got
    got=$(offered "$@") # not piped into grep -q, whose early exit would fail the pipeline
    grep -qxF -- "$word" <<<"$got" || fail "'$*' does not offer '$word':
$got"
}

expect $'lock \nlocks \nlog ' git knot lo
includes '-n ' git knot log -
includes '--since=' git knot log -
includes '--follow ' git knot log -
expect '--lease=' git knot locks --le
expect '' git knot locks --lease ''
expect '' git knot log -n ''
expect '' git knot check -n ''
expect $'claude \ncodex \ncursor ' git knot join --kind c
expect $'agent ' git knot chat --mode a
expect $'auto ' git knot review --mode a
expect $'post-merge \npost-checkout \npost-rewrite ' git knot hook post-

# Every command offers exactly its registry's options.
commands=$(git-knot --list-cmds | cut -f1)
[ -n "$commands" ] || fail "git-knot --list-cmds listed nothing"
for command in $commands; do
    want=$(git-knot --list-opts "$command" |
        sed -e 's/=<.*/=/' -e 's/ <.*//' -e '/=$/!s/$/ /')
    expect "$want" git knot "$command" -
done

echo "completion: ok"
