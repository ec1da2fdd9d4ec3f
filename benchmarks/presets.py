"""Caption latency and throughput of each preset on this CPU, and what start-up costs.

    .venv/bin/python benchmarks/presets.py [--repeats 3] [--threads 2] [--presets ...]
        [--startup-preset cnn14-trans2022] [--startup-files 8] [--no-startup]

1. Per preset at its published size (random weights: speed does not depend on training),
   through `NeuralCaptioner` (the encoder in its inference form): latency to caption one 10 s
   clip (batch 1; best wall time of `--repeats`, and its CPU time), the encoder's share of it,
   and throughput at batch 16 (clips per wall second and per CPU-second). Greedy decoding of a
   fixed 20 words (an untrained model never stops early, so every run decodes the same length).
   The encoders' FLOP lower bound is measured by benchmarks/encoders.py.
2. Start-up, paid once per process (`aacap caption` on many files, the service and batch
   alike): `import torch` in a fresh interpreter; loading a checkpoint of `--startup-preset`
   (made with `aacap init`) into its inference form; its first clip beside a later one (the
   first creates the oneDNN primitives for that input shape); and `aacap caption` end to end on
   one file and on `--startup-files` files, whose difference is the per-file cost.

The machine may be shared: the load average is printed before and after; CPU times are the
figures other processes disturb least.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import soundfile
import torch

from aacap.captioning.neural import NeuralCaptioner
from aacap.model import CaptionModel, batch_waves
from aacap.presets import PRESETS
from aacap.vocab import Vocabulary

CLIP_S = 10.0
CLIP_RATE = 32_000  # Hz, the benchmark clip's rate (every preset's encoder rate)
WORDS = 20
AACAP = Path(sys.executable).with_name("aacap")


def best_time(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Best wall seconds of `repeats` calls after one warm-up, and the CPU seconds (all
    threads of this process) of that same call."""
    fn()
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def load_average() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def preset_table(presets: list[str], repeats: int, clip: np.ndarray) -> None:
    options = {"method": "greedy", "min_length": WORDS, "max_length": WORDS}
    print(f"\n| preset | params | latency b=1 (s) | CPU b=1 (s) | encoder share | clips/s b=16 | clips/CPU-s b=16 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in presets:
        torch.manual_seed(0)
        model = CaptionModel(PRESETS[name], Vocabulary.builtin()).eval()
        captioner = NeuralCaptioner(model, name, batch_size=16)
        one, one_cpu = best_time(lambda: captioner.caption([clip], sample_rate=CLIP_RATE, **options), repeats)
        wave, lengths = batch_waves([torch.from_numpy(clip)])
        with torch.inference_mode():
            enc, _ = best_time(lambda: model.encode(wave, lengths), repeats)
        batch, batch_cpu = best_time(lambda: captioner.caption([clip] * 16, sample_rate=CLIP_RATE, **options),
                                     max(1, repeats - 2))
        print(f"| {name} | {model.num_parameters() / 1e6:.1f} M | {one:.3f} | {one_cpu:.3f} | "
              f"{enc / one:.0%} | {16 / batch:.2f} | {16 / batch_cpu:.2f} |", flush=True)


def timed_command(command: list[str], threads: int) -> float:
    """Wall seconds of a command in a fresh process with `threads` OpenMP threads."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def startup_table(preset: str, files: int, repeats: int, clip: np.ndarray, threads: int) -> None:
    from aacap.checkpoint import load_checkpoint

    options = {"method": "greedy", "min_length": WORDS, "max_length": WORDS}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        checkpoint = work / f"{preset}.pt"
        subprocess.run([str(AACAP), "init", preset, str(checkpoint)], check=True, stdout=subprocess.DEVNULL)
        paths = []
        for i in range(files):
            paths.append(work / f"clip{i}.wav")
            soundfile.write(paths[-1], np.roll(clip, 977 * i), CLIP_RATE)
        rows = []
        rows.append(("`import torch` (fresh interpreter)",
                     min(timed_command([sys.executable, "-c", "import torch"], threads) for _ in range(repeats))))
        loads = []
        for _ in range(repeats):
            start = time.perf_counter()
            captioner = NeuralCaptioner(load_checkpoint(checkpoint), preset, batch_size=1)
            loads.append(time.perf_counter() - start)
        rows.append(("load the checkpoint, inference form", min(loads)))
        start = time.perf_counter()
        captioner.caption([str(paths[0])], **options)
        rows.append(("first clip (oneDNN primitives for its shape)", time.perf_counter() - start))
        later, _ = best_time(lambda: captioner.caption([str(paths[1 % files])], **options), repeats)
        rows.append(("a later clip", later))
        cli = [str(AACAP), "caption", "--model", str(checkpoint), "--batch-size", "1",
               "--method", "greedy", "--min-length", str(WORDS), "--max-length", str(WORDS)]
        one = min(timed_command(cli + [str(paths[0])], threads) for _ in range(repeats))
        many = min(timed_command(cli + [str(p) for p in paths], threads) for _ in range(repeats))
        rows.append(("`aacap caption` on 1 file, end to end", one))
        rows.append((f"`aacap caption` on {files} files, end to end", many))
        rows.append(("  per further file", (many - one) / (files - 1)))
        rows.append(("  start-up (1 file minus a per-file cost)", one - (many - one) / (files - 1)))
    print(f"\nstart-up, {preset}, {CLIP_S:.0f} s clips, batch 1, best of {repeats}")
    print("| step | wall (s) |")
    print("|---|---:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--presets", nargs="*", default=list(PRESETS))
    parser.add_argument("--startup-preset", default="cnn14-trans2022")
    parser.add_argument("--startup-files", type=int, default=8)
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up table")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    clip = (0.1 * rng.standard_normal(int(CLIP_S * CLIP_RATE))).astype(np.float32)
    print(f"torch {torch.__version__}, {args.threads} threads; {CLIP_S:.0f} s clips, greedy, {WORDS} words, "
          f"best of {args.repeats}; {load_average()}")
    preset_table(args.presets, args.repeats, clip)
    if not args.no_startup:
        startup_table(args.startup_preset, max(2, args.startup_files), args.repeats, clip, args.threads)
    print(f"\n{load_average()} at the end")


if __name__ == "__main__":
    main()
