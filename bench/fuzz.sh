#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for SECONDS each (default 300), one after the other, and prints
# per target its executions, coverage (libFuzzer's cov/ft at the end) and crashes. Exits 1 if any
# target crashed; the inputs are under fuzz/target/runs/TARGET/artifacts/ (see fuzz/README.md for
# how to reproduce and minimise one).
#
#   bench/fuzz.sh [SECONDS]
#
# Environment:
#   FUZZ_TARGETS      the targets to run (default: all of them)
#   FUZZ_KEEP_GOING=1 go on after a crash, a timeout or running out of memory (libFuzzer's fork
#                     mode), to find more than the first in the time; otherwise a target stops
#                     at its first crash
#   FUZZ_JOBS         with FUZZ_KEEP_GOING, how many processes fuzz a target at once (default 1)
#
# New inputs that reach new code go to fuzz/target/runs/TARGET/corpus/, which each run starts
# from again (with the checked-in seeds of fuzz/corpus/TARGET/); delete it to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-300}"
targets="${FUZZ_TARGETS:-scenario policy change_json apply_lines ledger_proof checkpoint}"

if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes nightly-only flags (-Z…) to the stable compiler.
export RUSTC_BOOTSTRAP=1

cd fuzz
# Without AddressSanitizer (`-s none`): concord forbids unsafe code, so ASan would look for
# faults safe Rust cannot have, and it slows the targets about ninefold. The one fault it would
# catch, a stack overflow, the targets catch themselves (fuzz/src/overflow.rs). Release build,
# with debug assertions and overflow checks (cargo-fuzz's default).
# Not --locked: fuzz/Cargo.lock pins what it holds, and when the crates gain a dependency it
# is added rather than the build refused (the workspace's own build is --locked).
cargo fuzz build -s none
bin="target/x86_64-unknown-linux-gnu/release"

flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1)
if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
  flags+=(-fork="${FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi

failed=0
row() { printf '%-13s %8s %12s %8s %8s %8s\n' "$@"; }
summary=$(row target seconds executions cov ft crashes)
for t in $targets; do
  [ -x "$bin/$t" ] || { echo "no fuzz target \`$t\`" >&2; exit 2; }
  runs="target/runs/$t"
  mkdir -p "$runs/corpus" "$runs/artifacts"
  log="$runs/fuzz.log"
  touch "$runs/.start"
  echo "== fuzz $t for ${seconds}s (log: fuzz/$log)"
  start=$(date +%s)
  # libFuzzer exits non-zero on a crash; the artifacts say how many there were.
  "$bin/$t" "${flags[@]}" -artifact_prefix="$runs/artifacts/" "$runs/corpus" "corpus/$t" >"$log" 2>&1 || true
  took=$(($(date +%s) - start))
  # The last status line: `#EXECS ... cov: N ft: N ...` (fork mode: `#EXECS: cov: N ft: N ...`).
  last=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")
  cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$last")
  ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")
  crashes=$(find "$runs/artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) -newer "$runs/.start" 2>/dev/null | wc -l)
  summary+=$'\n'$(row "$t" "$took" "${execs:-0}" "${cov:-?}" "${ft:-?}" "$crashes")
  if [ "$crashes" -gt 0 ]; then
    failed=1
    echo "$t: $crashes crash(es) in fuzz/$runs/artifacts/:"
    find "$runs/artifacts" -type f -newer "$runs/.start" -printf '  %f\n'
    grep -m 3 -E 'panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/  /' || true
  fi
done
echo
echo "$summary"
exit "$failed"
