#!/usr/bin/env bash
# The benchmark harness of issue 10 (`make bench` builds custody-bench in release mode, then runs this).
#
# Makes a loop-mounted ext4 recorder image and some page-cache data, runs every case of custody-bench (each
# appends its samples to $WORK/results.tsv), and writes the medians, ratios and targets to docs/benchmarks.md.
# Needs root: loop mounts and /proc/sys/vm/drop_caches. Takes about 10-15 minutes on a 2-core VM.
#
# Knobs (environment): BENCH_WORK (scratch folder, default /var/tmp/custody-bench; must not be tmpfs),
# BENCH_SIZES ("label:bytes …", the recorder image's files), BENCH_ROUNDS (rounds per file case, default 3),
# BENCH_QUICK=1 (a smoke run: small files, one round; its docs/benchmarks.md is not worth keeping),
# BENCH_CASES (a subset of "files rss throttled concurrent manifest feed", the default: runs only those and keeps
# the other cases' samples of the previous run in $WORK/results.tsv, so the report stays whole),
# BENCH_MANIFEST_SIZES (the manifest's milestones), BENCH_FEED_SECONDS (wrk time per feed request kind), BENCH_BIN
# (where custody and custodyd are, default next to custody-bench).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/.build-release/release/custody-bench}
WORK=${BENCH_WORK:-/var/tmp/custody-bench}
OUT=${BENCH_OUT:-$ROOT/docs/benchmarks.md}
STARTED=${BENCH_STARTED:-$(date +%s)}
MiB=$((1 << 20))

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    SIZES=${BENCH_SIZES:-"1MiB:$MiB 16MiB:$((16 * MiB)) 100MiB:$((100 * MiB))"}
    ROUNDS=${BENCH_ROUNDS:-1}; OTHER_ROUNDS=1
    T400=("$((64 * MiB))" 4 "$((16 * MiB))"); T35=("$((16 * MiB))" 2 "$((8 * MiB))")
    USB2_EACH=(2 "$((4 * MiB))"); FAST_EACH="$((64 * MiB))"; RECORDERS=1,2,8
    MANIFEST_SIZES=${BENCH_MANIFEST_SIZES:-10000,100000}; MANIFEST_PROOFS=200; MANIFEST_SINGLES=50
    FEED_SECONDS=${BENCH_FEED_SECONDS:-2}; FEED_MIB=64; FEED_NOTES=500
else
    # 2 GiB files do not fit the 15-minute budget on a 2-core VM; BENCH_SIZES can add one ("2GiB:2147483648").
    SIZES=${BENCH_SIZES:-"1MiB:$MiB 16MiB:$((16 * MiB)) 100MiB:$((100 * MiB)) 1GiB:$((1024 * MiB))"}
    ROUNDS=${BENCH_ROUNDS:-3}; OTHER_ROUNDS=3
    # throttled: single-file size, many-files count and size
    T400=("$((512 * MiB))" 8 "$((64 * MiB))"); T35=("$((64 * MiB))" 4 "$((16 * MiB))")
    USB2_EACH=(2 "$((32 * MiB))"); FAST_EACH="$((512 * MiB))"; RECORDERS=1,2,8,32
    # The log is grown in transactions of 100,000 entries (--grow-batch); the timed batches stay at 10,000 and 100.
    MANIFEST_SIZES=${BENCH_MANIFEST_SIZES:-10000,100000,1000000}; MANIFEST_PROOFS=1000; MANIFEST_SINGLES=200
    # The feed: custodyd (release) on loopback, wrk from a second process; 2,000 notes make the feed's log.
    FEED_SECONDS=${BENCH_FEED_SECONDS:-5}; FEED_MIB=200; FEED_NOTES=2000
fi
CASES=${BENCH_CASES:-files rss throttled concurrent manifest feed}
runs() { [[ " $CASES " == *" $1 "* ]]; }
BIN=${BENCH_BIN:-$(dirname "$BENCH")}  # custody and custodyd for the feed case

[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (loop mount, drop_caches); run it with sudo" >&2; exit 1; }
[ -x "$BENCH" ] || { echo "run.sh: $BENCH is missing; run \`make bench\`" >&2; exit 1; }
if runs feed; then
    [ -x "$BIN/custody" ] && [ -x "$BIN/custodyd" ] || { echo "run.sh: the feed case needs $BIN/custody and custodyd; run \`make bench\`" >&2; exit 1; }
    command -v wrk >/dev/null || { echo "run.sh: the feed case needs wrk (make bench installs it)" >&2; exit 1; }
fi

RESULTS=$WORK/results.tsv
COMMANDS=$WORK/commands.md
MNT=$WORK/mnt
mkdir -p "$WORK" "$MNT"
rm -f "$COMMANDS"
if [ -n "${BENCH_CASES:-}" ] && [ -f "$RESULTS" ]; then
    # Keep the samples of the cases not run now (their keys start with the case's name; "throttled" writes "throttle").
    pattern=$(for c in $CASES; do [ "$c" = throttled ] && c=throttle; printf '%s\\.|' "$c"; done)
    grep -Ev "^(${pattern%|})" "$RESULTS" >"$RESULTS.kept" || true
    mv "$RESULTS.kept" "$RESULTS"
else
    rm -f "$RESULTS"
fi

log() { printf '\n== %s (%ds)\n' "$*" "$(($(date +%s) - STARTED))"; }

# Runs custody-bench and notes the exact command for docs/benchmarks.md.
bench() {
    echo "custody-bench $*" | sed "s#$WORK#\$WORK#g; s#$ROOT/##g" >>"$COMMANDS"
    "$BENCH" "$@"
}

cleanup() {
    mountpoint -q "$MNT" && umount "$MNT" || true
}
trap cleanup EXIT

# Makes $1/NAME files of the given sizes unless the same set is already there ($2: seed base; rest: name:bytes).
make_files() {
    local folder=$1 seed=$2
    shift 2
    local stamp="$*"
    if [ -f "$folder.spec" ] && [ "$(cat "$folder.spec")" = "$stamp" ]; then return; fi
    rm -rf "$folder" "$folder.spec"
    mkdir -p "$folder"
    local n=0 pair
    for pair in "$@"; do
        mkdir -p "$(dirname "$folder/${pair%%:*}")"
        "$BENCH" make-file --path "$folder/${pair%%:*}" --size "${pair##*:}" --seed $((seed + n))
        n=$((n + 1))
    done
    echo "$stamp" >"$folder.spec"
}

# --- The recorder image: one folder per size, each with one file; ext4 made with -d, mounted ro,loop. ---
if runs files || runs rss || runs throttled || runs concurrent; then
log "recorder image"
cleanup
IMAGE=$WORK/recorder.img
if [ ! -f "$IMAGE" ] || [ "$(cat "$WORK/recorder.spec" 2>/dev/null)" != "$SIZES" ]; then
    rm -f "$IMAGE" "$WORK/recorder.spec"
    pairs=()
    total=0
    for pair in $SIZES; do
        pairs+=("${pair%%:*}/CLIP0001.MP4:${pair##*:}")
        total=$((total + ${pair##*:}))
    done
    make_files "$WORK/tree" 100 "${pairs[@]}"
    mkfs.ext4 -q -F -L RECORDER -d "$WORK/tree" "$IMAGE" "$(((total / 1024) * 105 / 100 + 65536))k"
    rm -rf "$WORK/tree" "$WORK/tree.spec"
    echo "$SIZES" >"$WORK/recorder.spec"
fi
mount -o ro,loop "$IMAGE" "$MNT"
LABELS=$(for pair in $SIZES; do printf '%s,' "${pair%%:*}"; done)
LABELS=${LABELS%,}

# --- Page-cache data for the rate-limited and concurrent cases. ---
log "data for the rate-limited and concurrent cases"
DATA=$WORK/data
many() { local i; for ((i = 1; i <= $1; i++)); do printf 'CLIP%04d.MP4:%s ' "$i" "$2"; done; }
make_files "$DATA/t400/single" 200 "CLIP0001.MP4:${T400[0]}"
make_files "$DATA/t400/many" 300 $(many "${T400[1]}" "${T400[2]}")
make_files "$DATA/t35/single" 400 "CLIP0001.MP4:${T35[0]}"
make_files "$DATA/t35/many" 500 $(many "${T35[1]}" "${T35[2]}")
usb2=()
for ((r = 0; r < ${RECORDERS##*,}; r++)); do
    for ((i = 1; i <= USB2_EACH[0]; i++)); do usb2+=("$(printf 'rec%02d/CLIP%04d.MP4:%s' "$r" "$i" "${USB2_EACH[1]}")"); done
done
make_files "$DATA/usb2" 1000 "${usb2[@]}"
make_files "$DATA/fast" 2000 "rec00/CLIP0001.MP4:$FAST_EACH" "rec01/CLIP0001.MP4:$FAST_EACH"
fi

# --- The cases. ---
if runs files; then
log "one recorder, one file: Custody against cp, sha256sum, openssl (warm and cold cache)"
bench files --source "$MNT" --labels "$LABELS" --work "$WORK/files" --caches warm,cold --rounds "$ROUNDS" \
    --warmups 1 --results "$RESULTS"
fi

if runs rss; then
log "peak RSS"
for pair in $SIZES; do
    label=${pair%%:*}
    bench rss --file "$MNT/$label/CLIP0001.MP4" --label "$label" --work "$WORK/rss" --results "$RESULTS"
done
fi

if runs throttled; then
log "rate-limited recorders"
bench throttled --rate 400000000 --label 400MBps --single "$DATA/t400/single/CLIP0001.MP4" --many "$DATA/t400/many" \
    --work "$WORK/throttled" --rounds "$OTHER_ROUNDS" --results "$RESULTS"
bench throttled --rate 35000000 --label 35MBps --single "$DATA/t35/single/CLIP0001.MP4" --many "$DATA/t35/many" \
    --work "$WORK/throttled" --rounds "$OTHER_ROUNDS" --results "$RESULTS"
fi

if runs concurrent; then
log "recorders at once"
bench concurrent --data "$DATA/usb2" --recorders "$RECORDERS" --rate 35000000 --label usb2 --work "$WORK/concurrent" \
    --rounds "$OTHER_ROUNDS" --results "$RESULTS"
bench concurrent --data "$DATA/fast" --recorders 1,2 --label fast --work "$WORK/concurrent" --rounds "$OTHER_ROUNDS" \
    --results "$RESULTS"
fi

if runs manifest; then
log "manifest"
bench manifest --work "$WORK/manifest" --sizes "$MANIFEST_SIZES" --batch 10000 --grow-batch 100000 \
    --rounds "$OTHER_ROUNDS" --proofs "$MANIFEST_PROOFS" --singles "$MANIFEST_SINGLES" --results "$RESULTS"
fi

if runs feed; then
log "feed: entries pages and proofs from wrk on loopback, idle and during an ingest"
echo "BIN=$BIN HTTP_LOAD_WORK=$WORK/http HTTP_LOAD_RESULTS=$RESULTS HTTP_LOAD_SECONDS=$FEED_SECONDS" \
    "HTTP_LOAD_MIB=$FEED_MIB HTTP_LOAD_NOTES=$FEED_NOTES Benchmarks/http-load.sh" | sed "s#$WORK#\$WORK#g; s#$ROOT/##g" >>"$COMMANDS"
BIN=$BIN HTTP_LOAD_WORK=$WORK/http HTTP_LOAD_RESULTS=$RESULTS HTTP_LOAD_SECONDS=$FEED_SECONDS \
    HTTP_LOAD_MIB=$FEED_MIB HTTP_LOAD_NOTES=$FEED_NOTES "$ROOT/Benchmarks/http-load.sh"
fi

# --- The report. ---
log "report"
MACHINE=$WORK/machine.md
{
    echo "| | |"
    echo "|---|---|"
    echo "| CPU | $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores (nproc); SHA-NI: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no) |"
    echo "| memory | $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |"
    echo "| kernel | $(uname -sr) |"
    echo "| system | $(. /etc/os-release && echo "$PRETTY_NAME") |"
    echo "| Swift | $(swift --version 2>&1 | head -1) |"
    echo "| store file system | $(findmnt -no FSTYPE,SOURCE -T "$WORK") ($WORK), mount options $(findmnt -no OPTIONS -T "$WORK") |"
    echo "| tools | $(cp --version | head -1), $(openssl version | cut -d' ' -f1-2) |"
    echo "| run | $(date -u +%Y-%m-%dT%H:%MZ); file cases: $ROUNDS rounds after 1 warm-up; other cases: $OTHER_ROUNDS rounds after 1 warm-up$([ -n "${BENCH_CASES:-}" ] && echo "; this run: BENCH_CASES=\"$CASES\", the other cases' figures are kept from the previous run") |"
} >"$MACHINE"
WALL=$(($(date +%s) - STARTED))
{
    echo '```sh'
    echo "make bench    # as root: scripts/apt-ensure mount util-linux e2fsprogs coreutils openssl,"
    echo "              # swift build -c release --scratch-path .build-release --product custody-bench (and custody,"
    echo "              # custodyd for the feed case), Benchmarks/run.sh"
    echo '```'
    echo
    echo "This run took $WALL s from \`make bench\` to this report$( [ -n "${BENCH_STARTED:-}" ] && echo ", the release build included" )."
    echo "Benchmarks/run.sh makes \$WORK (BENCH_WORK, default /var/tmp/custody-bench): the recorder image"
    echo "\$WORK/recorder.img (ext4, \`mkfs.ext4 -d\`, mounted \`-o ro,loop\` on \$WORK/mnt) and page-cache data under"
    echo "\$WORK/data, both reused while their sizes stay the same. Then it ran:"
    echo
    echo '```sh'
    cat "$COMMANDS"
    echo '```'
} >"$WORK/commands.out"
"$BENCH" report --results "$RESULTS" --machine "$MACHINE" --notes "$ROOT/Benchmarks/NOTES.md" \
    --commands "$WORK/commands.out" --out "$OUT"
log "done: $OUT"
grep -A40 '^## Targets' "$OUT" | sed -n '1,/^## 1/p' | head -n -1
