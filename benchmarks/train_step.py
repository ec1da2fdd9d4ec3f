"""Where a training step's time goes on the CPU: data loading (reading and padding the clips,
encoding the captions), feature extraction (the log-mel front-end), the rest of the forward
pass (encoder, projection, decoder, loss), backward, and the optimizer step. Each phase runs as
the training loop runs it (`aacap.train.loop`, `aacap.train.data`), timed apart; the last
column is whole steps per second.

    .venv/bin/python benchmarks/train_step.py [--corpus .cache/synth] [--steps 6]
        [--batch-size 16] [--max-audio-s 4] [--threads 1] [--preset las2020 ...]

The presets run at the reduced widths of `benchmarks/train_presets.py` (`REDUCED`), on the
development split of a synthetic corpus (`aacap data synth .cache/synth --n-clips 1000`).
Times are CPU seconds of this process, the median over the steps (the machine is shared: wall
time depends on its load); the first step is a warm-up and is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import torch

REPO = Path(__file__).resolve().parents[1]
PHASES = ("data", "features", "forward", "backward", "optimizer")


@contextmanager
def timed(totals: dict[str, float], phase: str) -> Iterator[None]:
    t0 = time.process_time()
    yield
    totals[phase] += time.process_time() - t0


def profile(preset: str, args: argparse.Namespace) -> dict[str, float]:
    """Median CPU seconds per step of each phase, and steps per second (from the median
    whole step), for one preset."""
    from train_presets import REDUCED

    from aacap.model import CaptionModel
    from aacap.train import TrainConfig
    from aacap.train.data import ExampleBatches, InputSource, epoch_examples, global_batches, load_clips
    from aacap.train.loop import TrainStep, build_optimizer, token_loss
    from aacap.vocab import Vocabulary

    cfg = TrainConfig(model={"preset": preset, **REDUCED[preset]}, train=[{"clotho": str(args.corpus),
                      "split": "dev", "task": "clotho"}], batch_size=args.batch_size, lr=1e-3,
                      max_audio_s=args.max_audio_s, seed=0)
    clips = load_clips(cfg.train, cfg.path)
    vocab = Vocabulary.from_captions(c for clip in clips for c in clip.captions)
    torch.manual_seed(0)
    model = CaptionModel(cfg.model_config(), vocab).train()
    step_model = TrainStep(model, from_frames=False)
    optimizer = build_optimizer(model, cfg)
    source = InputSource(clips, sample_rate=model.sample_rate,
                         max_samples=int(args.max_audio_s * model.sample_rate))
    batches = global_batches(epoch_examples(clips, 0, 0, "one"), args.batch_size, 1)
    data = ExampleBatches(source, batches, vocab, cfg.max_caption_tokens)
    frontend = [0.0, 0.0]  # start, seconds of the current step
    model.encoder.frontend.register_forward_pre_hook(lambda m, i: frontend.__setitem__(0, time.process_time()))
    model.encoder.frontend.register_forward_hook(
        lambda m, i, o: frontend.__setitem__(1, frontend[1] + time.process_time() - frontend[0]))

    steps: list[dict[str, float]] = []
    for k in range(args.steps + 1):  # step 0 warms up the allocator and oneDNN kernels
        times, frontend[1] = dict.fromkeys(PHASES, 0.0), 0.0
        with timed(times, "data"):
            x, lengths, tokens = data[k]
        n_tokens = int((tokens[:, 1:] != vocab.pad_id).sum())
        with timed(times, "forward"):
            logits, _ = step_model(x, lengths, tokens)
            loss = token_loss(logits, tokens, vocab.pad_id, 0.1, n_tokens)
        with timed(times, "backward"):
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
        with timed(times, "optimizer"):
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        times["features"], times["forward"] = frontend[1], times["forward"] - frontend[1]
        steps.append(times)
    steps = steps[1:]
    per_step = {p: statistics.median(t[p] for t in steps) for p in PHASES}
    per_step["steps_per_s"] = 1.0 / statistics.median(sum(t.values()) for t in steps)
    return per_step


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=REPO / ".cache" / "synth")
    p.add_argument("--preset", action="append", help="default: las2020 and cnn14-rnn2021")
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-audio-s", type=float, default=4.0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    presets = args.preset or ["las2020", "cnn14-rnn2021"]
    print(f"{args.batch_size} clips of <= {args.max_audio_s} s per step, {args.threads} thread(s); "
          f"CPU seconds per step, median of {args.steps} steps after one warm-up")
    header = f"{'preset':<18}" + "".join(f"{name:>11}" for name in PHASES) + f"{'steps/s':>10}"
    print(header)
    print("-" * len(header))
    for preset in presets:
        r = profile(preset, args)
        print(f"{preset:<18}" + "".join(f"{r[name]:11.3f}" for name in PHASES)
              + f"{r['steps_per_s']:10.3f}", flush=True)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
