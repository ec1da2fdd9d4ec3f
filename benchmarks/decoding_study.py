"""The IRIT DCASE 2022 decoding experiment in small: beam search against stochastic decoding on
a trained model's evaluation split.

For greedy, beam 2/3/5, sampling at temperature 0.5/1.0, top-k 10, top-p 0.9 and typical 0.9:
SPIDEr of the best-ranked candidate (CIDEr-D where SPICE cannot run), SPIDEr-max over the
candidates (5 samples per clip; the n-best of a beam), vocabulary size and mean length of the
best-ranked captions. The audio is encoded once; every method decodes the same memory.

    .venv/bin/python benchmarks/decoding_study.py runs/synth-tiny/best.pt .cache/synth \
        [--split eval] [--task clotho] [--limit N] [--batch-size 32] [--seed 0] [--threads 1]

MANIFEST is a JSON-lines manifest or a folder in Clotho's layout; the task token defaults to
the manifest's dataset when the model has it (as `aacap evaluate-model` does).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from aacap.audio import load_audio
from aacap.checkpoint import load_checkpoint
from aacap.decoding import DecodingOptions, decode
from aacap.metrics import MetricError, evaluate
from aacap.model import Memory, batch_waves
from aacap.train.data import read_entry

CANDIDATES = 5
METHODS: dict[str, dict] = {
    "greedy": dict(method="greedy"),
    "beam 2": dict(method="beam", beam_size=2),
    "beam 3": dict(method="beam", beam_size=3),
    "beam 5": dict(method="beam", beam_size=5),
    "sample T=0.5": dict(method="sample", temperature=0.5, num_candidates=CANDIDATES),
    "sample T=1.0": dict(method="sample", temperature=1.0, num_candidates=CANDIDATES),
    "top-k 10": dict(method="sample", top_k=10, num_candidates=CANDIDATES),
    "top-p 0.9": dict(method="sample", top_p=0.9, num_candidates=CANDIDATES),
    "typical 0.9": dict(method="sample", typical_p=0.9, num_candidates=CANDIDATES),
}


def encode_all(model, paths: list[str], batch_size: int) -> list[Memory]:
    """Memory of every clip, in batches of `batch_size` (audio read at the model's rate)."""
    memories = []
    with torch.inference_mode():
        for start in range(0, len(paths), batch_size):
            waves = [torch.from_numpy(load_audio(p, model.sample_rate))
                     for p in paths[start:start + batch_size]]
            memories.append(model.encode(*batch_waves(waves)))
    return memories


SPICE_OK: list[bool] = []


def spider_or_cider(best: list[str], cands: list[list[str]], refs: list[list[str]]
                    ) -> tuple[str, float, float]:
    """(metric name, corpus score of `best`, mean over clips of the best candidate's score)."""
    if not SPICE_OK or SPICE_OK[0]:
        try:
            s = evaluate(best, refs, ["spider", "spider_max"], mult_candidates=cands)
            SPICE_OK[:] = [True]
            return "SPIDEr", s["spider"], s["spider_max"]
        except MetricError as err:
            SPICE_OK[:] = [False]
            print(f"SPICE unavailable ({err}); reporting CIDEr-D", file=sys.stderr)
    score = evaluate(best, refs, ["cider_d"])["cider_d"]
    flat = [c for cs in cands for c in cs]
    flat_refs = [r for cs, r in zip(cands, refs) for _ in cs]
    per = evaluate(flat, flat_refs, ["cider_d"]).per_item["cider_d"]
    bounds = np.cumsum([0] + [len(cs) for cs in cands])
    best_of = [per[a:b].max() for a, b in zip(bounds[:-1], bounds[1:])]
    return "CIDEr-D", score, float(np.mean(best_of))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", type=Path)
    p.add_argument("manifest", type=Path, help="JSON-lines manifest, or a folder in Clotho's layout")
    p.add_argument("--split", default="eval", help="manifest split to use (default eval)")
    p.add_argument("--limit", type=int, help="only the first N clips")
    p.add_argument("--task", help="task token (default: the manifest's dataset if known)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    entry = {"clotho" if args.manifest.is_dir() else "manifest": str(args.manifest),
             "split": args.split}
    items = read_entry(entry, Path)[: args.limit]
    model = load_checkpoint(args.checkpoint).eval()
    task = args.task
    if task is None:
        dataset = Counter(i.dataset for i in items).most_common(1)[0][0]
        task = dataset if dataset in model.vocab.tasks() else None
    refs = [list(i.captions) for i in items]
    t0 = time.perf_counter()
    memories = encode_all(model, [i.audio for i in items], args.batch_size)
    print(f"{args.checkpoint} ({model.config.name}) on {len(items)} clips of "
          f"{args.manifest} [{args.split}], task {task}; encoded in {time.perf_counter() - t0:.1f} s")

    rows = []
    for name, kw in METHODS.items():
        options = DecodingOptions(max_length=args.max_length, task=task, **kw,
                                  **({"seed": args.seed} if kw["method"] == "sample" else {}))
        t0 = time.perf_counter()
        nbest, start = [], 0
        for memory in memories:
            nbest += decode(model, memory, options, first_index=start)
            start += memory.frames.shape[0]
        seconds = time.perf_counter() - t0
        best = [cands[0].caption for cands in nbest]
        cands = [[c.caption for c in cs] for cs in nbest]
        metric, score, score_max = spider_or_cider(best, cands, refs)
        words = [len(c.split()) for c in best]
        vocab = len({w for c in best for w in c.split()})
        rows.append((name, metric, score, score_max, len(cands[0]), vocab, np.mean(words),
                     seconds))
        print(f"  {name}: {metric} {score:.3f}, max {score_max:.3f}, vocab {vocab}", flush=True)

    metric = rows[0][1]
    print(f"\n| method | {metric} | {metric}-max | candidates | vocabulary | mean length | "
          f"decode (s) |")
    print("|---|---|---|---|---|---|---|")
    for name, _, score, score_max, n, vocab, length, seconds in rows:
        print(f"| {name} | {score:.3f} | {score_max:.3f} | {n} | {vocab} | {length:.1f} | "
              f"{seconds:.1f} |")


if __name__ == "__main__":
    main()
