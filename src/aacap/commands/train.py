"""`aacap train RECIPE [--out DIR] [--set key=value ...] [--restart]`.

Run the same command again to resume an interrupted run; under `torchrun --nproc_per_node N
-m aacap.cli train ...` it trains with DDP.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..train.config import load_recipe, recipe_names


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("train", help="train a captioning model from a recipe")
    p.add_argument("recipe", help=f"recipe name ({', '.join(recipe_names())}) or a .toml file")
    p.add_argument("--out", type=Path, help="run folder (default: runs/<recipe name>)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a recipe setting, e.g. lr=1e-4 or model.d_model=128")
    p.add_argument("--restart", action="store_true", help="start over even if OUT has a run")
    p.add_argument("--show", action="store_true", help="print the resolved settings and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..train import train  # the training loop loads torch: imported when the command runs

    cfg = load_recipe(args.recipe, args.overrides)
    if args.show:
        print(json.dumps(cfg.to_dict(), indent=1))
        return 0
    out = args.out or Path("runs") / Path(args.recipe).stem
    summary = train(cfg, out, restart=args.restart)
    if summary["best_score"] is not None:
        print(f"{out}: best {summary['metric']} {summary['best_score']:.4f} at epoch "
              f"{summary['best_epoch']} -> {out / 'best.pt'}")
    return 0
