"""`aacap models [--json]`: the model presets and the default model."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("models", help="list model presets (name, encoder, decoder, size)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=run)


def model_table() -> list[dict]:
    """One row per preset: its parts, parameter count and sample rate."""
    from ..model import CaptionModel
    from ..presets import PRESETS
    from ..vocab import Vocabulary

    rows = []
    vocab = Vocabulary.builtin()
    for name, config in PRESETS.items():
        model = CaptionModel(config, vocab)
        rows.append(
            {
                "name": name,
                "encoder": config.encoder,
                "decoder": config.decoder,
                "parameters": model.num_parameters(),
                "sample_rate": model.sample_rate,
                "description": config.description,
            }
        )
    return [*rows, default_row()]


def default_row() -> dict:
    """The offline default model: YAMNet tags, then retrieval over human AudioCaps captions."""
    from ..default_model import load_default

    captioner = load_default()
    return {
        "name": "default",
        "encoder": "yamnet",
        "decoder": "retrieval",
        "parameters": sum(p.numel() for p in captioner.yamnet.parameters()),
        "sample_rate": captioner.sample_rate,
        "description": f"offline default: YAMNet + retrieval over "
        f"{len(captioner.bank.captions):,} AudioCaps captions",
    }


def run(args: argparse.Namespace) -> int:
    rows = model_table()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'name':<18}{'encoder':<9}{'decoder':<13}{'params':>12}{'rate':>8}  description")
    for r in rows:
        print(
            f"{r['name']:<18}{r['encoder']:<9}{r['decoder']:<13}{r['parameters']:>12,}"
            f"{r['sample_rate']:>8}  {r['description']}"
        )
    return 0
