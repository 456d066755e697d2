#!/usr/bin/env bash
# The server's start on a store whose silence procedures have all passed their deadline, and the
# clock recording them (issue 10: 2,000 overdue procedures recorded and the port open in < 5 s).
#
# A store is made from `concord gen --seed 3 --proposals 2000` (created on its as_of, before
# any deadline has been recorded), then `concord serve --clock 2025-12-31` is started on it and
# timed until it answers on its port; it records every decision that fell due in one write
# before it listens. The same store is then timed through `concord tick --now 2025-12-31`, the
# command line's clock, and against the baseline of the same decisions recorded one write
# each (`cargo bench -p concord-store --bench ledger` measures that one in process).
#
# Usage: bench/overdue.sh [PROPOSALS]   (default 2000; needs curl)
set -euo pipefail
cd "$(dirname "$0")/.."
proposals="${1:-2000}"
cargo build --release --quiet
concord="$PWD/target/release/concord"
work="$(mktemp -d)"
server_pid=""
trap 'if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

"$concord" gen --seed 3 --proposals "$proposals" >"$work/gen.toml"
"$concord" --db "$work/serve.db" init "$work/gen.toml" >/dev/null
cp "$work/serve.db" "$work/tick.db"
cp "$work/serve.db.key" "$work/tick.db.key"
cp "$work/serve.db.pub" "$work/tick.db.pub"
due="$("$concord" --db "$work/serve.db" decide --at 2025-12-31 --format json |
  python3 -c 'import json,sys; print(sum(1 for d in json.load(sys.stdin)["decisions"] if d["final"] and d["recorded"] is None and d["outcome"] != "withdrawn"))')"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
t0=$(date +%s.%N)
"$concord" --db "$work/serve.db" serve --addr "127.0.0.1:$port" --clock 2025-12-31 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
until curl -sf "http://127.0.0.1:$port/api/status" >/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/serve.err" >&2; exit 1; fi
  sleep 0.02
done
serve_s=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
recorded="$("$concord" --db "$work/serve.db" ledger show --from 1 | grep -c '"change":"decision"' || true)"

t0=$(date +%s.%N)
"$concord" --db "$work/tick.db" tick --now 2025-12-31 >/dev/null
tick_s=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')")

echo "| measure | result | target |"
echo "|---|---|---|"
echo "| decisions due on 2025-12-31 without a record ($proposals proposals) | $due | |"
echo "| \`concord serve\` start to the port answering, recording them | ${serve_s} s ($recorded recorded) | < 5 s |"
echo "| \`concord tick --now 2025-12-31\` (open, record, exit) | ${tick_s} s | |"
[ "$recorded" = "$due" ]
python3 -c "import sys; sys.exit(0 if $serve_s < 5 else 1)"
