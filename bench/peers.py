"""Driver of bench/power-peers.sh: concord against the Python power-index packages, side by side.

Run by bench/power-peers.sh (which makes the venv and builds concord); by hand:

    VENV/bin/python bench/peers.py --concord target/release/concord --python VENV/bin/python \
        --workdir DIR [--timeout 120]

For each game it runs concord (`concord power ... --format json`) and every peer that can express
the game (bench/peer_worker.py in the venv), each as a whole process timed from the outside, and
checks that the numbers agree. Exit status: 0 when every comparison agrees, 1 on any disagreement,
2 on a usage or setup error.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from importlib import metadata

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11: power-peers.sh installs tomli into the venv
    import tomli as tomllib

TOL = 1e-6  # largest difference allowed in Banzhaf, Shapley–Shubik and Penrose
TARGET = 20.0  # concord should be at least this many times faster than the fastest peer
PEERS = ("powerindices", "power-bdd")
MODES = (("all", "Banzhaf+SS"), ("banzhaf", "Banzhaf only"))
def die(msg):
    print(f"power-peers: {msg}", file=sys.stderr)
    sys.exit(2)


HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# --------------------------------------------------------------------------- the games


class SplitMix64:
    """concord's generator (crates/core/src/synth.rs), bit for bit."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next_u64() % max(n, 1)


assert SplitMix64(0).next_u64() == 0xE220A8397B1DCDAF, "SplitMix64 reference value"


def weighted(quota, weights):
    return {"kind": "weighted", "quota": quota, "weights": list(weights)}


def weights_args(quota, weights):
    return ["power", "--quota", str(quota), "--weights", ",".join(map(str, weights)), "--format", "json"]


def game_unsc():
    w = [7] * 5 + [1] * 10
    return {
        "name": "UNSC [39; 7x5, 1x10]",
        "ids": [f"p{i + 1}" for i in range(len(w))],
        "spec": weighted(39, w),
        "concord": weights_args(39, w),
    }


def game_eu(path):
    """The EU Council's qualified majority, read from the scenario file concord reads."""
    with open(os.path.join(ROOT, path), "rb") as f:
        doc = tomllib.load(f)
    as_of = doc["scenario"]["as_of"]
    committee = next(c for c in doc["committee"] if c["id"] == "COUNCIL")
    rule = committee["rule"]
    if not isinstance(rule, dict) or rule.get("kind") != "qualified":
        die(f"{path}: committee COUNCIL is not a qualified-majority rule: {rule!r}")
    seats = committee["members"]
    members = [
        m for m in doc["member"]
        if (seats == "all" or m["id"] in seats) and ("joined" not in m or m["joined"] <= as_of)
    ]
    n = len(members)
    ids = [m["id"] for m in members]
    pops = [m["weights"][rule["weight"]] for m in members]
    if not all(isinstance(p, int) for p in pops):
        die(f"{path}: the peers need integer weights, got {pops}")
    # The contract (§2): (consents >= members_share x members and consenting weight >=
    # weight_share x total) or fewer than blocking_min members did not consent.
    share = Fraction(repr(rule["members_share"]))
    wshare = Fraction(repr(rule["weight_share"]))
    by_count = math.ceil(share * n)
    by_weight = math.ceil(wshare * sum(pops))
    qmv = {"kind": "and", "of": [weighted(by_count, [1] * n), weighted(by_weight, pops)]}
    spec = qmv
    if rule.get("blocking_min") is not None:
        # n - |S| < blocking_min  <=>  |S| >= n - blocking_min + 1
        spec = {"kind": "or", "of": [qmv, weighted(n - rule["blocking_min"] + 1, [1] * n)]}
    desc = f"[{by_count}; 1x{n}] & [{by_weight}; population]"
    if spec is not qmv:
        desc = f"({desc}) | [{n - rule['blocking_min'] + 1}; 1x{n}]"
    return {
        "name": f"EU Council QMV ({n})",
        "ids": ids,
        "spec": spec,
        "concord": ["power", path, "--committee", "COUNCIL", "--format", "json"],
        "note": f"as a composite game: {desc}",
    }


def game_w100():
    """crates/core/benches/power.rs: SplitMix64(100), weights 1 + below(100), quota ceil(2/3)."""
    rng = SplitMix64(100)
    w = [1 + rng.below(100) for _ in range(100)]
    q = -(-2 * sum(w) // 3)
    return {
        "name": "100 members, w 1..100",
        "ids": [f"p{i + 1}" for i in range(len(w))],
        "spec": weighted(q, w),
        "concord": weights_args(q, w),
        "note": f"quota {q} of {sum(w)} (2/3), weights from SplitMix64(100) as in crates/core/benches/power.rs",
    }


def can_express(peer, spec):
    if peer == "powerindices":
        return spec["kind"] == "weighted"  # plain weighted games only: no & or |
    return True  # power-bdd: weighted games combined with & and |


# --------------------------------------------------------------------------- running


def run_once(cmd, timeout):
    """Runs `cmd` from the repository root; returns (seconds, stdout) or (None, None) on timeout."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        tail = p.stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"exit {p.returncode}: {' '.join(cmd)}\n    " + "\n    ".join(tail))
    return dt, p.stdout


def measure(cmd, timeout):
    """Whole-process wall time. The first run is the one checked and a warm-up; runs shorter
    than 10 s are then timed 5 more times, runs of 10-60 s twice more (median of the 3 runs),
    longer ones only once. Returns (median seconds | None on timeout, runs, stdout)."""
    first, out = run_once(cmd, timeout)
    if first is None:
        return None, 1, None
    if first < 10:
        times = [run_once(cmd, timeout)[0] for _ in range(5)]
    elif first < 60:
        times = [first] + [run_once(cmd, timeout)[0] for _ in range(2)]
    else:
        times = [first]
    if any(t is None for t in times):
        return None, len(times), out
    return statistics.median(times), len(times), out


# --------------------------------------------------------------------------- checking


def check(concord, ids, peer):
    """Compares a peer's output with concord's. Returns (verdict, details); verdict is AGREE,
    DISAGREE or INVALID (the peer's own output is impossible, e.g. after integer overflow)."""
    n = concord["players"]
    by_id = {m["member"]: m for m in concord["members"]}
    if n != len(ids) or set(by_id) != set(ids):
        return "DISAGREE", [f"players differ: concord {sorted(by_id)} vs game {ids}"]
    pen = peer["penrose"]
    ssi = peer["shapley_shubik"]
    problems = []
    if peer["overflow"]:
        problems.append("numpy warned of integer overflow")
    if any(p < -1e-12 or p > 1 + 1e-12 for p in pen):
        worst = min(range(n), key=lambda i: pen[i])
        problems.append(f"a Penrose index outside [0, 1] ({ids[worst]} = {pen[worst]:.6g})")
    if ssi is not None and abs(sum(ssi) - 1) > TOL:
        problems.append(f"Shapley–Shubik sums to {sum(ssi):.6g}, not 1")

    total = sum(pen)
    diffs = {}

    def worst(name, mine, theirs):
        d = [(abs(a - b) if math.isfinite(b) else math.inf, i) for i, (a, b) in enumerate(zip(mine, theirs))]
        diffs[name] = max(d)

    worst("banzhaf", [by_id[i]["banzhaf"] for i in ids], [p / total if total else math.nan for p in pen])
    worst("penrose", [by_id[i]["penrose"] for i in ids], pen)
    if ssi is not None:
        worst("shapley_shubik", [by_id[i]["shapley_shubik"] for i in ids], ssi)
    details = []
    bad = False
    for name, (d, i) in diffs.items():
        ok = d <= TOL
        bad |= not ok
        line = f"{name}: max |diff| {d:.2e}" + ("" if ok else f" at {ids[i]} (concord {by_id[ids[i]][name]!r})")
        details.append(line)
    # Swings: both peers return swings / 2^(n-1) as a float, exact while swings < 2^53.
    if n - 1 <= 52:
        mism = []
        for k, i in enumerate(ids):
            s = pen[k] * 2 ** (n - 1)
            if not math.isfinite(s) or s != int(s) or int(s) != int(by_id[i]["swings"]):
                mism.append(f"{i}: concord {by_id[i]['swings']}, peer {s!r}")
        bad |= bool(mism)
        details.append("swings: all equal" if not mism else f"swings differ: {'; '.join(mism[:3])}")
    else:
        details.append(f"swings: not compared (the peer's float Penrose cannot hold {n - 1}-bit counts)")
    if problems:
        return ("INVALID" if bad else "AGREE"), ["peer output impossible: " + "; ".join(problems)] + details
    return ("DISAGREE" if bad else "AGREE"), details


# --------------------------------------------------------------------------- main


def fmt_time(t):
    if t is None:
        return "-"
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concord", required=True, help="the concord binary")
    ap.add_argument("--python", required=True, help="the venv's python, which has the peers")
    ap.add_argument("--workdir", required=True, help="a scratch directory for game files")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per peer run (default 120)")
    args = ap.parse_args()
    concord_bin = os.path.abspath(args.concord)
    worker = os.path.join(HERE, "peer_worker.py")
    work = os.path.abspath(args.workdir)

    def rel(p):  # paths as printed: relative to the repository root, or under $WORK
        p = os.path.abspath(p)
        if p.startswith(work + os.sep):
            return "$WORK" + p[len(work):]
        return os.path.relpath(p, ROOT) if p.startswith(ROOT + os.sep) else p

    versions = subprocess.run([concord_bin, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"concord: {versions or '?'} ({rel(concord_bin)})")
    print(f"python: {sys.version.split()[0]}; " + ", ".join(
        f"{p} {metadata.version(p)}" for p in ("powerindices", "power-bdd", "numpy", "sortedcontainers")))
    print(f"tolerance {TOL:g} on Banzhaf (normalised), Shapley–Shubik and Penrose; swings exact; "
          f"peer timeout {args.timeout:g} s; wall time of whole processes, median of the runs shown")

    floor, _, _ = measure([args.python, "-c", "pass"], args.timeout)
    print(f"floor for any Python peer: the venv's interpreter starting and exiting (python -c pass) "
          f"takes {fmt_time(floor)}")
    print(f"commands run from the repository root; WORK={work} (the temp dir, removed at exit)")
    print()

    games = [game_unsc(), game_eu("examples/eu-council.toml"), game_w100()]
    rows = []  # (game, tool, computes, runs, median, verdict)
    summaries = []
    disagreements = 0
    for gi, g in enumerate(games):
        print(f"== {g['name']}" + (f": {g['note']}" if g.get("note") else ""))
        spec_path = os.path.join(args.workdir, f"game{gi}.json")
        with open(spec_path, "w", encoding="utf-8") as f:
            json.dump(g["spec"], f)
        ccmd = [concord_bin] + g["concord"]
        print(f"   $ {' '.join([rel(concord_bin)] + g['concord'])}")
        c_time, c_runs, c_out = measure(ccmd, args.timeout)
        if c_time is None:
            die(f"concord timed out on {g['name']}")
        concord = json.loads(c_out)
        method = concord.get("shapley_shubik_method", "?")
        rows.append((g["name"], "concord", f"all (SS {method})", c_runs, c_time, "reference"))
        peer_times = []
        timed_out = []  # a timeout bounds the peer's time from below
        for peer in PEERS:
            if not can_express(peer, g["spec"]):
                print(f"   {peer}: cannot express this game (plain weighted games only)")
                rows.append((g["name"], peer, "-", 0, None, "cannot express"))
                continue
            for mode, label in MODES:
                pcmd = [args.python, worker, peer, mode, spec_path]
                print(f"   $ {' '.join([rel(args.python), rel(worker), peer, mode, rel(spec_path)])}")
                try:
                    p_time, p_runs, p_out = measure(pcmd, args.timeout)
                except RuntimeError as e:
                    print(f"   {peer} ({label}) failed: {e}")
                    rows.append((g["name"], peer, label, 1, None, "FAILED"))
                    disagreements += 1
                    continue
                if p_out is None:
                    print(f"   {peer} ({label}): timed out after {args.timeout:g} s")
                    rows.append((g["name"], peer, label, p_runs, None, f"timed out (>{args.timeout:g} s)"))
                    timed_out.append((args.timeout, f"{peer} ({label})", mode))
                    continue
                verdict, details = check(concord, g["ids"], json.loads(p_out))
                print(f"   {verdict}: {peer} ({label}) vs concord: " + "; ".join(details))
                if verdict == "DISAGREE":
                    disagreements += 1
                if verdict == "AGREE" and p_time is not None:
                    peer_times.append((p_time, f"{peer} ({label})", mode))
                rows.append((g["name"], peer, label, p_runs, p_time, verdict))
        # Like for like: the fastest peer run that computes what concord computes (Banzhaf and
        # Shapley–Shubik); strictest: the fastest of any agreeing peer run, even Banzhaf only.
        like = [(t, who, False) for t, who, mode in peer_times if mode == "all"]
        like = like or [(t, who, True) for t, who, mode in timed_out if mode == "all"]
        strict = [(t, who, False) for t, who, _ in peer_times] or [(t, who, True) for t, who, _ in timed_out]
        summaries.append((g["name"], c_time, min(like) if like else None, min(strict) if strict else None))
        print()

    # The table.
    head = ("game", "tool", "computes", "runs", "median wall", "vs concord", "check")
    table = []
    c_times = {s[0]: s[1] for s in summaries}
    for name, tool, what, runs, t, verdict in rows:
        ratio = "1.0x" if tool == "concord" else (f"{t / c_times[name]:.1f}x" if t else "-")
        table.append((name, tool, what, str(runs) if runs else "-", fmt_time(t), ratio, verdict))
    widths = [max(len(r[i]) for r in [head] + table) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i != 4 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    print(line(head))
    print("  ".join("-" * w for w in widths))
    prev = None
    for r in table:
        print(line(r if r[0] != prev else ("",) + r[1:]))
        prev = r[0]
    print("(vs concord = the run's median over concord's on the same game; INVALID = the peer's own output is")
    print(" impossible, e.g. negative indices after int64 overflow: not counted against concord, and left out")
    print(" of the ratios below)")
    print()
    print(f"Target: concord at least {TARGET:g}x faster than the fastest agreeing peer on every game.")
    print("  like for like = the fastest peer run computing Banzhaf and Shapley–Shubik, as concord does;")
    print("  strictest     = the fastest agreeing peer run of any kind, even Banzhaf only.")
    met = {"like": 0, "strict": 0}
    for name, c_time, like, strict in summaries:
        print(f"  {name}: concord {fmt_time(c_time)}")
        for key, label, best in (("like", "like for like", like), ("strict", "strictest", strict)):
            if best is None:
                print(f"    {label + ':':15} no peer run agreed or timed out")
                continue
            t, who, bound = best
            ratio = t / c_time
            ok = ratio >= TARGET
            met[key] += ok
            if bound:
                print(f"    {label + ':':15} {who} timed out: > {fmt_time(t)} = > {ratio:.1f}x concord  "
                      f"{'MET' if ok else 'NOT MET'}")
            else:
                print(f"    {label + ':':15} {who} {fmt_time(t)} = {ratio:.1f}x concord  {'MET' if ok else 'NOT MET'}")
    print(f"Target met on {met['like']} of {len(summaries)} games like for like, "
          f"{met['strict']} of {len(summaries)} strictest.")
    print()
    if disagreements:
        print(f"FAIL: {disagreements} disagreement(s) or failed peer run(s) (see above)")
        return 1
    print("OK: every peer result that could be checked agrees with concord")
    return 0


if __name__ == "__main__":
    sys.exit(main())
