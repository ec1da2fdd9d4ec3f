"""Encoder speed on this CPU beside its lower bound: encoder FLOPs / measured fp32 matmul rate.

    .venv/bin/python benchmarks/encoders.py [--batch-sizes 1 16] [--repeats 3] [--no-fuse]

For CNN14 and ConvNeXt-Tiny (random weights, official sizes, eval mode, torch.inference_mode),
encodes 10 s clips at 32 kHz and prints, per batch size: the best wall time of `--repeats`
runs, the FLOPs counted by torch.utils.flop_counter.FlopCounterMode (2 per multiply-add; convs,
matmuls; the log-mel front-end is included), the fp32 matmul throughput measured in the same
run (best of several 2048^3 products), the bound FLOPs / throughput, and time / bound.
The machine is shared, so the best of the repeats is reported, for the encoder and the matmul
alike. CNN14 runs with its batchnorms folded into the convs (`Cnn14Encoder.fuse_batchnorm`)
unless --no-fuse. The LAS encoder is a recurrent network: its time is bound by the sequential
LSTM steps, not FLOPs, so it has no row here (see benchmarks/captioning.py for its latency).
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from aacap.encoders.cnn14 import Cnn14Encoder
from aacap.encoders.convnext import ConvNextEncoder

CLIP_SECONDS = 10.0
SAMPLE_RATE = 32_000  # Hz


def matmul_gflops(n: int = 2048, tries: int = 8) -> float:
    """Best fp32 (n x n) @ (n x n) throughput over `tries`, in GFLOP/s."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm-up
    best = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def count_flops(encoder: torch.nn.Module, wave: torch.Tensor, lengths: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        encoder(wave, lengths)
    return counter.get_total_flops()


def best_time(encoder: torch.nn.Module, wave: torch.Tensor, lengths: torch.Tensor, repeats: int) -> float:
    with torch.inference_mode():
        encoder(wave, lengths)  # warm-up (oneDNN primitive creation)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            encoder(wave, lengths)
            times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="skip optimize_for_inference()")
    args = parser.parse_args()

    torch.manual_seed(0)
    encoders = {"cnn14": Cnn14Encoder().eval(), "convnext-tiny": ConvNextEncoder().eval()}
    if not args.plain:
        for encoder in encoders.values():
            encoder.optimize_for_inference()
    samples = int(CLIP_SECONDS * SAMPLE_RATE)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {CLIP_SECONDS:g} s clips at 32 kHz")
    header = f"{'encoder':<14} {'batch':>5} {'GFLOP':>8} {'time s':>8} {'clips/s':>8} {'matmul GFLOP/s':>15} {'bound s':>8} {'time/bound':>10}"
    print(header)
    print("-" * len(header))
    for name, encoder in encoders.items():
        for batch in args.batch_sizes:
            wave = 0.1 * torch.randn(batch, samples)
            lengths = torch.full((batch,), samples, dtype=torch.long)
            flops = count_flops(encoder, wave, lengths)
            seconds = best_time(encoder, wave, lengths, args.repeats)
            rate = matmul_gflops()
            bound = flops / (rate * 1e9)
            print(
                f"{name:<14} {batch:>5} {flops / 1e9:>8.1f} {seconds:>8.3f} {batch / seconds:>8.2f} "
                f"{rate:>15.0f} {bound:>8.3f} {seconds / bound:>10.2f}"
            )


if __name__ == "__main__":
    main()
