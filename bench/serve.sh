# Sourced by bench/load.sh and tests/schemathesis.sh: start and stop `concord serve` on a free
# loopback port with the clock pinned on 2025-06-20. Needs $concord (the binary) and $work (a
# scratch directory); sets $base, $token and $server_pid.

# start_server DB [FLAG…]: serves the store DB, with the flags given; waits until it listens.
start_server() {
  local db="$1"
  shift
  "$concord" --db "$db" serve --addr 127.0.0.1:0 --clock 2025-06-20 "$@" >"$work/serve.out" 2>"$work/serve.err" &
  server_pid=$!
  for _ in $(seq 100); do
    if grep -q '^stop with' "$work/serve.out" 2>/dev/null; then break; fi
    sleep 0.1
  done
  base="$(sed -n 's/^concord serving \(http:[^ ]*\)\/ .*/\1/p' "$work/serve.out")"
  token="$(sed -n 's/^first secretariat token (shown once; keep it): //p' "$work/serve.out")"
  if [ -z "$base" ] || [ -z "$token" ]; then
    cat "$work/serve.out" "$work/serve.err" >&2
    exit 1
  fi
}

# stop_server: SIGTERM, as Ctrl-C would, and wait for the server to exit.
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

# Stops the server if it still runs and removes $work, on exit.
cleanup() {
  if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
