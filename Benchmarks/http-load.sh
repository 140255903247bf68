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
# Knobs (environment): BIN (folder of custody and custodyd, default .build/debug; use .build-release/release for
# release figures), HTTP_LOAD_WORK (scratch folder, default /var/tmp/custody-http-load), HTTP_LOAD_MIB (200),
# HTTP_LOAD_FILES (20), HTTP_LOAD_CLIENTS (50), HTTP_LOAD_NOTES (2000). Needs wrk (Debian `wrk`; `make bench`
# installs it).
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
DAEMON=""
WRK=""
cleanup() {
    [ -n "$WRK" ] && kill "$WRK" 2>/dev/null || true
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
