"""Training: a recipe (`TrainConfig`, TOML files in `recipes/`) -> `train(config, out_dir)`.

    from aacap.train import load_recipe, train
    summary = train(load_recipe("synth-tiny", ["epochs=5"]), "runs/synth-tiny")

`aacap train RECIPE --out DIR [--set key=value ...]` is the same from the command line; run it
under `torchrun --nproc_per_node N` for DDP. Nothing here is imported by `aacap.model`.
"""

from typing import Any

from .config import TrainConfig, load_recipe, recipe_names

__all__ = ["TrainConfig", "load_recipe", "recipe_names", "train"]


def __getattr__(name: str) -> Any:
    # lazy: the loop loads torch, and `aacap --help` lists the recipes without it
    if name == "train":
        from .loop import train

        return train
    raise AttributeError(f"module 'aacap.train' has no attribute {name!r}")
