#!/usr/bin/env bash
# The command table, `git knot --help`, the manual and both completions agree, every command
# answers --help, every manual page parses cleanly, and `git help knot` opens the page.
#
# usage: docs_agree.sh <build-dir> <source-dir>
set -euo pipefail

build=${1:?usage: docs_agree.sh <build-dir> <source-dir>}
source=${2:?usage: docs_agree.sh <build-dir> <source-dir>}
git_knot="$build/bin/git-knot"
manual="$source/man/git-knot.1"
bash_completion="$source/share/bash-completion/completions/git-knot"
zsh_completion="$source/share/zsh/site-functions/_git-knot"

fail() {
    echo "docs_agree: FAIL: $*" >&2
    exit 1
}

for file in "$git_knot" "$manual" "$bash_completion" "$zsh_completion"; do
    [ -e "$file" ] || fail "$file is missing"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Commands run outside any repository, with no user configuration to surprise them.
cd "$tmp"
export HOME="$tmp" GIT_CONFIG_NOSYSTEM=1

# One name per line, sorted, so lists compare with plain string equality.
sorted() { tr ' ' '\n' | sed '/^$/d' | LC_ALL=C sort; }

# 1. The names `git-knot --help` lists: the first word of each indented line after "Commands:".
help_text=$("$git_knot" --help) || fail "git-knot --help exited with $?"
from_help=$(printf '%s\n' "$help_text" |
    awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && /^   [^ ]/ { print $1 }' | sorted)
[ -n "$from_help" ] || fail "found no commands in the output of git-knot --help"

# 2. The .SS names of the manual's COMMANDS section.
from_manual=$(awk '/^\.SH / { on = ($2 == "COMMANDS") ; next } on && /^\.SS / { print $2 }' \
    "$manual" | sorted)

# 3. The bash completion's subcommand word list.
from_bash=$(sed -n 's/^[[:space:]]*local subcommands="\([^"]*\)".*/\1/p' "$bash_completion" |
    sorted)

# 4. The zsh completion's described subcommands: 'name:summary' lines in knot_subcommands.
from_zsh=$(awk '/knot_subcommands=\(/ { on = 1; next } on && /^[[:space:]]*\)/ { exit }
    on { line = $0; sub(/^[[:space:]]*'"'"'/, "", line); sub(/:.*/, "", line); print line }' \
    "$zsh_completion" | sorted)

compare() {
    local what=$1 got=$2
    [ "$got" = "$from_help" ] || fail "$what disagrees with git-knot --help:
  git-knot --help: $(echo $from_help)
  $what: $(echo $got)"
}
compare "the COMMANDS section of man/git-knot.1" "$from_manual"
compare "the bash completion" "$from_bash"
compare "the zsh completion" "$from_zsh"
echo "docs_agree: commands agree: $(echo $from_help)"

# 5. Every command answers --help with status 0.
for command in $from_help; do
    "$git_knot" "$command" --help >/dev/null 2>"$tmp/stderr" ||
        fail "git knot $command --help exited with $?: $(cat "$tmp/stderr")"
done

# 6. Every manual page formats without a warning.
pages=("$source"/man/*.[1-9])
[ "${#pages[@]}" -ge 4 ] || fail "expected four manual pages in $source/man, found ${#pages[@]}"
if command -v man >/dev/null 2>&1; then
    for page in "${pages[@]}"; do
        MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>"$tmp/warnings" ||
            fail "man cannot format $page: $(cat "$tmp/warnings")"
        [ ! -s "$tmp/warnings" ] || fail "man warns about $page:
$(cat "$tmp/warnings")"
    done
elif command -v groff >/dev/null 2>&1; then
    for page in "${pages[@]}"; do
        groff -t -man -ww -z "$page" 2>"$tmp/warnings" || fail "groff cannot format $page"
        [ ! -s "$tmp/warnings" ] || fail "groff warns about $page:
$(cat "$tmp/warnings")"
    done
else
    echo "docs_agree: note: neither man nor groff is installed; the pages were not formatted"
fi

# 7. `git help knot` (what `git knot --help` runs) finds and opens git-knot.1. git treats a
# name it cannot find as a command as a guide (gitknot), so git-knot must be on PATH.
if command -v man >/dev/null 2>&1; then
    mkdir -p "$tmp/man/man1"
    cp "$manual" "$tmp/man/man1/git-knot.1"
    PATH="$build/bin:$PATH" MANPATH="$tmp/man" GIT_PAGER=cat MANPAGER=cat PAGER=cat \
        git -c help.format=man help knot >"$tmp/help" 2>&1 ||
        fail "git help knot exited with $?: $(cat "$tmp/help")"
    grep -q 'git-knot' "$tmp/help" || fail "git help knot did not show the page:
$(cat "$tmp/help")"
else
    echo "docs_agree: note: man is not installed; 'git help knot' was not tried"
fi

echo "docs_agree: ok"
