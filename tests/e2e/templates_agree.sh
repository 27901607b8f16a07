#!/usr/bin/env bash
# The texts agents follow (the playbook, the editor rule, HOST.md) tell the truth about the
# commands: every `git knot <command>` they name is a command of git-knot's registry
# (`git knot --list-cmds`), and no paragraph that names a command (or `git push knot`) says that it
# is missing, refused or coming later. Agents that were told `sync` "arrives later" skipped
# integration; this keeps the templates from drifting from the program again.
#
# usage: templates_agree.sh <source-dir> <build-dir>
set -euo pipefail

source=${1:?usage: templates_agree.sh <source-dir> <build-dir>}
build=${2:?usage: templates_agree.sh <source-dir> <build-dir>}
git_knot="$build/bin/git-knot"
templates=("$source"/share/knot/templates/*)

fail() {
    echo "templates_agree: FAIL: $*" >&2
    exit 1
}

[ -x "$git_knot" ] || fail "$git_knot is missing"
[ "${#templates[@]}" -ge 3 ] || fail "expected three templates in share/knot/templates"

# The command names of the registry: `git-knot --list-cmds` prints "name<TAB>summary" lines.
commands=$("$git_knot" --list-cmds | cut -f1)
[ "$(echo "$commands" | wc -l)" -ge 10 ] || fail "git-knot --list-cmds listed no commands"
is_command() { grep -qx -- "$1" <<<"$commands"; } # a here-string: grep -q's early exit cannot fail a pipe

for template in "${templates[@]}"; do
    name=${template#"$source"/}

    # 1. Every `git knot <word>` names a command (or is an option such as --help).
    while read -r word; do
        case $word in
        '' | -*) ;; # `git knot <command>` and `git knot --help`
        *) is_command "$word" || fail "$name names 'git knot $word', which is not a command of
git-knot's registry (git-knot --list-cmds)" ;;
        esac
    done < <(grep -o 'git knot [A-Za-z-]*' "$template" | awk '{ print $3 }' | sort -u)

    # 2. No paragraph that names a command says it is missing or coming: a command is named as
    # `git knot <name>`, as `<name>` in backticks, or as git push/fetch/pull knot.
    pattern='`(git knot )?('$(echo $commands | tr ' ' '|')')[ `]|git (push|fetch|pull)( [^ ]*)? knot'
    awk -v RS= -v file="$name" -v commands="$pattern" '
        {
            text = tolower($0)
            gsub(/\n/, " ", text)
            if (text ~ /not yet|no longer|later release|in a later|arrives?|do(es)? not exist|there is no `|refused in this release|until then|not available/ &&
                $0 ~ commands) {
                printf "%s, paragraph %d, says a command is missing or coming:\n%s\n", file, NR, $0
                bad = 1
            }
        }
        END { exit bad }' "$template" >&2 || fail "$name describes commands that exist as absent"
done

echo "templates_agree: ok: ${#templates[@]} templates name only commands of the registry"
