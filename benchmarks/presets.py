"""Caption latency and throughput of each preset on this CPU (issue: core, Speed).

For each preset at its published size (random weights: speed does not depend on training):
latency to caption one 10 s clip (batch 1) and throughput at batch 16, greedy decoding of a
fixed 20 words (an untrained model never stops early, so every run decodes the same length),
and the encoder's share of the time. The encoders' FLOP lower bound is measured by
benchmarks/encoders.py.

    .venv/bin/python benchmarks/presets.py [--repeats 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from aacap.captioning.neural import NeuralCaptioner
from aacap.model import CaptionModel, batch_waves
from aacap.presets import PRESETS
from aacap.vocab import Vocabulary

CLIP_S = 10.0
WORDS = 20


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--presets", nargs="*", default=list(PRESETS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    options = {"method": "greedy", "min_length": WORDS, "max_length": WORDS}
    print(f"torch {torch.__version__}, {args.threads} threads; {CLIP_S:.0f} s clips, "
          f"greedy, {WORDS} words, best of {args.repeats}")
    print(f"| preset | params | latency b=1 (s) | encoder share | clips/s b=16 |")
    print(f"|---|---:|---:|---:|---:|")
    for name in args.presets:
        torch.manual_seed(0)
        model = CaptionModel(PRESETS[name], Vocabulary.builtin()).eval()
        captioner = NeuralCaptioner(model, name, batch_size=16)
        clip = (0.1 * rng.standard_normal(int(CLIP_S * model.sample_rate))).astype(np.float32)
        rate = model.sample_rate
        one = best_time(lambda: captioner.caption([clip], sample_rate=rate, **options), args.repeats)
        wave, lengths = batch_waves([torch.from_numpy(clip)])
        with torch.inference_mode():
            enc = best_time(lambda: model.encode(wave, lengths), args.repeats)
        batch = best_time(lambda: captioner.caption([clip] * 16, sample_rate=rate, **options),
                          max(1, args.repeats - 2))
        print(f"| {name} | {model.num_parameters() / 1e6:.1f} M | {one:.3f} | "
              f"{enc / one:.0%} | {16 / batch:.2f} |", flush=True)


if __name__ == "__main__":
    main()
