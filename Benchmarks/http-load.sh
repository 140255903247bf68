#!/usr/bin/env bash
# HTTP under load (issue 9, item 6): ingest throughput with and without concurrent feed consumers, and custodyd's
# memory before and after. Loopback only.
#
# Makes a station with HTTP_LOAD_NOTES entries, starts custodyd, and ingests three folders of generated files with
# `custody ingest` (HTTP_LOAD_MIB MiB in HTTP_LOAD_FILES files each): alone, while `wrk` runs HTTP_LOAD_CLIENTS
# connections paging /v1/entries and fetching proofs and checkpoints, then alone again. Prints MiB/s of each run,
# the ratio loaded / alone, wrk's request rate and custodyd's VmRSS. Page cache is dropped before each ingest when
# run as root.
#
# With HTTP_LOAD_RESULTS=FILE (as Benchmarks/run.sh, `make bench`, sets it) it then measures the feed on its own, for
# the report: each of three request kinds (entries pages of 1000, inclusion proofs, consistency proofs to the
# current size) for HTTP_LOAD_SECONDS with wrk --latency, once with custodyd idle and once while `custody ingest`
# runs in a loop (a new serial each pass, so every pass copies, hashes and verifies again), and appends
# `feed.KIND.idle|ingest.rps|p50|p99|errors` and the ingest figures to FILE (custody-bench's results TSV).
#
# Knobs (environment): BIN (folder of custody and custodyd, default .build/debug; use .build-release/release for
# release figures), HTTP_LOAD_WORK (scratch folder, default /var/tmp/custody-http-load), HTTP_LOAD_MIB (200),
# HTTP_LOAD_FILES (20), HTTP_LOAD_CLIENTS (50), HTTP_LOAD_NOTES (2000), HTTP_LOAD_RESULTS (unset),
# HTTP_LOAD_SECONDS (5). Needs wrk (Debian `wrk`; `make bench` installs it).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/debug}
WORK=${HTTP_LOAD_WORK:-/var/tmp/custody-http-load}
MIB=${HTTP_LOAD_MIB:-200}
FILES=${HTTP_LOAD_FILES:-20}
CLIENTS=${HTTP_LOAD_CLIENTS:-50}
NOTES=${HTTP_LOAD_NOTES:-2000}

command -v wrk >/dev/null || { echo "http-load.sh: needs wrk: apt-get install wrk" >&2; exit 1; }
[ -x "$BIN/custody" ] && [ -x "$BIN/custodyd" ] || { echo "http-load.sh: no custody/custodyd in $BIN; build first" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK"
CONFIG=$WORK/custody.toml
custody() { "$BIN/custody" --config "$CONFIG" "$@"; }
RESULTS=${HTTP_LOAD_RESULTS:-}
SECONDS_EACH=${HTTP_LOAD_SECONDS:-5}
DAEMON=""
WRK=""
LOOP=""
cleanup() {
    [ -n "$WRK" ] && kill "$WRK" 2>/dev/null || true
    [ -n "$LOOP" ] && { pkill -P "$LOOP" 2>/dev/null; kill "$LOOP" 2>/dev/null; } || true
    [ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null || true
}
trap cleanup EXIT

custody init --origin bench.example/http-load >/dev/null
cat >>"$CONFIG" <<TOML

[[models]]
name = "PLAIN"
media = ["**/*.MP4"]
TOML
sed -i 's/^port = .*/port = 0/' "$CONFIG"
grep -q '^\[http\]' "$CONFIG" || printf '\n[http]\nport = 0\n' >>"$CONFIG"
custody append-note --text "feed load" --count "$NOTES" >/dev/null
TOKEN=$(custody tokens add --name load --role caseSystem | head -n 1)

for folder in alone loaded again; do
    mkdir -p "$WORK/$folder/DCIM"
    for i in $(seq 1 "$FILES"); do
        head -c $((MIB * 1024 * 1024 / FILES)) /dev/urandom >"$WORK/$folder/DCIM/$folder-$i.MP4"
    done
done
sync

"$BIN/custodyd" --config "$CONFIG" 2>"$WORK/custodyd.log" &
DAEMON=$!
PORT_FILE=$WORK/state/run/http.port
for _ in $(seq 1 600); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
[ -s "$PORT_FILE" ] || { echo "http-load.sh: custodyd did not listen; see $WORK/custodyd.log" >&2; exit 1; }
URL=http://127.0.0.1:$(cat "$PORT_FILE")
SIZE=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/v1/entries?start=0&limit=1" | sed -E 's/.*"size":([0-9]+).*/\1/')

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON/status"; }
drop_caches() { sync; [ -w /proc/sys/vm/drop_caches ] && echo 3 >/proc/sys/vm/drop_caches || true; }
# Ingests a folder and prints its MiB/s.
ingest() {
    drop_caches
    local start end
    start=$(date +%s.%N)
    custody ingest --serial "$1" --model PLAIN "$WORK/$2" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$MIB $start $end" | awk '{ printf "%.1f", $1 / ($3 - $2) }'
}

cat >"$WORK/feed.lua" <<'LUA'
local token = os.getenv("TOKEN")
local size = tonumber(os.getenv("SIZE"))
request = function()
    local r = math.random(4)
    local path
    if r == 1 then path = "/v1/entries?start=" .. math.random(0, size - 1) .. "&limit=1000"
    elseif r == 2 then path = "/v1/proof/inclusion?index=" .. math.random(0, size - 1) .. "&size=" .. size
    elseif r == 3 then path = "/v1/proof/consistency?from=" .. math.random(1, size) .. "&to=" .. size
    else path = "/v1/checkpoint" end
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
LUA

RSS_START=$(rss)
ALONE=$(ingest ALONE1 alone)
TOKEN=$TOKEN SIZE=$SIZE wrk -t 2 -c "$CLIENTS" -d 3600s --timeout 10s -s "$WORK/feed.lua" "$URL" >"$WORK/wrk.txt" 2>&1 &
WRK=$!
# Let every connection open and the load settle before the measured ingest.
sleep 3
LOADED=$(ingest LOADED1 loaded)
RSS_LOADED=$(rss)
kill -INT "$WRK"
wait "$WRK" || true
WRK=""
AGAIN=$(ingest AGAIN1 again)
RSS_END=$(rss)

echo "ingest of $MIB MiB in $FILES files, feed of $SIZE entries, $CLIENTS concurrent feed connections (wrk), $BIN"
echo "  alone:             $ALONE MiB/s"
echo "  under feed load:   $LOADED MiB/s"
echo "  alone again:       $AGAIN MiB/s"
echo "$LOADED $ALONE $AGAIN" | awk '{ printf "  ratio loaded / mean alone: %.2f\n", $1 / (($2 + $3) / 2) }'
grep -E "Requests/sec|requests in|Non-2xx|Socket errors|Latency" "$WORK/wrk.txt" | sed 's/^/  wrk: /'
echo "  custodyd VmRSS: start $RSS_START KiB, under load $RSS_LOADED KiB, end $RSS_END KiB"

[ -n "$RESULTS" ] || exit 0

# --- The feed on its own (HTTP_LOAD_RESULTS): requests/s and latency of each kind, idle and during an ingest. ---
SIZE=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL/v1/entries?start=0&limit=1" | sed -E 's/.*"size":([0-9]+).*/\1/')
for kind in entries inclusion consistency; do
    cat >"$WORK/$kind.lua" <<LUA
local token = os.getenv("TOKEN")
local size = tonumber(os.getenv("SIZE"))
request = function()
    local path
    if "$kind" == "entries" then path = "/v1/entries?start=" .. math.random(0, size - 1) .. "&limit=1000"
    elseif "$kind" == "inclusion" then path = "/v1/proof/inclusion?index=" .. math.random(0, size - 1) .. "&size=" .. size
    else path = "/v1/proof/consistency?from=" .. math.random(1, size) .. "&to=" .. size end
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
LUA
done
# wrk's "Latency Distribution" figures (e.g. 1.23ms, 950.00us, 1.02s) in seconds.
seconds_of() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1e6; else if (v ~ /ms$/) n /= 1e3; else if (v ~ /m$/) n *= 60; printf "%.9f", n }'; }
# Runs wrk on one kind for SECONDS_EACH and appends its figures under feed.KIND.PHASE.
feed() {
    local kind=$1 phase=$2 out=$WORK/wrk-$1-$2.txt
    TOKEN=$TOKEN SIZE=$SIZE wrk -t 2 -c "$CLIENTS" -d "${SECONDS_EACH}s" --timeout 10s --latency -s "$WORK/$kind.lua" \
        "$URL" >"$out" 2>&1
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(seconds_of "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(seconds_of "$(awk '$1 == "99%" { print $2 }' "$out")")
    errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
    printf 'feed.%s.%s.rps\t%s\nfeed.%s.%s.p50\t%s\nfeed.%s.%s.p99\t%s\nfeed.%s.%s.errors\t%s\n' \
        "$kind" "$phase" "$rps" "$kind" "$phase" "$p50" "$kind" "$phase" "$p99" "$kind" "$phase" "$errors" >>"$RESULTS"
    echo "  feed $kind $phase: $rps requests/s, p50 $p50 s, p99 $p99 s, $errors errors"
}
echo "feed of $SIZE entries, $CLIENTS connections (wrk -t 2), ${SECONDS_EACH} s per kind"
case "$BIN" in *debug*) printf 'feed.debug_build\t1\n' >>"$RESULTS" ;; esac
printf 'feed.size\t%s\nfeed.clients\t%s\nfeed.seconds\t%s\nfeed.ingest_mib\t%s\n' "$SIZE" "$CLIENTS" "$SECONDS_EACH" "$MIB" \
    >>"$RESULTS"
for kind in entries inclusion consistency; do feed "$kind" idle; done
# The ingest loop: the "loaded" folder again and again under new serials; each pass is a full ingest.
(
    pass=0
    while :; do
        pass=$((pass + 1))
        start=$(date +%s.%N)
        custody ingest --serial "FEED$pass" --model PLAIN "$WORK/loaded" >/dev/null 2>&1 || exit 1
        end=$(date +%s.%N)
        echo "$MIB $start $end" | awk '{ printf "%.3f\n", $1 / ($3 - $2) }' >>"$WORK/ingest-loop.txt"
    done
) &
LOOP=$!
sleep 1
for kind in entries inclusion consistency; do feed "$kind" ingest; done
# Stop the pass in flight (a child of the loop, which then exits), then the loop.
pkill -P "$LOOP" 2>/dev/null || true
kill "$LOOP" 2>/dev/null || true
wait "$LOOP" 2>/dev/null || true
LOOP=""
# Ingest passes that finished while wrk ran, and their MiB/s (each pass overlapped some feed load).
if [ -s "$WORK/ingest-loop.txt" ]; then
    printf 'feed.ingest_passes\t%s\n' "$(wc -l <"$WORK/ingest-loop.txt")" >>"$RESULTS"
    while read -r rate; do printf 'feed.ingest_mibps\t%s\n' "$rate" >>"$RESULTS"; done <"$WORK/ingest-loop.txt"
fi
printf 'feed.ingest_alone_mibps\t%s\nfeed.ingest_alone_mibps\t%s\n' "$ALONE" "$AGAIN" >>"$RESULTS"
