#!/usr/bin/env bash
# The command registry (`git knot --list-cmds`, `--list-opts <command>`), `git knot --help`,
# the manual's commands and their options, and the zsh completion's agree; both completions read
# the registry; every command answers --help, every manual page parses cleanly, and
# `git help knot` opens the page.
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

# 1. The registry: `git-knot --list-cmds` prints "name<TAB>summary" lines.
registry=$("$git_knot" --list-cmds) || fail "git-knot --list-cmds exited with $?"
from_registry=$(printf '%s\n' "$registry" | cut -f1 | sorted)
[ -n "$from_registry" ] || fail "git-knot --list-cmds listed no command"

# 2. The names `git-knot --help` lists: the first word of each indented line after "Commands:".
help_text=$("$git_knot" --help) || fail "git-knot --help exited with $?"
from_help=$(printf '%s\n' "$help_text" |
    awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && /^   [^ ]/ { print $1 }' | sorted)

# 3. The .SS names of the manual's COMMANDS section.
from_manual=$(awk '/^\.SH / { on = ($2 == "COMMANDS") ; next } on && /^\.SS / { print $2 }' \
    "$manual" | sorted)

# 4. The commands the zsh completion has a block of options for: its "(name)" case labels
# (the state labels "(command)" and "(argument)" are indented less).
from_zsh=$(sed -n 's/^        (\([a-z][a-z-]*\))$/\1/p' "$zsh_completion" | sorted)

compare() {
    local what=$1 got=$2
    [ "$got" = "$from_registry" ] || fail "$what disagrees with the registry (git-knot --list-cmds):
  registry: ${from_registry//$'\n'/ }
  $what: ${got//$'\n'/ }"
}
compare "git-knot --help" "$from_help"
compare "the COMMANDS section of man/git-knot.1" "$from_manual"
# The zsh completion's blocks refine the options of some commands (exclusions, values); a
# command without one gets its options from the registry, so a block names a command that exists.
for command in $from_zsh; do
    grep -qx -- "$command" <<<"$from_registry" ||
        fail "the zsh completion has a block for '$command', which is not a command"
done
# Both completions take the commands from the registry rather than a list of their own
# (tests/e2e/completion.sh drives the bash one).
grep -q -- '--list-cmds' "$bash_completion" || fail "the bash completion does not ask --list-cmds"
grep -q -- '--list-opts' "$bash_completion" || fail "the bash completion does not ask --list-opts"
grep -q -- '--list-cmds' "$zsh_completion" || fail "the zsh completion does not ask --list-cmds"
grep -q -- '--list-opts' "$zsh_completion" || fail "the zsh completion does not ask --list-opts"
if command -v zsh >/dev/null 2>&1; then
    zsh -n "$zsh_completion" || fail "zsh cannot parse $zsh_completion"
fi
echo "docs_agree: commands agree: ${from_registry//$'\n'/ }"

# The options of `command` in the registry, one a line, without --help and -h: "--path=<dir>"
# and "-n=<count>" take a value, "--json" does not.
registry_options() {
    "$git_knot" --list-opts "$1" | sed -e 's/ </=</' -e '/^--help$/d' -e '/^-h$/d' | LC_ALL=C sort -u
}

# The options the manual's section of `command` describes, in the same form, from its .TP
# items: ".BI \-\-path " dir"" or ".BR \-\-intent ", " \-m " \fItext\fR"" take a value.
manual_options() {
    awk -v command="$1" '
        /^\.SH / { on = 0; next }
        /^\.SS / { on = ($2 == command); next }
        on && item {
            item = 0
            line = $0
            gsub(/\\-/, "-", line)
            value = ""
            if (match(line, /\\fI[^\\]*\\fR/)) {
                value = substr(line, RSTART + 3, RLENGTH - 6)
            } else if ($1 == ".BI" && match(line, /" [^"]+"/)) {
                value = substr(line, RSTART + 2, RLENGTH - 3)
            }
            n = split(line, words, /[ ",]+/)
            for (i = 2; i <= n; i++)
                if (words[i] ~ /^--?[a-z][a-z-]*$/)
                    print words[i] (value == "" ? "" : "=<" value ">")
        }
        on && /^\.TP/ { item = 1 }
    ' "$manual" | LC_ALL=C sort -u
}

# The options the zsh completion gives `command`, without value names ("--path=", "--json"):
# an option spec followed by ":message:action" (or written "--name=" or "-n+") takes a value.
zsh_options() {
    awk -v command="$1" '
        $0 ~ "^[[:space:]]*[(]" command "[)]$" { on = 1; next }
        on && /^[[:space:]]*;;/ { exit }
        on {
            line = $0
            gsub(/\[[^]]*\]/, "[]", line)   # the descriptions
            gsub(/\([^)]*\)/, "", line)     # exclusion lists and value lists
            value = (line ~ /\[\]:/)
            sub(/\[\].*/, "", line)
            gsub(/[=+]/, "", line)
            n = split(line, words, /[^-a-z]+/)
            for (i = 1; i <= n; i++)
                if (words[i] ~ /^--?[a-z][a-z-]*$/)
                    print words[i] (value ? "=" : "")
        }
    ' "$zsh_completion" | LC_ALL=C sort -u
}

for command in $from_registry; do
    want=$(registry_options "$command")
    got=$(manual_options "$command")
    [ "$got" = "$want" ] || fail "the options of '$command' in man/git-knot.1 disagree with the registry (git-knot --list-opts $command):
  registry: ${want//$'\n'/ }
  manual: ${got//$'\n'/ }"
    grep -qx -- "$command" <<<"$from_zsh" || continue
    want=$(printf '%s\n' "$want" | sed 's/=<.*/=/' | sed '/^$/d')
    got=$(zsh_options "$command")
    [ "$got" = "$want" ] || fail "the options of '$command' in the zsh completion disagree with the registry (git-knot --list-opts $command):
  registry: ${want//$'\n'/ }
  zsh: ${got//$'\n'/ }"
done
echo "docs_agree: options agree with the manual and the zsh completion"

# 5. Every command answers --help with status 0.
for command in $from_registry; do
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
