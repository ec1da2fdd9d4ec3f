"""Quality of `synth-tiny` on the synthetic corpus's evaluation split, beside two baselines
scored the same way (CIDEr-D, and SPIDEr when SPICE runs here):

- the best single constant caption: of every distinct development caption, the one with the
  highest CIDEr-D on the evaluation split itself (an oracle choice: no constant does better);
- a language-model-only decoder: the same recipe trained with no audio (`no_audio=true`, the
  decoder sees one zero frame), decoded the same way.

Goal: synth-tiny at least 2x the better baseline's CIDEr-D.

    .venv/bin/python benchmarks/train_synth.py [--corpus .cache/synth] [--n-clips 3000]

Runs are resumable (re-running continues them) and kept under .cache/bench/. Times are wall
clock and this process's CPU time (the machine is shared: wall time depends on its load).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=REPO / ".cache" / "synth")
    p.add_argument("--n-clips", type=int, default=3000, help="corpus size, if it must be built")
    p.add_argument("--work", type=Path, default=REPO / ".cache" / "bench")
    p.add_argument("--cache", type=Path, help="YAMNet frame cache (default: WORK/yamnet-frames)")
    p.add_argument("--beam-size", type=int, default=3)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (1: fastest when other jobs share the CPU)")
    p.add_argument("--set", dest="overrides", action="append", default=[], help="recipe override")
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    from aacap.metrics import MetricError, evaluate
    from aacap.train import load_recipe, train
    from aacap.train.data import load_clips

    ensure_corpus(args.corpus, args.n_clips)
    cache = args.cache or args.work / "yamnet-frames"
    common = [f"data_dir={args.corpus}", f"cache_dir={cache}", "progress=false",
              "tensorboard=false", f"threads={args.threads}", *args.overrides]
    timings = {}
    runs = {}
    for name, extra in (("synth-tiny", []), ("lm-only", ["no_audio=true"])):
        cfg = load_recipe("synth-tiny", common + extra)
        t0, c0 = time.time(), time.process_time()
        summary = train(cfg, args.work / name)
        timings[name] = (time.time() - t0, time.process_time() - c0)
        runs[name] = (cfg, summary)
        print(f"{name}: {summary['epochs']} epochs, best val {summary['metric']} "
              f"{summary['best_score']:.4f} at epoch {summary['best_epoch']}; "
              f"{timings[name][0]:.0f} s wall, {timings[name][1]:.0f} s CPU (this run)")

    cfg = runs["synth-tiny"][0]
    eval_clips = load_clips([{"clotho": str(args.corpus), "split": "eval", "task": "clotho"}], Path)
    dev_clips = load_clips([{"clotho": str(args.corpus), "split": "dev", "task": "clotho"}], Path)
    refs = [c.captions for c in eval_clips]

    rows = []
    for name in ("synth-tiny", "lm-only"):
        for beam in (1, args.beam_size):
            captions = caption_eval(args.work / name, cfg, eval_clips, beam, no_audio=name == "lm-only")
            rows.append((f"{name} ({'greedy' if beam == 1 else f'beam {beam}'})", captions))

    caption, pool_size = best_constant_caption(dev_clips, refs)
    rows.append((f"best constant caption (of {pool_size})", [caption] * len(refs)))

    metrics = ["cider_d"]
    try:
        evaluate(["a dog barks"], [["a dog is barking"]], ["spice"])
        metrics += ["spice", "spider"]
    except MetricError:
        pass
    print(f"\nsynthetic corpus {args.corpus}: {len(dev_clips)} dev / {len(eval_clips)} eval clips; "
          f"scores on the eval split")
    header = f"{'system':<40} " + " ".join(f"{m:>8}" for m in metrics) + "  example caption"
    print(header)
    print("-" * len(header))
    scores = {}
    for name, captions in rows:
        s = evaluate(captions, refs, metrics).corpus
        scores[name] = s["cider_d"]
        print(f"{name:<40} " + " ".join(f"{s[m]:8.4f}" for m in metrics) + f"  {captions[0]!r}")
    ours = max(scores[rows[0][0]], scores[rows[1][0]])
    baseline = max(scores[name] for name, _ in rows[2:])
    print(f"\nsynth-tiny / best baseline CIDEr-D: {ours / baseline:.2f}x (goal >= 2x)")
    print(f"training time: synth-tiny {timings['synth-tiny'][0]:.0f} s wall / "
          f"{timings['synth-tiny'][1]:.0f} s CPU this run; torch threads {torch.get_num_threads()}, "
          f"{os.cpu_count()} CPUs")


def ensure_corpus(corpus: Path, n_clips: int) -> None:
    """Build the synthetic corpus (`aacap data synth`) in `corpus` unless it is already there."""
    if not (corpus / "clotho_captions_evaluation.csv").is_file():
        print(f"building the synthetic corpus in {corpus} ({n_clips} clips)")
        subprocess.run([sys.executable, "-m", "aacap.cli", "data", "synth", str(corpus),
                        "--n-clips", str(n_clips), "--cache", str(REPO / ".cache" / "sounds")],
                       check=True, cwd=REPO)


def best_constant_caption(dev_clips, refs: list[list[str]]) -> tuple[str, int]:
    """The development caption with the highest CIDEr-D as the caption of every clip whose
    references are `refs` (an oracle choice: no constant does better), and how many distinct
    captions there were. Of those, the 300 sharing the most words with the references are
    scored exactly."""
    from aacap.metrics.ngram import cider_d
    from aacap.metrics.tokenizer import tokenize

    refs_tok = [tokenize(r) for r in refs]
    pool = sorted({c for clip in dev_clips for c in clip.captions})
    pool_tok = tokenize(pool)
    ref_words = Counter(w for rs in refs_tok for r in rs for w in set(r.split()))
    overlap = [sum(ref_words[w] for w in set(t.split())) / (1 + len(t.split())) for t in pool_tok]
    shortlist = sorted(range(len(pool)), key=lambda i: -overlap[i])[:300]
    best = max(shortlist, key=lambda i: cider_d([pool_tok[i]] * len(refs), refs_tok)[0]["cider_d"])
    return pool[best], len(pool)


def caption_eval(run: Path, cfg, clips, beam_size: int, no_audio: bool) -> list[str]:
    """Captions of `clips` by the best checkpoint of `run`, from the cached frames."""
    from aacap.checkpoint import load_checkpoint
    from aacap.decoding import DecodingOptions
    from aacap.train.cache import FrameCache, encoder_fingerprint
    from aacap.train.data import InputSource
    from aacap.train.evaluate import caption_clips

    model = load_checkpoint(run / "best.pt")
    if no_audio:
        source = InputSource(clips, zero_dim=model.encoder.out_dim)
    else:
        fp = encoder_fingerprint(model.config.encoder, model.config.encoder_args, model.encoder)
        cache = FrameCache(cfg.cache_dir, fp)
        cache.fill(model.encoder, clips)
        source = InputSource(clips, cache=cache)
    options = (DecodingOptions(method="greedy", task="clotho") if beam_size == 1 else
               DecodingOptions(method="beam", beam_size=beam_size, num_candidates=1, task="clotho"))
    nbest = caption_clips(model, source, options, torch.device("cpu"), from_frames=True)
    return [c[0][0] for c in nbest]


if __name__ == "__main__":
    main()
