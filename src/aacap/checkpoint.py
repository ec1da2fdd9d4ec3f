"""One-file checkpoints: the model config, the vocabulary and the weights together, so a
checkpoint rebuilds its own model. Written atomically (temporary file, then rename)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .atomic import atomic_write
from .config import ModelConfig
from .errors import first_line
from .fileio import load_strict, read_torch_file
from .model import CaptionModel
from .vocab import Vocabulary

FORMAT = "aacap-checkpoint-1"


class CheckpointError(ValueError):
    """A checkpoint that cannot be read; the message is one line for the user."""


def atomic_save(obj: Any, path: str | Path) -> None:
    """torch.save `obj` to `path` so that a crash leaves either the old file or the new one;
    the file's mode follows the umask (0644 under umask 022), as `open` would make it."""
    atomic_write(path, lambda f: torch.save(obj, f))


def save_model(model: CaptionModel, path: str | Path, extra: dict[str, Any] | None = None) -> None:
    """Write `model` (config, vocabulary, weights, and optional `extra` metadata) to `path`."""
    atomic_save(
        {
            "format": FORMAT,
            "config": model.config.to_dict(),
            "vocab": list(model.vocab.tokens),
            "state_dict": model.state_dict(),
            "extra": extra or {},
        },
        path,
    )


RUN_CHECKPOINTS = ("best.pt", "last.pt")  # what `aacap train` leaves in its folder, best first


def run_checkpoint(folder: str | Path) -> Path | None:
    """The checkpoint to caption with from a training folder (`aacap train`'s OUT): `best.pt`,
    else `last.pt` (a run not yet validated); None for a folder with neither."""
    folder = Path(folder)
    return next((folder / n for n in RUN_CHECKPOINTS if (folder / n).is_file()), None)


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """The raw checkpoint dict of an aacap checkpoint file, checked."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file; check the path or `aacap models`")
    data = read_torch_file(path, "checkpoint", error=CheckpointError)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(
            f"{path}: not an aacap checkpoint (no '{FORMAT}' header); create one with `aacap init`"
        )
    return data


def load_checkpoint(path: str | Path) -> CaptionModel:
    """Rebuild the model stored at `path` (eval mode, CPU). A config that does not build, or
    weights whose names or shapes do not match it (a vocabulary of another size, say), raise
    a one-line `CheckpointError`."""
    data = read_checkpoint(path)
    try:
        config = ModelConfig.from_dict(data["config"])
        model = CaptionModel(config, Vocabulary(data["vocab"]))
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{path}: its config does not build a model ({first_line(err, 160)})"
                              ) from None
    state = data.get("state_dict")
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: has no state_dict of weights; not an aacap checkpoint")
    load_strict(model, state, str(path), f"its config and vocabulary of {len(model.vocab)} tokens",
                error=CheckpointError, hint="; the file was edited or mixed from two models")
    return model.eval()
