#!/usr/bin/env bash
# Load on `concord serve` over loopback, with wrk (Debian's package), and the baselines it is
# compared with in the same run:
#
#   reads   GET /api/decisions on the NATO 2025 example at about 1,000 requests/s: rate, p50,
#           p99, errors; at saturation; baseline: one `concord --db FILE decide --format json`
#           process per read.
#   writes  POST /api/votes at about 500 requests/s, every vote a different (proposal, member):
#           rate, p99, and every acknowledged entry looked for in the store after the server has
#           stopped; at saturation with 32 connections (group commit); baseline: one
#           connection, so that every vote is its own transaction and fsync.
#
# Usage: bench/load.sh [SECONDS]   (default 20 s per paced run; needs wrk, curl and python3)
# The stores live in a temporary directory on the disk of $TMPDIR (default /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || {
    echo "bench/load.sh needs $tool (Debian: apt-get install $tool)" >&2
    exit 2
  }
done
cargo build --release --quiet
concord="$PWD/target/release/concord"
work="$(mktemp -d)"
server_pid=""
# shellcheck source=bench/serve.sh
. bench/serve.sh
trap cleanup EXIT

entries() { curl -s "$base/api/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])'; }
field() { sed -n "s/.*RESULT.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# run NAME SCRIPT THREADS CONNECTIONS DELAY_MS SECONDS: one wrk run; its RESULT line is kept.
declare -A result
run() {
  local name=$1 script=$2 threads=$3 connections=$4 delay=$5 duration=$6
  result[$name]="$(LOAD_DELAY_MS=$delay LOAD_TOKEN=$token LOAD_MEMBERS=$members LOAD_THREADS=$threads \
    LOAD_ACKS="$work/acks-$name" wrk -t "$threads" -c "$connections" -d "${duration}s" --timeout 5s \
    -s "bench/$script" "$base${LOAD_PATH:-/api/decisions}" | grep RESULT)"
  echo "$name: ${result[$name]#RESULT }"
}
rate() { python3 -c "print(round($(field requests "$1") / $(field seconds "$1")))"; }
# Votes recorded (201) per second: a refused vote is not a write.
okrate() { python3 -c "print(round($(field ok "$1") / $(field seconds "$1")))"; }
ms() { python3 -c "print(f'{$(field "$1" "$2") / 1000:.2f}')"; }

echo "== reads: GET /api/decisions on the NATO 2025 example"
db="$work/reads.db"
"$concord" --db "$db" init examples/nato-2025.toml >/dev/null
members="$("$concord" --db "$db" explain eadrcc-2025-montana --format json |
  python3 -c 'import json,sys; print(",".join(s["member"] for s in json.load(sys.stdin)["stances"]))')"
start_server "$db"
run warmup load-read.lua 2 8 0 2 >/dev/null
# 22 connections, each pausing 20 ms between requests: a little over 1,000 requests/s.
run reads load-read.lua 2 22 20 "$seconds"
run reads_max load-read.lua 2 4 0 10
stop_server
# The baseline: without the server, a script runs the command line once per read.
t0=$(date +%s.%N)
for _ in $(seq 50); do "$concord" --db "$db" decide --format json >/dev/null; done
cli_ms=$(python3 -c "print(f'{($(date +%s.%N) - $t0) * 1000 / 50:.2f}')")

# The write runs vote on proposals of their own, enough that no two votes of the three runs
# are the same (proposal, member): 20,000 proposals, 640,000 possible votes, each under a silence
# procedure that is still open on the server's date.
echo "== writes: POST /api/votes, all different"
db="$work/writes.db"
"$concord" --db "$db" init examples/nato-2025.toml >/dev/null
python3 -c '
import json
for i in range(20000):
    print(json.dumps({"at": "2025-06-20", "change": "proposal", "id": f"load-{i}", "committee": "MC",
                      "kind": "exercise", "partners": [], "engagement": "new", "title": f"Load test proposal {i}",
                      "deadline": "2025-12-31"}))
' >"$work/proposals.jsonl"
"$concord" --db "$db" apply "$work/proposals.jsonl" >/dev/null
# The votes come with one secretariat token: no write rate, so that the run measures the writer
# rather than the per-token limit (tests/resilience.rs checks the limit).
start_server "$db" --write-rate 0
before=$(entries)
# 12 connections, each pausing 20 ms: a little over 500 votes/s.
LOAD_PATH=/api/votes run writes load-write.lua 2 12 20 "$seconds"
after_paced=$(entries)
LOAD_OFFSET=40000 LOAD_PATH=/api/votes run writes_one load-write.lua 1 1 0 5
LOAD_OFFSET=80000 LOAD_PATH=/api/votes run writes_max load-write.lua 2 32 0 10
after=$(entries)

# Stop the server (SIGTERM) and look for every acknowledged entry in the file it leaves.
stop_server
"$concord" --db "$db" ledger verify >/dev/null
acked="$(cat "$work"/acks-writes* | sort -un | wc -l)"
answers="$(cat "$work"/acks-writes* | wc -l)"
created=$(($(field ok "${result[writes]}") + $(field ok "${result[writes_one]}") + $(field ok "${result[writes_max]}")))
missing="$("$concord" --db "$db" ledger show --from "$before" | python3 -c '
import json, sys
votes = {e["seq"] for e in map(json.loads, sys.stdin) if e["change"] == "vote" and e["proposal"].startswith("load-")}
acked = {int(l) for f in sys.argv[1:] for l in open(f) if l.strip()}
print(len(acked - votes))' "$work"/acks-writes*)"

echo
echo "| measure | result |"
echo "|---|---|"
echo "| reads, paced: rate | $(rate "${result[reads]}") requests/s, $(field failed "${result[reads]}") not 200, $(field errors "${result[reads]}") socket errors |"
echo "| reads, paced: p50 / p99 / p99.9 | $(ms p50_us "${result[reads]}") / $(ms p99_us "${result[reads]}") / $(ms p999_us "${result[reads]}") ms |"
echo "| reads at saturation (4 connections) | $(rate "${result[reads_max]}") requests/s, p99 $(ms p99_us "${result[reads_max]}") ms |"
echo "| baseline: one \`concord decide\` process per read | $cli_ms ms each |"
echo "| paced server p50 against the baseline | $(python3 -c "print(f'{$cli_ms / ($(field p50_us "${result[reads]}") / 1000):.0f}')")× faster |"
echo "| writes, paced: rate | $(okrate "${result[writes]}") votes/s, $(field failed "${result[writes]}") refused, $(field errors "${result[writes]}") socket errors |"
echo "| writes, paced: p50 / p99 / p99.9 | $(ms p50_us "${result[writes]}") / $(ms p99_us "${result[writes]}") / $(ms p999_us "${result[writes]}") ms |"
echo "| baseline: writes on one connection (one fsync each) | $(okrate "${result[writes_one]}") votes/s, p99 $(ms p99_us "${result[writes_one]}") ms |"
echo "| writes at saturation (32 connections, group commit) | $(okrate "${result[writes_max]}") votes/s ($(field failed "${result[writes_max]}") refused), p99 $(ms p99_us "${result[writes_max]}") ms |"
echo "| group commit against the baseline | $(python3 -c "print(f'{$(okrate "${result[writes_max]}") / $(okrate "${result[writes_one]}"):.1f}')")× |"
echo "| acknowledged (201) | $created votes, naming $acked distinct entries in $answers answers |"
echo "| entries added to the store | $((after - before)) ($((after_paced - before)) in the paced run) |"
echo "| acknowledged but missing from the store after SIGTERM | $missing |"
[ "$missing" = 0 ] && [ "$acked" = "$created" ] && [ "$acked" = "$answers" ]
