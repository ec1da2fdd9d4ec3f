"""The four presets trained from scratch on the CPU, each within a fixed CPU budget, on the
synthetic corpus, and scored on its evaluation split beside two baselines scored the same way
(as `benchmarks/train_synth.py` does for synth-tiny):

- the best single constant caption (of every distinct development caption, the one with the
  highest CIDEr-D on the evaluation split itself: an oracle choice);
- a language-model-only decoder: the same preset trained the same number of epochs with no
  audio (`no_audio=true`: the decoder sees one zero frame), decoded the same way (greedy).

Each preset runs at a reduced width (`REDUCED`) with no pretrained weights (none can be fetched
here), on clips cut to their first `--max-audio-s` seconds. Its number of epochs is what fits
the budget: a training step is timed first (`train_step.profile`, CPU seconds), and
epochs = budget / (steps per epoch x seconds per step). The plan is kept in WORK/PRESET/plan.json,
so a rerun resumes the same runs.

    nice .venv/bin/python benchmarks/train_presets.py [--corpus .cache/synth] [--budget-min 5]
        [--max-audio-s 4] [--preset las2020 ...]

Times are this process's CPU time and wall clock (the machine is shared: wall time depends on
its load).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[1]

_RNN = {"embed_dim": 128, "hidden_size": 256, "attention_dim": 128}  # published: 256, 512, 256
_TRANSFORMER = {"num_layers": 2, "d_model": 128, "nhead": 4, "dim_feedforward": 512}  # 6, 256, 8, 2048
_CNN14 = {"channels": [16, 32, 64, 128, 256, 512]}  # published: 64 ... 2048
REDUCED: dict[str, dict[str, Any]] = {  # ModelConfig fields replacing the preset's
    "las2020": {"encoder_args": {"hidden_size": 64, "num_layers": 3}, "d_model": 128,
                "decoder_args": _RNN},  # published: 4 x 256
    "cnn14-rnn2021": {"encoder_args": _CNN14, "d_model": 128, "decoder_args": _RNN},
    "cnn14-trans2022": {"encoder_args": _CNN14, "d_model": 128, "decoder_args": _TRANSFORMER},
    "cnext-trans2023": {"encoder_args": {"depths": [1, 1, 3, 1], "dims": [24, 48, 96, 192]},
                        "d_model": 128, "decoder_args": _TRANSFORMER},  # published: 3-3-9-3, 96-768
}
SETTINGS = {  # the same for every preset
    "captions_per_clip": "one", "batch_size": 16, "lr": 1e-3, "weight_decay": 0.01,
    "warmup_steps": 50, "min_lr_ratio": 0.05, "label_smoothing": 0.1, "grad_clip": 1.0,
    "val_metric": "cider_d", "val_beam_size": 1, "val_max_items": 100, "seed": 0,
}


def plan_epochs(preset: str, args: argparse.Namespace, n_dev: int) -> dict[str, Any]:
    """Epochs that fit `args.budget_min` CPU minutes of training steps, from a timed step."""
    from train_step import profile

    path = args.work / preset / "plan.json"
    if path.is_file():
        return json.loads(path.read_text())
    timing = profile(preset, argparse.Namespace(corpus=args.corpus, steps=3, batch_size=SETTINGS["batch_size"],
                                                max_audio_s=args.max_audio_s))
    step_s = 1.0 / timing["steps_per_s"]
    steps_per_epoch = n_dev // SETTINGS["batch_size"] + (n_dev % SETTINGS["batch_size"] > 0)
    epochs = max(1, int(args.budget_min * 60 / (step_s * steps_per_epoch)))
    plan = {"epochs": epochs, "step_cpu_s": round(step_s, 3), "steps_per_epoch": steps_per_epoch}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan))
    return plan


def run(preset: str, args: argparse.Namespace, epochs: int, no_audio: bool) -> tuple[dict[str, Any], float, float]:
    """Train (or resume) one run; (summary, wall s, CPU s of this call)."""
    from aacap.train import TrainConfig, train

    data = {"clotho": str(args.corpus), "task": "clotho"}
    cfg = TrainConfig(model={"preset": preset, "projection_dropout": 0.2, **REDUCED[preset]},
                      train=[{**data, "split": "dev"}], val=[{**data, "split": "val"}],
                      max_audio_s=args.max_audio_s, epochs=epochs, no_audio=no_audio,
                      threads=args.threads, progress=False, tensorboard=False, **SETTINGS)
    t0, c0 = time.time(), time.process_time()
    summary = train(cfg, args.work / (f"{preset}-lm" if no_audio else preset))
    return summary, time.time() - t0, time.process_time() - c0


def caption_eval(run_dir: Path, clips: list, max_audio_s: float, no_audio: bool) -> list[str]:
    """Greedy captions of `clips` by the best checkpoint of `run_dir`."""
    from aacap.checkpoint import load_checkpoint
    from aacap.decoding import DecodingOptions
    from aacap.train.data import InputSource
    from aacap.train.evaluate import caption_clips

    model = load_checkpoint(run_dir / "best.pt")
    source = (InputSource(clips, zero_dim=model.encoder.out_dim) if no_audio else
              InputSource(clips, sample_rate=model.sample_rate, max_samples=int(max_audio_s * model.sample_rate)))
    options = DecodingOptions(method="greedy", task="clotho")
    nbest = caption_clips(model, source, options, torch.device("cpu"), batch_size=16, from_frames=no_audio)
    return [c[0][0] for c in nbest]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=REPO / ".cache" / "synth")
    p.add_argument("--n-clips", type=int, default=1000, help="corpus size, if it must be built")
    p.add_argument("--work", type=Path, default=REPO / ".cache" / "bench-presets")
    p.add_argument("--budget-min", type=float, default=5.0, help="CPU minutes of training steps per preset")
    p.add_argument("--max-audio-s", type=float, default=4.0, help="clips are cut to their first seconds")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1: fastest on a shared CPU)")
    p.add_argument("--preset", action="append", help="default: all four")
    p.add_argument("--spice", action="store_true", help="also SPICE and SPIDEr (needs Java; slow)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    from aacap.checkpoint import load_checkpoint
    from aacap.metrics import MetricError, evaluate
    from aacap.train.data import load_clips
    from train_synth import best_constant_caption, ensure_corpus

    ensure_corpus(args.corpus, args.n_clips)
    dev = load_clips([{"clotho": str(args.corpus), "split": "dev", "task": "clotho"}], Path)
    evals = load_clips([{"clotho": str(args.corpus), "split": "eval", "task": "clotho"}], Path)
    refs = [c.captions for c in evals]
    metrics = ["cider_d"]
    if args.spice:
        try:
            evaluate(["a dog barks"], [["a dog is barking"]], ["spice"])
            metrics += ["spice", "spider"]
        except MetricError as err:
            print(f"no SPICE here: {err}")

    constant, pool_size = best_constant_caption(dev, refs)
    constant_scores = evaluate([constant] * len(refs), refs, metrics).corpus
    rows = []
    for preset in args.preset or list(REDUCED):
        plan = plan_epochs(preset, args, len(dev))
        print(f"{preset}: {plan['epochs']} epochs of {plan['steps_per_epoch']} steps "
              f"({plan['step_cpu_s']} s CPU per step measured)", flush=True)
        summary, wall, cpu = run(preset, args, plan["epochs"], no_audio=False)
        _, lm_wall, lm_cpu = run(preset, args, plan["epochs"], no_audio=True)
        ours = evaluate(caption_eval(args.work / preset, evals, args.max_audio_s, False), refs, metrics)
        lm = evaluate(caption_eval(args.work / f"{preset}-lm", evals, args.max_audio_s, True), refs, metrics)
        params = load_checkpoint(args.work / preset / "best.pt").num_parameters()
        rows.append({"preset": preset, "params": params, "epochs": summary["epochs"],
                     "best_epoch": summary["best_epoch"], "cpu_min": cpu / 60, "wall_min": wall / 60,
                     "lm_cpu_min": lm_cpu / 60, "ours": ours.corpus, "lm": lm.corpus})
        print(f"{preset}: CIDEr-D {ours.corpus['cider_d']:.4f} (LM only {lm.corpus['cider_d']:.4f}, "
              f"constant {constant_scores['cider_d']:.4f}); {cpu / 60:.1f} min CPU, {wall / 60:.1f} min wall",
              flush=True)

    print(f"\nsynthetic corpus {args.corpus}: {len(dev)} dev / {len(evals)} eval clips, cut to "
          f"{args.max_audio_s} s; greedy; budget {args.budget_min} CPU min of steps per preset; "
          f"torch threads {torch.get_num_threads()}, {os.cpu_count()} CPUs")
    names = {"cider_d": "CIDEr-D", "spice": "SPICE", "spider": "SPIDEr"}
    header = (f"{'preset':<16} {'params':>8} {'epochs':>7} {'CPU min':>8} "
              + " ".join(f"{names[m]:>8}" for m in metrics) + f" {'LM-only':>8} {'vs best':>8}")
    print(header)
    print("-" * len(header))
    for r in rows:
        baseline = max(r["lm"]["cider_d"], constant_scores["cider_d"])
        print(f"{r['preset']:<16} {r['params']:>8} {r['epochs']:>4} ({r['best_epoch']}) {r['cpu_min']:8.1f} "
              + " ".join(f"{r['ours'][m]:8.4f}" for m in metrics)
              + f" {r['lm']['cider_d']:8.4f} {r['ours']['cider_d'] / baseline:7.2f}x")
    print(f"best constant caption (of {pool_size}): "
          + ", ".join(f"{names[m]} {constant_scores[m]:.4f}" for m in metrics) + f" -- {constant!r}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
