"""Metric speed and SPICE agreement on the shared Clotho-eval data (1,045 candidates x 5 refs).

Prints two tables: (1) wall time of aacap.metrics next to pycocoevalcap 1.2 (Java tokenizer +
BLEU/METEOR/ROUGE-L/CIDEr-D; its SPICE cannot run here), with the corpus values of both;
(2) pure-Python SPICE against the official per-caption values (corpus, Pearson, MAE).

    .venv/bin/python benchmarks/metrics.py [--skip-coco]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SHARED = Path(os.environ.get("AACAP_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
DATA = SHARED / "data" / "reference-scores" / "clotho_eval_conette.jsonl"
NGRAM = ["bleu_1", "bleu_2", "bleu_3", "bleu_4", "meteor", "rouge_l", "cider_d"]


def run_coco(cands: list[str], refs: list[list[str]]) -> tuple[float, dict[str, float]]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    t = time.perf_counter()
    tok = PTBTokenizer()
    res = tok.tokenize({i: [{"caption": c}] for i, c in enumerate(cands)})
    gts = tok.tokenize({i: [{"caption": r} for r in rs] for i, rs in enumerate(refs)})
    out: dict[str, float] = {}
    b, _ = Bleu(4).compute_score(gts, res, verbose=0)
    out.update({f"bleu_{k + 1}": b[k] for k in range(4)})
    out["meteor"] = Meteor().compute_score(gts, res)[0]
    out["rouge_l"] = Rouge().compute_score(gts, res)[0]
    out["cider_d"] = Cider().compute_score(gts, res)[0]
    return time.perf_counter() - t, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-coco", action="store_true", help="do not time pycocoevalcap")
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"benchmark data not found: {DATA} (needs ../shared)", file=sys.stderr)
        return 1
    from aacap.metrics import evaluate
    from aacap.metrics.spice import SceneGraphCache, spice

    items = [json.loads(line) for line in DATA.read_text().splitlines()]
    cands = [d["candidate"] for d in items]
    refs = [d["references"] for d in items]
    official = json.loads(DATA.with_name("clotho_eval_conette.corpus.json").read_text())

    t = time.perf_counter()
    ours = evaluate(cands, refs, NGRAM)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    evaluate(cands, refs, [m for m in NGRAM if m != "meteor"])
    t_ours_nometeor = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        cache = SceneGraphCache(Path(tmp) / "graphs.json")
        t = time.perf_counter()
        spice_corpus, spice_items = spice(cands, refs, cache)
        t_spice_cold = time.perf_counter() - t
        t = time.perf_counter()
        spice(cands, refs, SceneGraphCache(Path(tmp) / "graphs.json"))  # new process's view: load from disk
        t_spice_warm = time.perf_counter() - t
    sbert = None
    try:
        from aacap.metrics.sbert import sbert_sim

        t = time.perf_counter()
        sbert = sbert_sim(cands, refs)
        t_sbert = time.perf_counter() - t
    except Exception as e:  # weights not installed: say so in the table
        print(f"sbert_sim skipped: {e}", file=sys.stderr)
    coco_time, coco = (None, {}) if args.skip_coco else run_coco(cands, refs)

    print(f"Clotho eval, {len(cands)} candidates x 5 references, {os.cpu_count()} CPUs")
    print(f"{'metrics':<40} {'aacap (s)':>10} {'pycocoevalcap (s)':>18}")
    print(f"{'BLEU-1..4 + METEOR + ROUGE-L + CIDEr-D':<40} {t_ours:>10.2f} "
          f"{coco_time if coco_time is not None else float('nan'):>18.2f}")
    print(f"{'  same without METEOR (no JVM)':<40} {t_ours_nometeor:>10.2f} {'':>18}")
    print(f"{'SPICE, first time (parse + score)':<40} {t_spice_cold:>10.2f} {'cannot run':>18}")
    print(f"{'SPICE, parses cached on disk':<40} {t_spice_warm:>10.2f} {'':>18}")
    if sbert is not None:
        print(f"{'SBERT-sim (all-MiniLM-L6-v2, CPU)':<40} {t_sbert:>10.2f} {'':>18}")
    print()
    print(f"{'metric':<10} {'aacap':>10} {'pycocoevalcap':>14} {'official':>10}  backend")
    for name in NGRAM:
        print(f"{name:<10} {ours.corpus[name]:>10.6f} {coco.get(name, float('nan')):>14.6f} "
              f"{official[name]:>10.6f}  {ours.backends[name]}")
    off = np.array([d["scores"]["spice"] for d in items])
    mine = spice_items["spice"]
    print()
    print(f"SPICE (pure Python) vs official SPICE 1.0 values: corpus {spice_corpus['spice']:.4f} vs "
          f"{off.mean():.4f} (diff {spice_corpus['spice'] - off.mean():+.4f}); per-caption Pearson "
          f"{np.corrcoef(mine, off)[0, 1]:.3f}, MAE {np.abs(mine - off).mean():.4f}; "
          f"SPIDEr {(ours.corpus['cider_d'] + spice_corpus['spice']) / 2:.4f} vs {official['spider']:.4f}")
    if sbert is not None:
        off_s = np.array([d["scores"]["sbert_sim"] for d in items])
        print(f"SBERT-sim (all-MiniLM-L6-v2) corpus {sbert[0]['sbert_sim']:.4f}; official FENSE model "
              f"(paraphrase-TinyBERT-L6-v2) {off_s.mean():.4f}; per-caption Pearson "
              f"{np.corrcoef(sbert[1]['sbert_sim'], off_s)[0, 1]:.3f} (different encoders)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
