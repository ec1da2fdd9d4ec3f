"""`aacap models [--json]`: every name `--model` takes: the presets, the default model, and the
published models fetched by hub name (with their source, size, licence, published scores, and
whether they are in the hub cache already; checked on disk, no network)."""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("models", help="list model presets (name, encoder, decoder, size)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=run)


def model_table() -> list[dict]:
    """One row per preset: its parts, parameter count and sample rate."""
    # the models load torch: imported when the command runs, not when `aacap` starts
    from ..model import CaptionModel
    from ..presets import PRESETS
    from ..vocab import Vocabulary

    rows = []
    vocab = Vocabulary.builtin()
    for name, config in PRESETS.items():
        with _uninitialised_weights():  # the table needs their number, not their values
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
    return [*rows, default_row(), *hub_rows()]


@contextlib.contextmanager
def _uninitialised_weights() -> Iterator[None]:
    """Modules built inside keep their weights as allocated (`torch.nn.init` functions do
    nothing): a preset's parameter count without the seconds its random init takes."""
    from torch.nn import init  # torch: only when the command runs

    saved = {name: getattr(init, name) for name in dir(init)
             if name.endswith("_") and not name.startswith("_")}
    for name in saved:
        setattr(init, name, lambda tensor, *args, **kwargs: tensor)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(init, name, function)


def hub_rows() -> list[dict]:
    """One row per published hub model (`aacap.hub.HUB_MODELS`); `cached` is the snapshot
    folder when the hub cache holds it, else None."""
    from ..hub import HUB_MODELS, HubSpec, cached_snapshot

    rows = []
    for model in HUB_MODELS.values():
        snapshot = cached_snapshot(HubSpec(model.repo_id, model.revision))
        rows.append({
            "name": model.name, "encoder": "cnext", "decoder": "transformer", "parameters": None,
            "sample_rate": 32000, "description": f"published CoNeTTE weights: {model.paper}",
            "source": f"hf://{model.repo_id}@{model.revision}", "size": model.size,
            "licence": model.licence, "published_scores": model.scores,
            "cached": str(snapshot) if snapshot else None,
        })
    return rows


def default_row() -> dict:
    """The offline default model: YAMNet tags, then retrieval over human AudioCaps captions."""
    from ..captioning.default import load_default

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
        if r.get("source"):
            continue
        print(
            f"{r['name']:<18}{r['encoder']:<9}{r['decoder']:<13}{r['parameters']:>12,}"
            f"{r['sample_rate']:>8}  {r['description']}"
        )
    from ..cache_dirs import hf_hub_cache

    print(f"\nby hub name (downloaded on first use into {hf_hub_cache()}; also any OWNER/NAME or hf://OWNER/NAME):")
    for r in (r for r in rows if r.get("source")):
        scores = ", ".join(f"{k} {v}" for k, v in r["published_scores"].items())
        print(f"{r['name']:<18}{r['source']}  {r['size']}, {r['licence']}; published: {scores}; "
              f"{'cached: ' + r['cached'] if r['cached'] else 'not cached'}")
    return 0
