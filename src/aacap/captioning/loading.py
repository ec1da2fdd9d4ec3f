"""`load_model`: any model spec -> a `Captioner` (`protocol.py`): the default model, an
aacap checkpoint, a CoNeTTE directory or a hub model. It sits above the model kinds it
chooses between, so none of them imports it."""

from __future__ import annotations

from pathlib import Path

from ..checkpoint import CheckpointError, load_checkpoint, run_checkpoint
from ..conette import conette_decoding_options, load_conette
from ..hub import fetch_hub_model, parse_hub_spec
from ..presets import PRESETS
from .default import load_default
from .neural import NeuralCaptioner
from .protocol import Captioner


def load_model(name_or_path: str | Path = "default", batch_size: int = 16,
               revision: str | None = None) -> Captioner:
    """A captioner from a model name or path: `default`, an aacap checkpoint file, a training
    folder (its `best.pt`, else `last.pt`), a CoNeTTE directory, or a hub model (`conette`,
    `Labbeti/conette`, `hf://OWNER/NAME[@REVISION]`; see `aacap.hub`), fetched into the hub
    cache on first use. `revision` picks a hub revision."""
    name = str(name_or_path)
    path = Path(name)
    if name == "default" and not path.exists():
        return load_default()
    hub = parse_hub_spec(name, revision)
    if hub is not None:
        return _conette_captioner(fetch_hub_model(hub), name, batch_size)
    if path.is_dir() and (run := run_checkpoint(path)) is not None:  # aacap train's OUT
        return NeuralCaptioner(load_checkpoint(run), name=f"{path.name}/{run.stem}",
                               batch_size=batch_size)
    if path.is_dir():
        return _conette_captioner(path, path.name, batch_size)
    if path.is_file():
        return NeuralCaptioner(load_checkpoint(path), name=path.stem, batch_size=batch_size)
    if name in PRESETS:
        raise CheckpointError(
            f"preset {name!r} has no trained weights here; pass a checkpoint made with "
            f"`aacap init {name} OUT.pt` or `aacap train`, or use the default model"
        )
    raise CheckpointError(
        f"{name}: no such model or checkpoint; see `aacap models` for names"
    )


def _conette_captioner(path: Path, name: str, batch_size: int) -> NeuralCaptioner:
    """A CoNeTTE directory, decoded with CoNeTTE's own settings (task token, lengths, beam)."""
    return NeuralCaptioner(load_conette(path), name=name, batch_size=batch_size,
                           default_options=conette_decoding_options(path))
