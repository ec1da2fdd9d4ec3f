"""Metric speed and agreement on the shared Clotho-eval data (1,045 candidates x 5 refs).

Prints (1) the time of aacap.metrics next to pycocoevalcap 1.2 (Java tokenizer + BLEU, METEOR,
ROUGE-L, CIDEr-D; its SPICE cannot run here), as wall time and as CPU time (this process and
its child JVMs), with the corpus values of each; the whole dcase2020 preset is also timed in a
fresh process, as `aacap evaluate` runs it (SPICE parses cached on disk, nothing in memory);
(2) pure-Python SPICE and SBERT-sim against the official per-caption values (corpus, Pearson, MAE).

    .venv/bin/python benchmarks/metrics.py [--skip-coco] [--skip-sbert]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

SHARED = Path(os.environ.get("AACAP_SHARED", Path(__file__).resolve().parents[1] / ".." / "shared"))
DATA = SHARED / "data" / "reference-scores" / "clotho_eval_conette.jsonl"
NGRAM = ["bleu_1", "bleu_2", "bleu_3", "bleu_4", "meteor", "rouge_l", "cider_d"]


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds of this process and its children)."""
    def cpu() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    c, t = cpu(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t, cpu() - c


def run_coco(cands: list[str], refs: list[list[str]]) -> dict[str, float]:
    import contextlib
    import io

    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    with contextlib.redirect_stdout(io.StringIO()):
        tok = PTBTokenizer()
        res = tok.tokenize({i: [{"caption": c}] for i, c in enumerate(cands)})
        gts = tok.tokenize({i: [{"caption": r} for r in rs] for i, rs in enumerate(refs)})
        out: dict[str, float] = {}
        b, _ = Bleu(4).compute_score(gts, res, verbose=0)
        out.update({f"bleu_{k + 1}": b[k] for k in range(4)})
        meteor = Meteor()
        out["meteor"] = meteor.compute_score(gts, res)[0]
        del meteor
        out["rouge_l"] = Rouge().compute_score(gts, res)[0]
        out["cider_d"] = Cider().compute_score(gts, res)[0]
    return out


FRESH = """
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
from aacap.metrics import evaluate
items = [json.loads(line) for line in open(sys.argv[1])]
c, w = cpu(), time.perf_counter()
evaluate([d["candidate"] for d in items], [d["references"] for d in items], "dcase2020")
print(json.dumps({"wall": time.perf_counter() - w, "cpu": cpu() - c}))
"""


def fresh_process(env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of evaluate(..., "dcase2020") in a new Python process (imports excluded)."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", FRESH, str(DATA)], env=env, capture_output=True, text=True, check=True)
    t = json.loads(out.stdout.strip().splitlines()[-1])
    return t["wall"], t["cpu"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-coco", action="store_true", help="do not time pycocoevalcap")
    parser.add_argument("--skip-sbert", action="store_true", help="do not run SBERT-sim")
    parser.add_argument("--fresh-runs", type=int, default=3, help="fresh-process runs of the dcase2020 preset")
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"benchmark data not found: {DATA} (needs ../shared)", file=sys.stderr)
        return 1
    from aacap.metrics import evaluate
    from aacap.metrics.meteor import Meteor
    from aacap.metrics.spice import SceneGraphCache, spice

    items = [json.loads(line) for line in DATA.read_text().splitlines()]
    cands = [d["candidate"] for d in items]
    refs = [d["references"] for d in items]
    official = json.loads(DATA.with_name("clotho_eval_conette.corpus.json").read_text())
    Meteor().paraphrases.build_index()  # one-time conversion, not part of the timings

    rows = []
    ours, wall, cpu = timed(lambda: evaluate(cands, refs, NGRAM))
    rows.append(("BLEU-1..4 + METEOR + ROUGE-L + CIDEr-D", wall, cpu))
    _, wall, cpu = timed(lambda: evaluate(cands, refs, [m for m in NGRAM if m != "meteor"]))
    rows.append(("  of which without METEOR", wall, cpu))
    java, wall, cpu = timed(lambda: evaluate(cands, refs, ["meteor"], meteor_backend="java"))
    rows.append(("METEOR through the jar (one JVM)", wall, cpu))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graphs.json"
        (spice_corpus, spice_items), wall, cpu = timed(lambda: spice(cands, refs, SceneGraphCache(path)))
        rows.append(("SPICE, first time (parse + score)", wall, cpu))
        _, wall, cpu = timed(lambda: spice(cands, refs, SceneGraphCache(path)))
        rows.append(("SPICE, parses cached on disk", wall, cpu))
    evaluate(cands, refs, ["spice"])  # parses into the default cache, as a first `aacap evaluate` does
    for k in range(args.fresh_runs):
        wall, cpu = fresh_process(dict(os.environ))
        rows.append((f"dcase2020 preset, fresh process #{k + 1}", wall, cpu))
    sbert = None
    if not args.skip_sbert:
        try:
            from aacap.metrics.sbert import sbert_sim

            sbert, wall, cpu = timed(lambda: sbert_sim(cands, refs))
            rows.append(("SBERT-sim (all-MiniLM-L6-v2)", wall, cpu))
        except Exception as e:  # weights not installed: say so
            print(f"sbert_sim skipped: {e}", file=sys.stderr)
    coco: dict[str, float] = {}
    if not args.skip_coco:
        coco, wall, cpu = timed(lambda: run_coco(cands, refs))
        rows.append(("pycocoevalcap: tokenizer + same 7 metrics", wall, cpu))

    print(f"Clotho eval, {len(cands)} candidates x 5 references, {os.cpu_count()} CPUs")
    print(f"{'what':<44} {'wall (s)':>9} {'CPU (s)':>9}")
    for name, wall, cpu in rows:
        print(f"{name:<44} {wall:>9.2f} {cpu:>9.2f}")
    print()
    print(f"{'metric':<8} {'aacap':>10} {'jar':>10} {'pycoco':>10} {'official':>10}  aacap backend")
    for name in NGRAM:
        jar = java.corpus[name] if name == "meteor" else float("nan")
        print(f"{name:<8} {ours.corpus[name]:>10.6f} {jar:>10.6f} {coco.get(name, float('nan')):>10.6f} "
              f"{official[name]:>10.6f}  {ours.backends[name]}")
    off = np.array([d["scores"]["meteor"] for d in items])
    print(f"METEOR per caption, max |aacap - official|: {np.abs(ours.per_item['meteor'] - off).max():.2e}")
    off = np.array([d["scores"]["spice"] for d in items])
    mine = spice_items["spice"]
    print(f"SPICE (pure Python) vs official SPICE 1.0: corpus {spice_corpus['spice']:.4f} vs {off.mean():.4f} "
          f"({spice_corpus['spice'] - off.mean():+.4f}); per-caption Pearson {np.corrcoef(mine, off)[0, 1]:.3f}, "
          f"MAE {np.abs(mine - off).mean():.4f}; SPIDEr {(ours.corpus['cider_d'] + spice_corpus['spice']) / 2:.4f} "
          f"vs {official['spider']:.4f}")
    if sbert is not None:
        off_s = np.array([d["scores"]["sbert_sim"] for d in items])
        print(f"SBERT-sim (all-MiniLM-L6-v2) corpus {sbert[0]['sbert_sim']:.4f}; official FENSE encoder "
              f"(paraphrase-TinyBERT-L6-v2) {off_s.mean():.4f}; per-caption Pearson "
              f"{np.corrcoef(sbert[1]['sbert_sim'], off_s)[0, 1]:.3f} (different encoders)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
