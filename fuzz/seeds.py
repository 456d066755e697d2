#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets, fuzz/corpus/<target>/, from the project's own files.

- scenario: examples/*.toml, the store fixture's export, every scenario in the Rust string
  literals of tests/*.rs, and `BASE` of tests/bad_input.rs with each edit the tests make
  (`broken`, `replace_once`, `replace(n)` with literal arguments) and each TOML fragment of the
  tests appended;
- policy: every position's policy in those scenarios;
- change_json: every change of tests/fixtures/store-0.1.0/entries.jsonl (tagged, as a ledger
  entry holds it, and untagged, as an API body), and each record of the NATO example as a change;
- apply_lines: the fixture's entries as `concord apply` lines, whole and one by one;
- ledger_proof: a few fixed random inputs (its input is `arbitrary`-structured);
- checkpoint: a real proof, checkpoint and keys of the fixture store (`concord ledger prove`,
  `ledger checkpoint`), with CONCORD naming the binary (default target/debug/concord).

Usage: fuzz/seeds.py   (rewrites fuzz/corpus/; run from anywhere)
"""

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
FIXTURE = ROOT / "tests" / "fixtures" / "store-0.1.0"

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def rust_literals(src):
    """Every string literal of a Rust file, raw or not, unescaped."""
    out = []
    i = 0
    while i < len(src):
        if src.startswith("//", i):
            i = src.find("\n", i)
            i = len(src) if i < 0 else i
            continue
        m = re.compile(r'r(#*)"').match(src, i)
        if m and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            end = '"' + m.group(1)
            j = src.find(end, m.end())
            if j < 0:
                break
            out.append(src[m.end():j])
            i = j + len(end)
            continue
        if src[i] == "'" and i + 2 < len(src) and (src[i + 2] == "'" or src[i + 1] == "\\"):
            # a char literal: skip it, so that '"' opens nothing
            j = src.find("'", i + 2)
            i = j + 1 if j > 0 else i + 1
            continue
        if src[i] == '"':
            j, buf = i + 1, []
            while j < len(src) and src[j] != '"':
                if src[j] == "\\" and j + 1 < len(src):
                    c = src[j + 1]
                    if c == "\n":
                        j += 2
                        while j < len(src) and src[j] in " \t\n":
                            j += 1
                        continue
                    if c == "u":
                        k = src.find("}", j)
                        buf.append(chr(int(src[j + 3:k], 16)))
                        j = k + 1
                        continue
                    if c == "x":
                        buf.append(chr(int(src[j + 2:j + 4], 16)))
                        j += 4
                        continue
                    buf.append(ESCAPES.get(c, c))
                    j += 2
                    continue
                buf.append(src[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
            continue
        i += 1
    return out


def replacements(src):
    """The (from, to) of every `broken("…", "…")`, `replace_once(_, "…", "…")`, `.replace("…", "…")`
    and `.replacen("…", "…", _)` with two plain literals: the edits the tests make to scenarios."""
    lit = r'"((?:[^"\\]|\\.)*)"'
    call = r"(?:broken\(|replace_once\([^,()]+,|\.replacen?\()"
    pairs = []
    for m in re.finditer(call + r"\s*" + lit + r"\s*,\s*" + lit, src, re.S):
        a, b = (rust_literals('"' + g + '"')[0] for g in m.groups())
        pairs.append((a, b))
    return pairs


class Corpus:
    def __init__(self, target):
        self.dir = CORPUS / target
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.count = 0

    def add(self, data):
        if isinstance(data, str):
            data = data.encode()
        name = hashlib.sha1(data).hexdigest()
        path = self.dir / name
        if not path.exists():
            path.write_bytes(data)
            self.count += 1


def scenarios():
    texts = [p.read_text() for p in sorted((ROOT / "examples").glob("*.toml"))]
    texts.append((FIXTURE / "export.toml").read_text())
    base = None
    fragments = []
    for test in sorted((ROOT / "tests").glob("*.rs")):
        src = test.read_text()
        for s in rust_literals(src):
            if "[scenario]" in s:
                texts.append(s)
                if test.name == "bad_input.rs" and base is None:
                    base = s
            elif re.search(r"^\[\[\w+\]\]$", s, re.M) and "id = " in s:
                fragments.append(s)
    if base is not None:
        # On the small scenario only: the examples, edited, would make the corpus large and slow.
        for test in sorted((ROOT / "tests").glob("*.rs")):
            for a, b in replacements(test.read_text()):
                if a and a in base:
                    texts.append(base.replace(a, b, 1))
        for f in fragments:
            texts.append(base + f)
    return texts


def policies(texts):
    out = []
    for t in texts:
        try:
            doc = tomllib.loads(t)
        except tomllib.TOMLDecodeError:
            continue
        for p in doc.get("position", []):
            if isinstance(p, dict) and isinstance(p.get("policy"), str):
                out.append(p["policy"])
    return out


# Policies that read what the `policy` target's scenario (concord_fuzz::SMALL) offers: facts and
# attributes of every type, partners, frameworks and the date.
POLICIES = [
    'forbid (principal, action, resource) when { context.facts.d.lessThan(decimal("2.0")) };',
    'forbid (principal, action == Action::"consent", resource)\nwhen { resource.attributes has budget && '
    'resource.attributes.budget.greaterThanOrEqual(decimal("1.5")) };',
    'forbid (principal, action, resource) when { context.facts.n > 10 && context.facts.s like "op*" };',
    'forbid (principal, action, resource)\nwhen { resource.partners.containsAny([Partner::"X", Partner::"Y"]) }\n'
    'unless { context.facts.f || resource.engagement == "continuing" };',
    'forbid (principal == Member::"A", action, resource is Proposal)\n'
    'when { resource.kind == "exercise" && context.date >= "2025-06-01" };',
    'forbid (principal, action, resource) when { resource.partners.contains(Partner::"X") && '
    'Partner::"X".frameworks.contains("MD") && resource.attributes.host == "BGR" };',
    '// a comment\n@id("named")\nforbid (principal, action, resource) when { resource.attributes.days * 2 + 1 > 5 };',
    'forbid (principal, action, resource) when { if context.facts.f then true else resource.committee == "C" };',
    'forbid (principal, action, resource);\nforbid (principal, action, resource) when { context.facts.n == 24 };',
    # Depth for the fuzzer to build on: nested parentheses, sets and conditionals, and long chains.
    'forbid (principal, action, resource) when { ' + '(' * 20 + 'context.facts.f' + ')' * 20 + ' };',
    'forbid (principal, action, resource) when { ' + '[' * 12 + '1' + ']' * 12 + '.contains(1) };',
    'forbid (principal, action, resource) when { ' + 'if context.facts.f then ' * 8 + 'true' + ' else false' * 8
    + ' };',
    'forbid (principal, action, resource) when { ' + ' && '.join(['context.facts.n > 1'] * 30) + ' };',
    'forbid (principal, action, resource) when { context.facts.n ' + ' + 1' * 30 + ' > 3 };',
]


def entries():
    return [json.loads(l) for l in (FIXTURE / "entries.jsonl").read_text().splitlines() if l.strip()]


def nato_changes():
    """The NATO example's records as the changes that would make them."""
    doc = tomllib.loads((ROOT / "examples" / "nato-2025.toml").read_text())

    def plain(v):
        if isinstance(v, float):
            return {"decimal": repr(v)}
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v

    out = []
    for kind, table in [("fact", "fact"), ("position", "position"), ("proposal", "proposal"), ("vote", "vote")]:
        for rec in doc.get(table, []):
            rec = plain(rec)
            rec.pop("at", None)
            out.append({"change": kind, **rec})
    return out


def main():
    texts = scenarios()

    c = Corpus("scenario")
    for t in texts:
        c.add(t)
    print(f"scenario: {c.count}")

    c = Corpus("policy")
    for p in policies(texts) + POLICIES:
        c.add(p)
    print(f"policy: {c.count}")

    c = Corpus("change_json")
    for e in entries():
        e = {k: v for k, v in e.items() if k not in ("seq", "at")}
        c.add(json.dumps(e, separators=(",", ":")))
        c.add(json.dumps({k: v for k, v in e.items() if k != "change"}, separators=(",", ":")))
    for ch in nato_changes():
        c.add(json.dumps(ch, separators=(",", ":")))
    print(f"change_json: {c.count}")

    c = Corpus("apply_lines")
    lines = []
    for e in entries():
        if e.get("change") in ("init", "decision"):
            continue
        e.pop("seq", None)
        lines.append(json.dumps(e, separators=(",", ":")))
    c.add("\n".join(lines) + "\n")
    for l in lines:
        c.add(l + "\n")
    for i in range(0, len(lines), 3):
        c.add("\n".join(lines[i:i + 3]) + "\n")
    print(f"apply_lines: {c.count}")

    c = Corpus("ledger_proof")
    rng = random.Random(6962)
    for n in (16, 64, 256, 1024):
        for _ in range(4):
            c.add(bytes(rng.randrange(256) for _ in range(n)))
    print(f"ledger_proof: {c.count}")

    c = Corpus("checkpoint")
    concord = os.environ.get("CONCORD", str(ROOT / "target" / "debug" / "concord"))
    with tempfile.TemporaryDirectory() as tmp:
        for f in FIXTURE.glob("v1.db*"):
            shutil.copy(f, tmp)
        db = str(Path(tmp) / "v1.db")

        def run(*args):
            return subprocess.run([concord, "--db", db, *args], check=True, capture_output=True, text=True).stdout

        for entry in (0, 7, 18):
            c.add(run("ledger", "prove", str(entry), "--format", "json"))
        cp = json.loads(run("ledger", "checkpoint", "--format", "json"))
        c.add(json.dumps(cp))
        c.add(cp["text"] + "\n" + cp["signature"])
        lines = cp["text"].splitlines()
        c.add(json.dumps({"origin": lines[1], "tree_size": int(lines[2]), "root": lines[3], "time": lines[4],
                          "signature": cp["signature"]}))
        c.add(cp["signature"])
    c.add((FIXTURE / "v1.db.pub").read_text())
    c.add((FIXTURE / "v1.db.key").read_text())
    print(f"checkpoint: {c.count}")


if __name__ == "__main__":
    sys.exit(main())
