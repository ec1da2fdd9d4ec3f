"""`aacap evaluate FILE`: score captions with the DCASE metric suite.

FILE is aac-metrics' CSV (columns ``caption_predicted``, ``caption_1`` ... ``caption_N``; empty
reference cells are skipped) or a JSONL file of ``{"candidate": str, "references": [str, ...]}``
(optionally ``"candidates": [str, ...]`` for ``spider_max``).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evaluate", help="score captions against references (BLEU ... SPIDEr)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", type=Path, help="CSV (caption_predicted, caption_1..N) or JSONL (candidate, references)")
    p.add_argument("--metrics", default="dcase2020",
                   help="preset (dcase2020, dcase2023, dcase2024, all) or comma-separated names (default: dcase2020)")
    p.add_argument("--per-item", type=Path, metavar="OUT.csv", help="also write per-item scores to this CSV")
    p.add_argument("--json", action="store_true", help="print the corpus scores as one JSON object")
    p.add_argument("--meteor-backend", choices=["python", "java"], default="python",
                   help="python: pure-Python METEOR 1.5 (default, equal to the jar); java: the official jar")
    p.add_argument("--spice-backend", choices=["python", "java"], default="python",
                   help="python: spaCy scene graphs (default); java: official SPICE 1.0 (needs CoreNLP 3.6.0 "
                        "jars and Java <= 14, see aacap/metrics/spice_java.py)")
    p.set_defaults(func=run)


def read_captions(path: Path) -> tuple[list[str], list[list[str]], list[list[str]] | None]:
    """(candidates, mult_references, mult_candidates or None) from a CSV or JSONL file."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".jsonl", ".json") or text.lstrip().startswith("{"):
        return _read_jsonl(path, text)
    return _read_csv(path, text)


def _read_csv(path: Path, text: str) -> tuple[list[str], list[list[str]], None]:
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    fields = rows[0].keys() if rows else csv.DictReader(text.splitlines()).fieldnames or []
    ref_cols = sorted((f for f in fields if re.fullmatch(r"caption_\d+", f or "")), key=lambda f: int(f[8:]))
    if "caption_predicted" not in fields or not ref_cols:
        raise ValueError(f"{path}: a CSV needs columns caption_predicted and caption_1..caption_N "
                         f"(found {list(fields)})")
    cands, refs = [], []
    for i, row in enumerate(rows, start=2):
        item_refs = [row[c] for c in ref_cols if row.get(c)]
        if not item_refs:
            raise ValueError(f"{path}: line {i} has no reference caption")
        cands.append(row["caption_predicted"] or "")
        refs.append(item_refs)
    return cands, refs, None


def _read_jsonl(path: Path, text: str) -> tuple[list[str], list[list[str]], list[list[str]] | None]:
    cands, refs, multi = [], [], []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: line {i} is not JSON ({e.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("candidate"), str) \
                or not isinstance(obj.get("references"), list):
            raise ValueError(f'{path}: line {i} needs {{"candidate": str, "references": [str, ...]}}')
        cands.append(obj["candidate"])
        refs.append(obj["references"])
        multi.append(obj.get("candidates") or [obj["candidate"]])
    return cands, refs, multi


def run(args: argparse.Namespace) -> int:
    from aacap.metrics import evaluate

    cands, refs, multi = read_captions(args.file)
    scores = evaluate(cands, refs, args.metrics, mult_candidates=multi, meteor_backend=args.meteor_backend,
                      spice_backend=args.spice_backend)
    if args.per_item:
        names = list(scores.per_item)
        with open(args.per_item, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["index", "caption_predicted", *names])
            for i, cand in enumerate(cands):
                writer.writerow([i, cand, *(f"{scores.per_item[n][i]:.6f}" for n in names)])
    if args.json:
        print(json.dumps(scores.corpus))
    else:
        width = max(len(n) for n in scores.corpus)
        for name, value in scores.corpus.items():
            print(f"{name:<{width}}  {value:.4f}  ({scores.backends[name]})")
    return 0
