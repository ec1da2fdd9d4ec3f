"""Encoder speed on this CPU beside its lower bound: encoder FLOPs / measured fp32 matmul rate.

    .venv/bin/python benchmarks/encoders.py [--batch-sizes 1 16] [--repeats 3] [--plain] [--threads N]

For CNN14 and ConvNeXt-Tiny (random weights, official sizes, torch.inference_mode), encodes
10 s clips at 32 kHz and prints, per batch size: the best wall time of `--repeats` runs, the
FLOPs counted by torch.utils.flop_counter.FlopCounterMode (2 per multiply-add: convolutions
and matmuls, log-mel front-end included), the fp32 matmul throughput measured in the same run
(2048^3 products timed right after each encoder run; the best is kept), the bound FLOPs /
throughput, and time / bound. The machine may be shared: taking the best of the repeats for
the encoder and for the matmul alike makes the ratio less sensitive to other processes. `cpu/bound` is the same ratio
in CPU seconds of this process (per thread), which other processes disturb less; with
`--threads 1` it is the cleanest efficiency figure on a busy machine (with several threads it
also counts OpenMP spin-waiting).

Encoders run after `optimize_for_inference()` (eval; channels_last; CNN14's batchnorms folded
into its convs and its convs of >= 1024 input channels run as one matmul; ConvNeXt's block MLPs
as two fused oneDNN linears); `--plain` adds rows without it. FLOPs are counted on the plain
form (the fused ops are invisible to FlopCounterMode; the count is the same). ConvNeXt encodes
a batch in chunks of ~15 s of audio at inference either way. The LAS encoder (pyramidal BiLSTM) gets a row
for reference only: its time is bound by sequential time steps (one small matmul per step and
direction), not by matmul throughput, so it is far from this bound by construction.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from aacap.encoders.cnn14 import Cnn14Encoder
from aacap.encoders.convnext import ConvNextEncoder

CLIP_SECONDS = 10.0
SAMPLE_RATE = 32_000  # Hz
MATMUL_N = 2048


class MatmulRate:
    """Best fp32 (n x n) @ (n x n) throughput seen so far, in GFLOP/s of wall time and of this
    process's CPU time (the latter per thread: CPU seconds / threads)."""

    def __init__(self, n: int = MATMUL_N) -> None:
        self.a, self.b = torch.randn(n, n), torch.randn(n, n)
        self.flops = 2 * n**3
        self.best_s = self.best_cpu_s = float("inf")
        self.measure(4)

    def measure(self, tries: int = 3) -> None:
        for _ in range(tries):
            wall, cpu = timed(lambda: self.a @ self.b)
            self.best_s, self.best_cpu_s = min(self.best_s, wall), min(self.best_cpu_s, cpu)

    @property
    def gflops(self) -> float:
        return self.flops / self.best_s / 1e9

    @property
    def cpu_gflops(self) -> float:
        return self.flops / self.best_cpu_s / 1e9


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, process CPU seconds / threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, (time.process_time() - cpu) / torch.get_num_threads()


def load_average() -> str:
    """The machine's 1/5/15-minute load averages (other processes sharing the cores)."""
    return "load average " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def count_flops(encoder: nn.Module, wave: torch.Tensor, lengths: torch.Tensor) -> int:
    """FLOPs of one forward as FlopCounterMode counts them (on CPU it also sees the matmuls
    inside LSTMs, which decompose into aten::addmm)."""
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        encoder(wave, lengths)
    return counter.get_total_flops()


def best_time(
    encoder: nn.Module, wave: torch.Tensor, lengths: torch.Tensor, repeats: int, rate: MatmulRate
) -> tuple[float, float]:
    """Best (wall, CPU per thread) seconds of one forward over `repeats`."""
    best, best_cpu = float("inf"), float("inf")
    with torch.inference_mode():
        for _ in range(2):  # warm-up: oneDNN primitives, weight reorders, allocator pools
            encoder(wave, lengths)
        for _ in range(repeats):
            wall, cpu = timed(lambda: encoder(wave, lengths))
            best, best_cpu = min(best, wall), min(best_cpu, cpu)
            rate.measure()  # under the same load as the run just timed
    return best, best_cpu


def build_encoders(plain: bool) -> dict[str, tuple[nn.Module, nn.Module]]:
    """name -> (encoder to time, its plain eval form to count FLOPs on: the inference forms'
    fused oneDNN ops are invisible to FlopCounterMode, and the FLOPs do not change)."""
    torch.manual_seed(0)
    encoders: dict[str, tuple[nn.Module, nn.Module]] = {}
    for name, make in (("cnn14", Cnn14Encoder), ("convnext-tiny", ConvNextEncoder)):
        reference = make().eval()
        if plain:
            encoders[f"{name} (plain)"] = (reference, reference)
        encoders[name] = (make().optimize_for_inference(), reference)
    try:
        from aacap.encoders.las import LasEncoder, LasEncoderConfig
    except ImportError:
        return encoders
    las = LasEncoder(LasEncoderConfig(n_mels=64, hidden_size=256, num_layers=4)).eval()
    encoders["las (4x256 BiLSTM)"] = (las, las)
    return encoders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="also time without optimize_for_inference()")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    args = parser.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    load_before = load_average()
    rate = MatmulRate()
    samples = int(CLIP_SECONDS * SAMPLE_RATE)
    rows = []  # (name, batch, flops, wall seconds, CPU seconds per thread)
    for name, (encoder, reference) in build_encoders(args.plain).items():
        for batch in args.batch_sizes:
            wave = 0.1 * torch.randn(batch, samples)
            lengths = torch.full((batch,), samples, dtype=torch.long)
            flops = count_flops(reference, wave, lengths)
            rows.append((name, batch, flops, *best_time(encoder, wave, lengths, args.repeats, rate)))
            print(f"timed {name} at batch {batch}", file=sys.stderr, flush=True)

    # One matmul rate for every row: the best seen over the whole run.
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {CLIP_SECONDS:g} s clips at 32 kHz; "
        f"fp32 {MATMUL_N}^3 matmul, best of the run: {rate.gflops:.0f} GFLOP/s wall, "
        f"{rate.cpu_gflops:.0f} GFLOP/s per CPU-second per thread; {load_before} before, {load_average()} after"
    )
    header = (
        f"{'encoder':<22} {'batch':>5} {'GFLOP':>7} {'time s':>7} {'clips/s':>7} {'bound s':>7} "
        f"{'time/bound':>10} {'cpu/bound':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, batch, flops, seconds, cpu in rows:
        bound, cpu_bound = flops / (rate.gflops * 1e9), flops / (rate.cpu_gflops * 1e9)
        print(
            f"{name:<22} {batch:>5} {flops / 1e9:>7.1f} {seconds:>7.3f} {batch / seconds:>7.2f} {bound:>7.3f} "
            f"{seconds / bound:>10.2f} {cpu / cpu_bound:>9.2f}"
        )

if __name__ == "__main__":
    main()
