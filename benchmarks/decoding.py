"""Decoding speed on the full-size transformer decoder of `cnn14-trans2022` (6 layers, d_model
256, 8 heads, FFN 2048), random weights, random memory shaped like CNN14's output for 10 s
clips (31 frames), a vocabulary of Clotho's size.

1. Batched beam search with the KV cache against one-clip-at-a-time beam search without it
   (CoNeTTE's way: the whole prefix recomputed at every step), same outputs asserted.
2. Throughput of every strategy, batched with the cache.

    .venv/bin/python benchmarks/decoding.py [--clips 32] [--beam-size 3] [--threads N]
"""

from __future__ import annotations

import argparse
import time

import torch

from aacap.decoders.transformer import TransformerDecoder, TransformerDecoderConfig
from aacap.decoding import Candidate, DecodingOptions, decode
from aacap.model import Memory
from aacap.presets import get_preset
from aacap.vocab import BUILTIN_WORDS, Vocabulary

CNN14_FRAMES_10S = 31  # 10 s at 32 kHz, hop 320 -> 1001 mel frames, /32 in time by CNN14


class Model:
    def __init__(self, decoder: torch.nn.Module, vocab: Vocabulary) -> None:
        self.decoder, self.vocab = decoder, vocab


def build(vocab_size: int, seed: int) -> tuple[Model, int]:
    words = list(dict.fromkeys(BUILTIN_WORDS))
    words += [f"word{i}" for i in range(max(0, vocab_size - len(words)))]
    vocab = Vocabulary.build(words[: vocab_size])
    args = get_preset("cnn14-trans2022").decoder_args
    torch.manual_seed(seed)
    decoder = TransformerDecoder(TransformerDecoderConfig(**args), len(vocab), vocab.pad_id)
    return Model(decoder.eval(), vocab), args["d_model"]


def timed(fn, repeats: int) -> tuple[tuple[float, float], list]:
    """Best (wall, process CPU) seconds of `repeats` runs, and the last result. On a shared
    machine the CPU time is the steadier figure; with one thread it is the compute time."""
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return (wall, cpu), out


def hyp_tokens(nbest: list[list[Candidate]], max_length: int) -> int:
    """Tokens generated over all returned hypotheses, <eos> included."""
    return sum(min(len(c.tokens) + 1, max_length) for cands in nbest for c in cands)


def one_at_a_time(model: Model, memory: Memory, options: DecodingOptions) -> list:
    return [decode(model, Memory(memory.frames[i:i + 1], memory.mask[i:i + 1]), options)[0]
            for i in range(len(memory.frames))]


def same(a: list[list[Candidate]], b: list[list[Candidate]]) -> tuple[bool, float]:
    tokens = [[c.tokens for c in x] for x in a] == [[c.tokens for c in x] for x in b]
    gap = max(abs(x.logprob - y.logprob) for xa, xb in zip(a, b) for x, y in zip(xa, xb))
    return tokens, gap


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clips", type=int, default=32)
    p.add_argument("--beam-size", type=int, default=3)
    p.add_argument("--vocab-size", type=int, default=4500, help="Clotho's is ~4.4k words")
    p.add_argument("--max-length", type=int, default=30)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    model, d_model = build(args.vocab_size, args.seed)
    model.decoder.to(device)
    g = torch.Generator().manual_seed(args.seed + 1)
    frames = torch.randn(args.clips, CNN14_FRAMES_10S, d_model, generator=g).to(device)
    mask = torch.ones(args.clips, CNN14_FRAMES_10S, dtype=torch.bool, device=device)
    memory = Memory(frames, mask)
    print(f"decoder: cnn14-trans2022 (6 layers, d 256), {len(model.vocab)} tokens, "
          f"{args.clips} clips x {CNN14_FRAMES_10S} frames, max_length {args.max_length}, "
          f"device {device}, {torch.get_num_threads()} threads")

    beam = dict(method="beam", beam_size=args.beam_size, max_length=args.max_length)
    runs = {
        "one clip at a time, no cache (CoNeTTE)": lambda: one_at_a_time(
            model, memory, DecodingOptions(**beam, use_cache=False)),
        "one clip at a time, cache": lambda: one_at_a_time(
            model, memory, DecodingOptions(**beam)),
        "batched, no cache": lambda: decode(model, memory, DecodingOptions(**beam,
                                                                           use_cache=False)),
        "batched, cache": lambda: decode(model, memory, DecodingOptions(**beam)),
    }
    times, outputs = {}, {}
    for name, fn in runs.items():
        times[name], outputs[name] = timed(fn, 1 if "one clip" in name else args.repeats)
    reference = outputs["one clip at a time, no cache (CoNeTTE)"]
    base = times["one clip at a time, no cache (CoNeTTE)"]
    print(f"\nbeam search, beam {args.beam_size}, {args.clips} clips")
    print(f"| {'run':40s} | wall (s) | speedup | CPU (s) | speedup | same tokens | "
          f"max abs dlogprob |")
    print(f"|{'-' * 42}|----------|---------|---------|---------|-------------|------------------|")
    for name in runs:
        tokens_equal, gap = same(reference, outputs[name])
        (wall, cpu), (wall0, cpu0) = times[name], base
        print(f"| {name:40s} | {wall:8.2f} | {wall0 / wall:6.1f}x | {cpu:7.2f} | {cpu0 / cpu:6.1f}x "
              f"| {'yes' if tokens_equal else 'NO':>11s} | {gap:16.2e} |")
    for name in runs:
        tokens_equal, gap = same(reference, outputs[name])
        assert tokens_equal and gap < 1e-3, f"{name}: outputs differ from the reference"

    strategies = {
        "greedy": dict(method="greedy"),
        "beam 2": dict(method="beam", beam_size=2),
        "beam 3": dict(method="beam", beam_size=3),
        "beam 5": dict(method="beam", beam_size=5),
        "sample T=1.0": dict(method="sample", seed=0),
        "sample T=0.5": dict(method="sample", seed=0, temperature=0.5),
        "top-k 10": dict(method="sample", seed=0, top_k=10),
        "top-p 0.9": dict(method="sample", seed=0, top_p=0.9),
        "typical 0.9": dict(method="sample", seed=0, typical_p=0.9),
        "top-p 0.9, 5 candidates": dict(method="sample", seed=0, top_p=0.9, num_candidates=5),
    }
    print(f"\nthroughput, {args.clips} clips batched, KV cache")
    print(f"| {'strategy':26s} | wall (s) | CPU (s) | clips/s | tokens/s | clips/CPU-s | "
          f"tokens/CPU-s |")
    print(f"|{'-' * 28}|----------|---------|---------|----------|-------------|--------------|")
    for name, kw in strategies.items():
        o = DecodingOptions(max_length=args.max_length, **kw)
        (wall, cpu), out = timed(lambda: decode(model, memory, o), args.repeats)
        n = hyp_tokens(out, args.max_length)
        print(f"| {name:26s} | {wall:8.3f} | {cpu:7.3f} | {args.clips / wall:7.1f} | "
              f"{n / wall:8.0f} | {args.clips / cpu:11.1f} | {n / cpu:12.0f} |")
    print("tokens: tokens of every returned hypothesis (all beams / candidates), <eos> included;"
          " CPU: this process's CPU time, all threads")


if __name__ == "__main__":
    main()
