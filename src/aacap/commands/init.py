"""`aacap init PRESET OUT [--vocab-from CAPTIONS.txt] [--seed N] [--set key=value ...]`."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("init", help="write an untrained checkpoint of a preset")
    p.add_argument("preset", help="preset name (see `aacap models`)")
    p.add_argument("out", type=Path, help="checkpoint file to write")
    p.add_argument("--vocab-from", type=Path, help="text file, one caption per line")
    p.add_argument("--min-count", type=int, default=1, help="keep words seen this often")
    p.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    p.add_argument("--encoder-weights", metavar="FILE|panns",
                   help="pretrained encoder weights (cnn14: `panns` fetches Cnn14_mAP=0.431.pth)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. decoder_args.num_layers=2")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the model loads torch: imported when the command runs, not when `aacap` starts
    import torch

    from ..checkpoint import save_model
    from ..model import CaptionModel
    from ..pretrained import load_encoder_weights
    from ..presets import get_preset
    from ..vocab import Vocabulary

    config = get_preset(args.preset, args.overrides)
    if args.vocab_from:
        if not args.vocab_from.is_file():
            raise ValueError(f"{args.vocab_from}: no such captions file")
        lines = args.vocab_from.read_text(encoding="utf-8").splitlines()
        vocab = Vocabulary.from_captions((l for l in lines if l.strip()), args.min_count)
    else:
        vocab = Vocabulary.builtin()
    torch.manual_seed(args.seed)
    model = CaptionModel(config, vocab)
    if args.encoder_weights:
        load_encoder_weights(model.encoder, config.encoder, args.encoder_weights)
    save_model(model, args.out, extra={"seed": args.seed, "trained": False})
    print(f"wrote {args.out}: {config.name}, {model.num_parameters():,} parameters, "
          f"{len(vocab)} tokens")
    return 0
