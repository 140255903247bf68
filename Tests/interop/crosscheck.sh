#!/usr/bin/env bash
# Cross-checks Custody's signed checkpoints, leaf hashes and Merkle proofs with
# Go's independent implementation (golang.org/x/mod/sumdb/note and sumdb/tlog).
# Runs offline. Usage: crosscheck.sh PATH/TO/custody
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 PATH/TO/custody" >&2
    exit 2
fi
CUSTODY="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[ -x "$CUSTODY" ] || { echo "crosscheck: $1 is not an executable" >&2; exit 2; }
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

# Build the Go checker offline from the Debian-packaged x/mod sources.
GOCACHE="${GOCACHE:-$(go env GOCACHE 2>/dev/null || true)}"
if [ -z "$GOCACHE" ] || [ "$GOCACHE" = off ]; then GOCACHE="$T/gocache"; fi
mkdir -p "$T/src/tlogcheck"
cp "$HERE/tlogcheck/main.go" "$T/src/tlogcheck/"
(cd "$T/src" && GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= GOCACHE="$GOCACHE" \
    go build -o "$T/tlogcheck" ./tlogcheck)

c() { "$CUSTODY" --config "$T/custody.toml" "$@"; }

c init > "$T/init.out"
c verifier-key > "$T/key"
if ! grep -qF -- "$(cat "$T/key")" "$T/init.out"; then
    echo "crosscheck: note: \`init\` output does not contain the key printed by \`verifier-key\`" >&2
fi

# About 70 notes exercising canonical JSON escaping: CJK, quotes, backslashes,
# newlines, slashes, emoji, tabs, combining marks, long text.
notes=(
    "张伟 执法证 64000123"
    "李娜 执法证 64000456 现场勘验"
    "he said \"stop\" and left"
    'C:\Windows\System32\drivers'
    $'line one\nline two'
    $'three\nlines\nhere'
    "path/to/evidence/IMG_0001.jpg"
    "https://example.org/a/b?c=d&e=f"
    "emoji 📷🔒✅"
    "family 👨‍👩‍👧 flag 🇨🇳"
    $'tab\tseparated\tvalues'
    "café naïve résumé"
    "e\u0301 combining (literal backslash-u)"
    $'e\xcc\x81 combining acute'
    "</script><!-- -->"
    "a\\\"b"
    '\\\\server\share'
    "single 'quotes' too"
    "{\"looks\":\"like json\"}"
    "[1,2,3]"
    "null"
    "0"
    "-1.5e10"
    "true"
    " leading and trailing spaces "
    "Ω≈ç√∫˜µ≤≥÷"
    "日本語のテキスト"
    "한국어 텍스트"
    "Ελληνικά κείμενο"
    "עברית טקסט"
    "العربية نص"
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral 𝟘𝟙𝟚"
    $'CRLF\r\nline'
    "percent %s %d %% and dollar \$HOME"
    "backtick \`cmd\` and semicolon;"
    "ampersand & less < greater >"
    $'U+2028 [\xe2\x80\xa8] U+2029 [\xe2\x80\xa9]'
    $'zero-width\xe2\x80\x8bspace\xe2\x80\x8cnon-joiner'
    $'BOM \xef\xbb\xbf inside'
    "slash / backslash \\ both"
    $'ends with newline\n'
    "$(printf 'x%.0s' {1..300})"
)
while [ "${#notes[@]}" -lt 70 ]; do
    n=${#notes[@]}
    notes+=("张伟 执法证 640001$((n % 100)) 记录 #$n \"q\" \\ / 🔏")
done

declare -A cp_at=([1]=1 [2]=1 [7]=1 [8]=1 [33]=1 [64]=1 [70]=1)
mkdir -p "$T/cp"
size=0
for text in "${notes[@]}"; do
    # --text=VALUE, not --text VALUE: ArgumentParser takes a value that begins
    # with '-' (like "-1.5e10") for an option and reports a missing value.
    c append-note --text="$text" > /dev/null
    size=$((size + 1))
    if [ -n "${cp_at[$size]:-}" ]; then
        c checkpoint --sign > "$T/cp/cp-$size.note"
    fi
done

c entries --json --limit 1000 > "$T/entries.jsonl"

: > "$T/inclusion.jsonl"
declare -A seen=()
for s in 1 2 3 7 8 9 16 17 33 64 65 70; do
    for i in 0 $((s / 2)) $((s - 1)); do
        [ -z "${seen[$i,$s]:-}" ] || continue
        seen[$i,$s]=1
        c prove inclusion --index "$i" --size "$s" --json >> "$T/inclusion.jsonl"
    done
done
for pair in 5,70 31,33 40,70 63,64 62,64 12,13; do
    c prove inclusion --index "${pair%,*}" --size "${pair#*,}" --json >> "$T/inclusion.jsonl"
done

: > "$T/consistency.jsonl"
for pair in 1,1 1,2 1,3 1,64 1,70 2,2 2,3 2,8 2,70 3,7 3,70 4,4 4,8 5,6 6,8 7,8 7,64 \
    8,8 8,9 8,16 9,33 10,11 12,70 13,50 15,16 16,17 16,32 17,64 31,32 32,33 32,64 \
    33,70 40,70 50,70 63,64 64,64 64,70 65,70 69,70 70,70; do
    c prove consistency --from "${pair%,*}" --to "${pair#*,}" --json >> "$T/consistency.jsonl"
done

status=0
"$T/tlogcheck" -key "$T/key" -checkpoints "$T/cp" -entries "$T/entries.jsonl" \
    -inclusion "$T/inclusion.jsonl" -consistency "$T/consistency.jsonl" || status=$?
exit "$status"
