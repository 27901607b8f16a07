#!/usr/bin/env bash
# The server's error codes are defined once, in libknot/protocol/error_codes.hpp: every named
# code has one row of the table; no code is spelled out as a string in server/ nor compared as
# one by a client; docs/protocol.md and knot-protocol(7) list exactly the table's codes with
# their statuses, and every "<status> <code>" they mention elsewhere agrees with the table.
#
# usage: error_codes_agree.sh <source-dir>
set -euo pipefail

source=${1:?usage: error_codes_agree.sh <source-dir>}
header="$source/libknot/protocol/error_codes.hpp"
markdown="$source/docs/protocol.md"
manual="$source/man/knot-protocol.7"

fail() {
    echo "error_codes_agree: FAIL: $*" >&2
    exit 1
}

for file in "$header" "$markdown" "$manual"; do
    [ -e "$file" ] || fail "$file is missing"
done

# The constants, "name value" (the C++ name, the code on the wire).
constants=$(sed -n 's/^inline constexpr std::string_view \([a-z_0-9]*\) = "\([a-z_0-9]*\)";$/\1 \2/p' \
    "$header")
[ -n "$constants" ] || fail "no error_code constant found in $header"

# The table's rows, "name status", in the table's order.
rows=$(sed -n 's/^ *{error_code::\([a-z_0-9]*\), \([0-9][0-9][0-9]\),.*/\1 \2/p' "$header")
[ -n "$rows" ] || fail "no row of k_error_codes found in $header"

# 1. Each constant has exactly one row, and the table names only constants.
names_of_constants=$(cut -d' ' -f1 <<<"$constants" | LC_ALL=C sort)
names_of_rows=$(cut -d' ' -f1 <<<"$rows" | LC_ALL=C sort)
[ "$names_of_rows" = "$(LC_ALL=C sort -u <<<"$names_of_rows")" ] ||
    fail "a code has two rows in k_error_codes: $(uniq -d <<<"$names_of_rows" | tr '\n' ' ')"
[ "$names_of_constants" = "$names_of_rows" ] || fail "the constants and the rows of k_error_codes differ:
  constants: ${names_of_constants//$'\n'/ }
  rows: ${names_of_rows//$'\n'/ }"

# The table as the wire sees it: "code status", sorted.
table=$(join <(LC_ALL=C sort <<<"$constants") <(LC_ALL=C sort <<<"$rows") | cut -d' ' -f2,3 |
    LC_ALL=C sort)
codes=$(cut -d' ' -f1 <<<"$table" | paste -sd'|')

# 2. No code spelled as a string literal in server/ outside comments: the server sends a code
# only as an error_code constant, which the compiler checks against the table.
literals=$(grep -rnE --include='*.cpp' --include='*.hpp' "\"($codes)\"" "$source/server" |
    grep -vE '^[^:]*:[0-9]+:[[:space:]]*//' || true)
[ -z "$literals" ] || fail "server/ spells out an error code instead of its error_code constant:
$literals"
# Nor a client: a response's code is compared against the constants.
compared=$(grep -rnE --include='*.cpp' --include='*.hpp' 'code(\(\))? *[!=]= *"' \
    "$source/libknot" "$source/hooks" "$source/git-knot" "$source/git-remote-knot" || true)
[ -z "$compared" ] || fail "a client compares an error code with a string, not its constant:
$compared"

compare() {
    local what=$1 got=$2
    [ "$got" = "$table" ] || fail "$what disagrees with k_error_codes:
$(diff <(printf '%s\n' "$table") <(printf '%s\n' "$got") | sed -n 's/^[<>]/  &/p')
  (< the table, > $what)"
}

# 3. The Errors table of docs/protocol.md: rows "| `code` | status | meaning |".
# shellcheck disable=SC2016 # the backticks are Markdown's, not the shell's
from_markdown=$(sed -n 's/^| `\([a-z_0-9]*\)` | \([0-9][0-9][0-9]\) | .* |$/\1 \2/p' "$markdown" |
    LC_ALL=C sort)
compare "the Errors table of docs/protocol.md" "$from_markdown"

# 4. The ERRORS table of knot-protocol(7): rows "code<TAB>status<TAB>T{".
from_manual=$(awk '/^\.SH / { on = ($2 == "ERRORS"); next }
    on && /^[a-z_0-9]+\t[0-9][0-9][0-9]\t/ { split($0, f, "\t"); print f[1], f[2] }' "$manual" |
    LC_ALL=C sort)
compare "the ERRORS table of man/knot-protocol.7" "$from_manual"

# 5. Every "<status> <code>" the pages mention (a route's answers) names a code of the table
# with that status.
# shellcheck disable=SC2016 # the backticks are Markdown's, not the shell's
mentions=$( (grep -oE '\b[45][0-9]{2} `[a-z_0-9]+`' "$markdown" | tr -d '`' || true
    grep -oE '\b[45][0-9]{2} \\fB[a-z_0-9]+\\fR' "$manual" | sed 's/\\f[BR]//g' || true) |
    awk '{ print $2, $1 }' | LC_ALL=C sort -u)
while read -r code status; do
    [ -n "$code" ] || continue
    grep -qx -- "$code $status" <<<"$table" ||
        fail "the docs mention $status $code, which k_error_codes does not have"
done <<<"$mentions"

echo "error_codes_agree: ok: $(wc -l <<<"$table") codes"
