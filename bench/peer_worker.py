"""One timed run of a Python peer on one game: the process that bench/power-peers.sh times.

Usage (inside the throwaway venv that bench/power-peers.sh makes):

    python bench/peer_worker.py TOOL MODE GAME.json

TOOL is `powerindices` or `power-bdd`; MODE is `all` (Penrose/Banzhaf and Shapley–Shubik) or
`banzhaf` (Penrose/Banzhaf only). GAME.json is a game tree written by bench/peers.py:

    {"kind": "weighted", "quota": 39, "weights": [7, 7, ...]}
    {"kind": "and" | "or", "of": [GAME, GAME, ...]}       (every leaf over the same players)

Prints one JSON object on stdout: {"penrose": [...], "shapley_shubik": [...] | null,
"overflow": bool}. `penrose` is what both packages return as "Banzhaf" (swings / 2^(n-1));
`overflow` is true when numpy warned of integer overflow during the computation.

Kept deliberately small: the timed cost is interpreter start + import of the peer + compute,
nothing of the benchmark's own machinery.
"""

import json
import sys
import warnings


def run_powerindices(game, mode):
    # powerindices 1.0.2 (Frank Huettner): compute_pbi / compute_ssi(quota, weights) on plain
    # weighted games with integer weights. Both mutate `weights`, so each gets a fresh list.
    import powerindices

    if game["kind"] != "weighted":
        raise SystemExit("powerindices handles only plain weighted games")
    q, w = game["quota"], game["weights"]
    penrose = [float(x) for x in powerindices.compute_pbi(q, list(w))]
    ssi = [float(x) for x in powerindices.compute_ssi(q, list(w))] if mode == "all" else None
    return penrose, ssi


def run_power_bdd(game, mode):
    # power_bdd 1.0.0 (Ingo Wilms): BDD(WeightedGame(q, w)); BDDs combine with `&` and `|`;
    # calc_banzhaf() returns swings / 2^(n-1), calc_shapley() the Shapley–Shubik index.
    from power_bdd.bdd import BDD, WeightedGame

    def build(node):
        if node["kind"] == "weighted":
            return BDD(WeightedGame(node["quota"], list(node["weights"])))  # WeightedGame mutates w
        parts = [build(p) for p in node["of"]]
        acc = parts[0]
        for p in parts[1:]:
            acc = (acc & p) if node["kind"] == "and" else (acc | p)
        return acc

    bdd = build(game)
    penrose = [float(x) for x in bdd.calc_banzhaf()]
    ssi = [float(x) for x in bdd.calc_shapley()] if mode == "all" else None
    return penrose, ssi


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("powerindices", "power-bdd") or sys.argv[2] not in ("all", "banzhaf"):
        raise SystemExit("usage: peer_worker.py powerindices|power-bdd all|banzhaf GAME.json")
    tool, mode, path = sys.argv[1:4]
    with open(path, encoding="utf-8") as f:
        game = json.load(f)
    out = sys.stdout
    sys.stdout = sys.stderr  # power_bdd prints progress counters (every 100,000 nodes) on stdout
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # once per location: cheap even if a loop overflows often
        penrose, ssi = (run_powerindices if tool == "powerindices" else run_power_bdd)(game, mode)
    overflow = any("overflow" in str(w.message) for w in caught)
    sys.stdout = out
    json.dump({"penrose": penrose, "shapley_shubik": ssi, "overflow": overflow}, out)
    out.write("\n")


if __name__ == "__main__":
    main()
