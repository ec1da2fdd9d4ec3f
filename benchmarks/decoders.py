"""Decoder steps per CPU-second in float32, dynamic int8 and bf16 (AMX CPUs only), and how often
reduced precision changes a trained model's greedy captions.

    .venv/bin/python benchmarks/decoders.py [--threads 1] [--repeats 3]
        [--model runs/synth-tiny/best.pt --audio .cache/synth/evaluation]

1. Speed: the decoders of `cnn14-trans2022` (transformer, 6 layers, d 256, FFN 2048) and
   `cnn14-rnn2021` (attention LSTM, hidden 512) at their published sizes, random weights, a
   4500-word vocabulary (Clotho's size), random memory of 31 frames (CNN14, 10 s). Greedy and
   beam 3, batch 1 and 16 clips, exactly 20 steps (min_length = max_length). Tokens per
   CPU-second = hypotheses x steps / this process's CPU seconds (best of `--repeats`; CPU
   time, which other processes on a shared machine disturb less than wall time).
2. Agreement (with `--model` and `--audio`): every clip of the folder is encoded once in
   float32, then greedy-decoded with each precision; the table gives the fraction of clips
   whose tokens equal float32's, and tokens per CPU-second of that model's decoder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from aacap.decoders import build_decoder
from aacap.decoders.precision import PRECISIONS, has_amx, reduced_precision
from aacap.decoding import DecodingOptions, decode
from aacap.model import Memory
from aacap.presets import get_preset
from aacap.vocab import BUILTIN_WORDS, Vocabulary

VOCAB_SIZE = 4500
CNN14_FRAMES_10S = 31
STEPS = 20


class Model:
    """What `decode` needs: a decoder and a vocabulary."""

    def __init__(self, decoder: torch.nn.Module, vocab: Vocabulary) -> None:
        self.decoder, self.vocab = decoder, vocab


def vocabulary(size: int) -> Vocabulary:
    words = list(dict.fromkeys(BUILTIN_WORDS))
    words += [f"word{i}" for i in range(max(0, size - len(words)))]
    return Vocabulary.build(words[:size])


def preset_decoders(vocab: Vocabulary) -> dict[str, tuple[torch.nn.Module, int]]:
    """name -> (decoder, d_model) at the presets' sizes, random weights."""
    torch.manual_seed(0)
    decoders = {}
    for name, preset in (("transformer", "cnn14-trans2022"), ("lstm", "cnn14-rnn2021")):
        cfg = get_preset(preset)
        decoder = build_decoder(cfg.decoder, cfg.decoder_args, len(vocab), cfg.d_model, vocab.pad_id)
        decoders[name] = (decoder.eval(), cfg.d_model)
    return decoders


def cpu_seconds(fn, repeats: int) -> float:
    """Best process CPU seconds of `repeats` calls, after one warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def precisions() -> list[str]:
    return [p for p in PRECISIONS if p != "bf16" or has_amx()]


def speed_table(repeats: int) -> None:
    vocab = vocabulary(VOCAB_SIZE)
    names = precisions()
    print(f"\ndecoder steps, {STEPS} steps, {len(vocab)} tokens, {CNN14_FRAMES_10S} memory frames: tokens per CPU-second")
    print("| decoder | search | clips | " + " | ".join(names) + " | " + " | ".join(f"{p} / fp32" for p in names[1:]) + " |")
    print("|---|---|---:|" + "---:|" * (2 * len(names) - 1))
    for kind, (decoder, d_model) in preset_decoders(vocab).items():
        forms = {p: reduced_precision(decoder, p) for p in names}
        for batch in (1, 16):
            g = torch.Generator().manual_seed(1)
            memory = Memory(torch.randn(batch, CNN14_FRAMES_10S, d_model, generator=g),
                            torch.ones(batch, CNN14_FRAMES_10S, dtype=torch.bool))
            for method, beams in (("greedy", 1), ("beam", 3)):
                options = DecodingOptions(method=method, beam_size=3, min_length=STEPS, max_length=STEPS)
                rate = {}
                for p, form in forms.items():
                    seconds = cpu_seconds(lambda: decode(Model(form, vocab), memory, options), repeats)
                    rate[p] = batch * beams * STEPS / seconds
                search = "greedy" if beams == 1 else "beam 3"
                print(f"| {kind} | {search} | {batch} | " + " | ".join(f"{rate[p]:.0f}" for p in names) + " | "
                      + " | ".join(f"{rate[p] / rate['fp32']:.2f}x" for p in names[1:]) + " |", flush=True)


def agreement_table(model_path: Path, audio: Path, repeats: int) -> None:
    from aacap.captioning.neural import NeuralCaptioner
    from aacap.captioning.protocol import open_input
    from aacap.checkpoint import load_checkpoint
    from aacap.model import batch_waves

    captioner = NeuralCaptioner(load_checkpoint(model_path), model_path.stem)
    model = captioner.model
    files = sorted(p for p in audio.iterdir() if p.suffix in {".wav", ".flac", ".ogg", ".mp3"})
    if not files:
        sys.exit(f"{audio}: no audio files (wav, flac, ogg, mp3) to caption")
    clips = [torch.from_numpy(open_input(p, model.sample_rate, None, captioner.resampler).samples) for p in files]
    with torch.inference_mode():
        memory = model.encode(*batch_waves(clips))
    options = DecodingOptions(method="greedy", max_length=30)
    names = precisions()
    tokens, rate = {}, {}
    for p in names:
        form = Model(reduced_precision(model.decoder, p), model.vocab)
        out = decode(form, memory, options)
        tokens[p] = [c[0].tokens for c in out]
        n = sum(len(t) + 1 for t in tokens[p])  # <eos> included
        rate[p] = n / cpu_seconds(lambda: decode(form, memory, options), repeats)
    print(f"\nagreement with fp32, greedy, {model_path} on {len(files)} clips of {audio}")
    print("| precision | clips with fp32's tokens | differing | tokens per CPU-second (all clips batched) |")
    print("|---|---:|---:|---:|")
    for p in names:
        same = sum(a == b for a, b in zip(tokens[p], tokens["fp32"]))
        print(f"| {p} | {same}/{len(files)} | {1 - same / len(files):.1%} | {rate[p]:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", type=Path, help="a trained aacap checkpoint (agreement table)")
    parser.add_argument("--audio", type=Path, help="a folder of its evaluation clips")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, AMX: {'yes' if has_amx() else 'no'}"
          f" (bf16 {'measured' if has_amx() else 'not offered'})")
    speed_table(args.repeats)
    if args.model and args.audio:
        agreement_table(args.model, args.audio, args.repeats)


if __name__ == "__main__":
    main()
