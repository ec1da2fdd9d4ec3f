"""Pure-Python SPICE against the official SPICE 1.0 values, on two fixed halves of Clotho eval.

The shared Clotho-eval file (1,045 candidates x 5 references, official per-caption SPICE) is
split by a fixed hash of each audio file name: the tuning half holds the items whose
``sha256(fname)`` ends in an even byte, the test half the odd ones. Rules may only be checked on
the tuning half; the test half says whether they carry over. Prints corpus SPICE (ours and
official), |difference|, per-caption Pearson and mean absolute error for each half and the whole
file, then the CPU time of SPICE from cold (parse + score) and with the parses cached.

    .venv/bin/python benchmarks/spice_split.py [--no-timing]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-timing", action="store_true", help="skip the cold/warm timing runs")
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
    if not args.no_timing:
        print(f"\nSPICE on {len(items)} x 5: cold (parse + score) {cold[0]:.2f} s CPU / {cold[1]:.2f} s wall; "
              f"parses cached {warm[0]:.2f} s CPU / {warm[1]:.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
