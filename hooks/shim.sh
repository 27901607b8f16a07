#!/bin/sh
# knot's git hook shim (git knot hook <name>), written by 'git knot init' and 'git knot join'
# as pre-commit, pre-push, post-merge, post-checkout and post-rewrite. One file serves every
# hook: it takes the hook's name from its own file name. The hook that was there before runs
# first, kept as <hook>.knot-orig; 'git knot init --uninstall-hooks' puts it back.
hook=${0##*/}
orig="$0.knot-orig"

# git feeds pre-push and post-rewrite on standard input: when both the kept hook and knot run,
# each gets the same bytes.
buffered=no
if [ -x "$orig" ]; then
    case $hook in
    pre-push | post-rewrite)
        buffered=yes
        input=$(cat; echo .) # the dot keeps trailing newlines, which $(...) would drop
        input=${input%.}
        printf '%s' "$input" | "$orig" "$@"
        ;;
    *)
        "$orig" "$@"
        ;;
    esac
    status=$?
    # A pre-* hook that refuses stops git here; a post-* one cannot stop anything.
    case $hook in
    pre-*) [ "$status" -eq 0 ] || exit "$status" ;;
    esac
fi

# Without git-knot on PATH (uninstalled) the shim steps aside rather than block git.
command -v git-knot >/dev/null 2>&1 || exit 0

# git-knot is called directly, not through git's dispatch (`git knot hook`), which would add a
# millisecond or two to every commit.
if [ "$buffered" = yes ]; then
    printf '%s' "$input" | git-knot hook "$hook" "$@"
    exit $?
fi
exec git-knot hook "$hook" "$@"
