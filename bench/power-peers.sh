#!/usr/bin/env bash
# bench/power-peers.sh: concord's `power` against the Python packages analysts use, side by side.
#
# What it does, in one run:
#   1. makes a throwaway Python virtual environment in a temp dir and installs into it the peers
#      powerindices==1.0.2 and power-bdd==1.0.0 (plus numpy, which powerindices imports but does
#      not declare); the temp dir is removed on exit, whatever happens;
#   2. builds concord (`cargo build --release --bin concord`) if needed;
#   3. on three games, runs concord and every peer that can express the game, each as a whole
#      process timed from outside (interpreter start + imports + compute, against concord's
#      process start + compute), median of several runs (5 after a warm-up; 3 or 1 for runs over
#      10 s or 60 s), each peer run under a timeout (120 s, PEER_TIMEOUT to change):
#        - the UN Security Council as the weighted game [39; 7x5, 1x10];
#        - the EU Council's qualified majority with the blocking-minority clause, read from
#          examples/eu-council.toml (concord: `power examples/eu-council.toml --committee
#          COUNCIL`; power-bdd: the composite ([15; 1x27] & [65% population]) | [24; 1x27];
#          powerindices cannot express it);
#        - a 100-member weighted game, weights 1..100 from SplitMix64(100) and quota 2/3, the
#          same game as crates/core/benches/power.rs;
#      each peer both for everything it computes (Penrose/Banzhaf and Shapley–Shubik) and for
#      Banzhaf only;
#   4. checks that the numbers agree: normalised Banzhaf, Shapley–Shubik and Penrose of every
#      player within 1e-6, swings exactly (while the peer's float can hold them), and prints
#      AGREE / DISAGREE per game and peer (INVALID when a peer's own output is impossible, e.g.
#      after its int64 counts overflow: reported, not counted against concord);
#   5. prints a table of game, tool, median wall time and the ratio to concord, and per game the
#      fastest agreeing peer's time over concord's against the target (concord at least 20x
#      faster), both like for like (peer runs computing Banzhaf and Shapley–Shubik, as concord
#      does) and strictest (any agreeing peer run, even Banzhaf only). It also prints the floor
#      of every Python peer: the venv's interpreter starting and exiting (python -c pass).
#      Missing the target does not change the exit status; a disagreement does.
#
# Run it from anywhere:   bash bench/power-peers.sh        (or ./bench/power-peers.sh)
# Needs: python3 (3.8+; 3.11+ reads the TOML without extra packages) with venv and pip, cargo,
#        and access to PyPI. Takes about two to three minutes on a 2-core machine.
# Exit status: 0 when every comparison agrees; 1 on a disagreement or a failed peer run; other
#        non-zero on a setup error (no python3, pip or cargo failed, ...).
# Touches nothing outside its temp dir except cargo's target/.

set -euo pipefail

cd "$(dirname "$0")/.."
started=$(date +%s)
timeout_s=${PEER_TIMEOUT:-120}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'power-peers: %s\n' "$*" >&2; exit 2; }

command -v python3 >/dev/null || die "python3 not found"
command -v cargo >/dev/null || die "cargo not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/concord-power-peers.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building concord (cargo build --release --bin concord)"
cargo build --release --bin concord >&2 || die "cargo build failed"
concord="${CARGO_TARGET_DIR:-target}/release/concord"
[[ -x $concord ]] || die "no concord binary at $concord"

say "creating a throwaway venv in $work/venv and installing the peers from PyPI"
python3 -m venv "$work/venv" || die "python3 -m venv failed (is the venv module installed?)"
py="$work/venv/bin/python"
pkgs=(powerindices==1.0.2 power-bdd==1.0.0 numpy)
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || pkgs+=(tomli)
"$py" -m pip install --disable-pip-version-check --quiet "${pkgs[@]}" >&2 \
    || die "pip install ${pkgs[*]} failed (is PyPI reachable?)"

say "running the games (peer timeout ${timeout_s} s)"
status=0
"$py" bench/peers.py --concord "$concord" --python "$py" --workdir "$work" --timeout "$timeout_s" || status=$?

echo "whole script: $(( $(date +%s) - started )) s (venv, install, build and runs)"
exit "$status"
