"""`aacap compare A B`: two systems' captions of the same items, scored and compared.

A and B are caption files as `aacap evaluate` reads them (aac-metrics' CSV or JSONL), with the
same items in the same order and the same references. For each metric: both scores, B - A, a
paired bootstrap 95% interval and a paired permutation p-value (10,000 resamples each, seeded;
see aacap/metrics/compare.py), then the items whose scores differ most.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("compare", help="compare two systems' captions: differences, 95%% CI, p-values",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", type=Path, help="system A's caption file (CSV or JSONL)")
    p.add_argument("b", type=Path, help="system B's caption file, same items and references")
    p.add_argument("-m", "--metrics", default="dcase2020", help="preset or comma-separated names (default: dcase2020)")
    # defaults of aacap.metrics.compare (RESAMPLES, SEED), written out so that parsing the
    # command line does not import the metrics package
    p.add_argument("--resamples", type=int, default=10_000, help="bootstrap and permutation resamples (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--top", type=int, default=5, help="items that differ most to show (default 5)")
    p.add_argument("--json", action="store_true", help="print the comparison as one JSON object")
    p.add_argument("--spice-backend", choices=["python", "java"], default="python", help="as in aacap evaluate")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aacap.metrics import evaluate
    from aacap.metrics.compare import compare_items, most_different
    from aacap.metrics.files import read_captions
    from aacap.metrics.suite import check_available, resolve_metrics

    if args.resamples < 100 or args.top < 0:
        raise ValueError("--resamples must be at least 100 and --top at least 0")
    names = resolve_metrics(args.metrics)
    check_available(names)
    a, b = read_captions(args.a), read_captions(args.b)
    if len(a.candidates) != len(b.candidates):
        raise ValueError(f"{args.a} has {len(a.candidates)} items and {args.b} {len(b.candidates)}: "
                         "compare needs the same items in both")
    bad = next((i for i, (ra, rb) in enumerate(zip(a.references, b.references)) if ra != rb), None)
    if bad is not None:
        raise ValueError(f"item {bad + 1} ({a.ids[bad]}) has other references in {args.b} than in {args.a}: "
                         "compare needs the same items, in the same order")
    sa = evaluate(a.candidates, a.references, names, spice_backend=args.spice_backend)
    sb = evaluate(b.candidates, b.references, names, spice_backend=args.spice_backend)
    metrics = [n for n in sa.per_item if n in sb.per_item and not n.startswith("vocab")]
    if not metrics:
        raise ValueError(f"{args.metrics}: no per-item scores to compare; choose metrics such as "
                         "dcase2020 or cider_d,spider")
    rows = [compare_items(n, sa.per_item[n], sb.per_item[n], args.resamples, args.seed) for n in metrics]
    key = "spider" if "spider" in metrics else metrics[-1]
    top = most_different(sa.per_item[key], sb.per_item[key], args.top)
    if args.json:
        print(json.dumps({
            "resamples": args.resamples, "seed": args.seed,
            "metrics": [{**dataclasses.asdict(r), "backend": sa.backends[r.metric]} for r in rows],
            "most_different": {"metric": key, "items": [
                {"id": a.ids[i], "a": a.candidates[i], "b": b.candidates[i],
                 "score_a": float(sa.per_item[key][i]), "score_b": float(sb.per_item[key][i])} for i in top]},
        }))
        return 0
    print(f"A = {args.a}, B = {args.b}: {len(a.candidates)} items; paired bootstrap 95% CI and "
          f"permutation p-value, {args.resamples} resamples, seed {args.seed}")
    width = max(len(r.metric) for r in rows)
    print(f"{'metric':<{width}}  {'A':>7}  {'B':>7}  {'B - A':>8}  {'95% CI':>19}  {'p':>6}  backend")
    for r in rows:
        print(f"{r.metric:<{width}}  {r.mean_a:7.4f}  {r.mean_b:7.4f}  {r.diff:+8.4f}  "
              f"[{r.low:+8.4f}, {r.high:+8.4f}]  {r.p_value:6.4f}  {sa.backends[r.metric]}")
    # imported when the command runs: `aacap --help` stays free of the metric suite
    from .evaluate import PYTHON_SPICE_ADVICE, used_python_spice

    if used_python_spice(sa.backends):
        print(PYTHON_SPICE_ADVICE)
    print(f"\nitems that differ most in {key}:")
    for i in top:
        print(f"  {a.ids[i]}: A {sa.per_item[key][i]:.3f} {a.candidates[i]!r}  |  "
              f"B {sb.per_item[key][i]:.3f} {b.candidates[i]!r}")
    return 0
