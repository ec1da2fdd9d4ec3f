"""`aacap evaluate FILE`: score captions with the DCASE metric suite.

FILE (or ``-i FILE``, as aac-metrics' ``aac-metrics-eval``) is aac-metrics' CSV (columns
``caption_predicted`` and ``caption_1`` ... ``caption_N`` or a ``captions`` list column), what
``aacap evaluate-model --out`` writes, or JSON lines of ``{"candidate": str, "references": [str,
...]}`` (optionally ``"candidates": [str, ...]`` for ``spider_max``); see aacap/metrics/files.py.
Every score is printed with the backend that computed it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from ..progress import add_quiet_argument

PYTHON_SPICE_ADVICE = ("note: SPICE (and so SPIDEr) came from aacap's Python SPICE, an approximation of "
                       "SPICE 1.0; for numbers to publish, run `aacap metrics download spice` and add "
                       "--spice-backend java")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evaluate", help="score captions against references (BLEU ... SPIDEr, FENSE)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", type=Path, nargs="?", help="CSV (caption_predicted, caption_1..N) or JSONL (candidate, references)")
    p.add_argument("-i", "--input", type=Path, dest="input", help="the same as FILE (aac-metrics' flag)")
    p.add_argument("-m", "--metrics", default="dcase2020",
                   help="preset (dcase2020, dcase2023, dcase2024, all) or comma-separated names (default: dcase2020)")
    p.add_argument("--per-item", type=Path, metavar="OUT.csv", help="also write per-item scores to this CSV")
    p.add_argument("--json", action="store_true", help="print the corpus scores and their backends as one JSON object")
    p.add_argument("--meteor-backend", choices=["python", "java"], default="python",
                   help="python: pure-Python METEOR 1.5 (default, equal to the jar); java: the official jar")
    p.add_argument("--spice-backend", choices=["python", "java"], default="python",
                   help="python: spaCy scene graphs (default, an approximation); java: the official SPICE 1.0 "
                        "(after `aacap metrics download spice`)")
    add_quiet_argument(p)
    p.set_defaults(func=run)


def input_path(args: argparse.Namespace) -> Path:
    if args.file and args.input and args.file != args.input:
        raise ValueError(f"two input files given ({args.file} and -i {args.input}): give one")
    path = args.input or args.file
    if path is None:
        raise ValueError("no input file: give FILE or -i FILE")
    return path


def run(args: argparse.Namespace) -> int:
    from aacap.metrics import evaluate
    from aacap.metrics.files import check_output_path, read_captions
    from aacap.metrics.suite import MAX_CAPTION_WORDS, check_available, resolve_metrics

    path = input_path(args)
    names = resolve_metrics(args.metrics)
    if args.per_item:
        check_output_path(args.per_item)
    check_available(names)
    data = read_captions(path)
    scores = evaluate(data.candidates, data.references, names, mult_candidates=data.mult_candidates,
                      meteor_backend=args.meteor_backend, spice_backend=args.spice_backend,
                      progress=not args.quiet)
    if scores.truncated:
        print(f"aacap evaluate: note: {scores.truncated} caption(s) longer than {MAX_CAPTION_WORDS} words "
              f"were cut to their first {MAX_CAPTION_WORDS}", file=sys.stderr)
    if args.per_item:
        write_per_item(args.per_item, data.ids, data.candidates, scores)
    if args.json:
        print(json.dumps({"scores": scores.corpus, "backends": scores.backends}))
        return 0
    width = max(len(n) for n in scores.corpus)
    for name, value in scores.corpus.items():
        print(f"{name:<{width}}  {value:.4f}  ({scores.backends[name]})")
    if used_python_spice(scores.backends):
        print(PYTHON_SPICE_ADVICE)
    if scores.backends.get("sbert_sim") == "python:all-MiniLM-L6-v2":
        print("note: sbert_sim used all-MiniLM-L6-v2, not FENSE's paraphrase-TinyBERT-L6-v2, so it is not "
              "aac-metrics' sbert_sim; run `aacap metrics download fense` for that one")
    return 0


def used_python_spice(backends: dict[str, str]) -> bool:
    """Whether a score (SPICE itself, SPIDEr, SPIDEr-FL, SPIDEr-max) came from the Python SPICE."""
    return any((name == "spice" and b.startswith("python")) or "spice:python" in b for name, b in backends.items())


def write_per_item(path: Path, ids: list[str], candidates: list[str], scores) -> None:
    """One row per item: id, candidate, then each metric's value under a header that names the
    metric and its backend, e.g. ``spice (python:spacy-scene-graph)``."""
    names = list(scores.per_item)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "caption_predicted", *(f"{n} ({scores.backends[n]})" for n in names)])
        for i, cand in enumerate(candidates):
            writer.writerow([ids[i], cand, *(f"{scores.per_item[n][i]:.6f}" for n in names)])
