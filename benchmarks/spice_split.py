"""Pure-Python SPICE against the official SPICE 1.0 values, on two fixed halves of Clotho eval.

The shared Clotho-eval file (1,045 candidates x 5 references, official per-caption SPICE) is
split by a fixed hash of each audio file name: the tuning half holds the items whose
``sha256(fname)`` ends in an even byte, the test half the odd ones. Rules may only be checked on
the tuning half; the test half says whether they carry over. Prints corpus SPICE (ours and
official), |difference|, per-caption Pearson and mean absolute error for each half and the whole
file, then the CPU time of SPICE from cold (parse + score) and with the parses cached.

``--diagnose`` adds an error analysis of the tuning half only. An official F is 2·tp / (n_cand +
n_ref) tuples, so for each item it differs from, it prints the smallest change of our matched
count tp and tuple total n that gives the official value (does the official graph have more
tuples, or fewer matches?), and the kinds of single tuples (candidate or reference; object,
attribute, relation) whose removal alone makes our F equal the official one.

    .venv/bin/python benchmarks/spice_split.py [--no-timing] [--diagnose]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

SHARED = Path(os.environ.get("AACAP_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
DATA = SHARED / "data" / "reference-scores" / "clotho_eval_conette.jsonl"


def half_of(fname: str) -> str:
    """``tune`` or ``test``: the parity of the last byte of sha256(fname)."""
    return "tune" if hashlib.sha256(fname.encode()).digest()[-1] % 2 == 0 else "test"


def agreement(ours: np.ndarray, official: np.ndarray) -> dict[str, float]:
    """Corpus values, |corpus difference|, Pearson and MAE of per-caption scores (N,) vs (N,)."""
    return {"n": len(ours), "ours": float(ours.mean()), "official": float(official.mean()),
            "abs_diff": abs(float(ours.mean() - official.mean())),
            "pearson": float(np.corrcoef(ours, official)[0, 1]), "mae": float(np.abs(ours - official).mean())}


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def counts(tuples: dict, cand: str, refs: list[str]) -> tuple[int, int]:
    """(matched candidate tuples, candidate + reference tuples) of one item, as SPICE counts them."""
    from aacap.metrics.spice import SceneGraph, wordnet

    c, r = SceneGraph(wordnet()), SceneGraph(wordnet())
    for ref in refs:
        for t in tuples[ref]:
            r.add(t)
    for t in tuples[cand]:
        c.add(t)
    ct, rt = c.tuples(), r.tuples()
    tp = sum(1 for t in ct if any(len(t) == len(u) and all(a.similar(b) for a, b in zip(t, u)) for u in rt))
    return tp, len(ct) + len(rt)


def f_of(tp: int, n: int) -> float:
    return 2 * tp / n if tp and n else 0.0


def smallest_change(tp: int, n: int, official: float) -> tuple[int, int] | None:
    """The (d_tp, d_n) of least |d_tp| + |d_n|/2 with F(tp + d_tp, n + d_n) == official."""
    options = [(abs(dt) + abs(dn) / 2, dt, dn) for dt in range(-4, 5) for dn in range(-10, 11)
               if tp + dt >= 0 and n + dn > 0 and abs(f_of(tp + dt, n + dn) - official) < 1e-6]
    return min(options)[1:] if options else None


def diagnose(items: list[dict], tuples: dict, official: np.ndarray, mask: np.ndarray) -> None:
    """Print the error analysis of the items in mask (see the module docstring)."""
    kind = {1: "object", 2: "attribute", 3: "relation"}
    changes, removals, exact, explained = Counter(), Counter(), 0, 0
    for d, off, keep in zip(items, official, mask):
        if not keep:
            continue
        cand, refs = d["candidate"], d["references"]
        tp, n = counts(tuples, cand, refs)
        if abs(f_of(tp, n) - off) < 1e-6:
            exact += 1
            continue
        change = smallest_change(tp, n, off)
        changes["none" if change is None else "more matches" if change[0] > 0 else "fewer matches"
                if change[0] < 0 else "more tuples" if change[1] > 0 else "fewer tuples"] += 1
        hits = set()
        for role, cap in [("candidate", cand)] + [("reference", r) for r in refs]:
            for j, t in enumerate(tuples[cap]):
                if abs(f_of(*counts({**tuples, cap: tuples[cap][:j] + tuples[cap][j + 1:]}, cand, refs)) - off) < 1e-6:
                    hits.add((role, kind[len(t)]))
        explained += bool(hits)
        for h in hits:
            removals[h] += 1 / len(hits)
    total = int(mask.sum())
    print(f"\nTuning half, {total} items: {exact} equal the official F; the other {total - exact}, by the "
          "smallest change of matched count tp and tuple total n that gives the official F:")
    print("| smallest change | items |\n|---|---:|")
    for name, k in changes.most_common():
        print(f"| {name} | {k} |")
    print(f"\n{explained} items equal the official F once one tuple is removed; by the removed tuple's kind "
          "(an item with several such tuples split between them):")
    print("| caption | tuple kind | items |\n|---|---|---:|")
    for (role, k), v in removals.most_common():
        print(f"| {role} | {k} | {v:.1f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-timing", action="store_true", help="skip the cold/warm timing runs")
    parser.add_argument("--diagnose", action="store_true", help="error analysis of the tuning half")
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"benchmark data not found: {DATA} (needs ../shared)", file=sys.stderr)
        return 1
    from aacap.metrics.spice import SceneGraphCache, spice

    items = [json.loads(line) for line in DATA.read_text().splitlines()]
    cands = [d["candidate"] for d in items]
    refs = [d["references"] for d in items]
    official = np.array([d["scores"]["spice"] for d in items])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graphs.json"
        c0, t0 = cpu_seconds(), time.perf_counter()
        _, per_item = spice(cands, refs, SceneGraphCache(path))
        cold = (cpu_seconds() - c0, time.perf_counter() - t0)
        c0, t0 = cpu_seconds(), time.perf_counter()
        spice(cands, refs, SceneGraphCache(path))
        warm = (cpu_seconds() - c0, time.perf_counter() - t0)
    ours = per_item["spice"]
    halves = np.array([half_of(d["fname"]) for d in items])
    print("| part | n | ours | official | abs diff | Pearson | MAE |")
    print("|---|---|---|---|---|---|---|")
    for name, mask in [("tuning half", halves == "tune"), ("test half", halves == "test"),
                       ("whole file", np.ones(len(items), bool))]:
        a = agreement(ours[mask], official[mask])
        print(f"| {name} | {a['n']} | {a['ours']:.4f} | {a['official']:.4f} | {a['abs_diff']:.4f} "
              f"| {a['pearson']:.3f} | {a['mae']:.4f} |")
    if args.diagnose:
        cache = SceneGraphCache()
        caps = sorted({c for d in items for c in [d["candidate"], *d["references"]]})
        tuples = dict(zip(caps, cache.get(caps)))
        diagnose(items, tuples, official, halves == "tune")
    if not args.no_timing:
        print(f"\nSPICE on {len(items)} x 5: cold (parse + score) {cold[0]:.2f} s CPU / {cold[1]:.2f} s wall; "
              f"parses cached {warm[0]:.2f} s CPU / {warm[1]:.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
