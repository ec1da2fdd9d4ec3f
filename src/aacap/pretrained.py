"""Pretrained encoder weights, in one place: an encoder built and loaded from an aacap
checkpoint or from its own published format (PANNs CNN14, CoNeTTE's ConvNeXt, the converted
YAMNet), used by `aacap init --encoder-weights`, training (`encoder_weights`) and `aacap embed`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch import nn

from .checkpoint import FORMAT
from .encoders import build_encoder
from .encoders.cnn14 import load_panns_checkpoint
from .encoders.convnext import load_conette_encoder_state
from .encoders.panns_weights import PANNS_NAME, panns_weights
from .encoders.yamnet import load_yamnet_state
from .fileio import load_strict, read_torch_file

ASSETS = Path(__file__).resolve().parent / "assets" / "default"  # the shipped YAMNet


def load_encoder_weights(encoder: nn.Module, kind: str, weights: str | Path) -> None:
    """Load pretrained weights into `encoder` (of `kind`), strictly by name.

    `weights`: an aacap checkpoint (its encoder is taken; its kind must be `kind`), or the
    encoder's own published format: a PANNs checkpoint (`Cnn14_mAP=0.431.pth`) for cnn14, a
    CoNeTTE state dict for cnext, a converted YAMNet state dict for yamnet (`default` = the one
    shipped in aacap's assets). For cnn14, `panns` names the published PANNs file (downloaded
    once and checksummed; a local file of that name wins)."""
    path = _weights_path(kind, weights)
    _load_read_weights(encoder, kind, path, _read_weights(path))


def _weights_path(kind: str | None, weights: str | Path) -> Path:
    """The file of `weights`: YAMNet's `default` is the one shipped in aacap's assets, CNN14's
    `panns` (unless a file has that name) the published PANNs file, fetched once."""
    if kind == "yamnet" and str(weights) == "default":
        if not (ASSETS / "yamnet.pt").is_file():
            raise FileNotFoundError(f"{ASSETS / 'yamnet.pt'}: YAMNet weights missing; run `make default-model`")
        return ASSETS / "yamnet.pt"
    if kind == "cnn14" and str(weights) == PANNS_NAME and not Path(weights).exists():
        return panns_weights()
    return Path(weights)


def _read_weights(path: Path) -> Any:
    """The tensors of a weights file (tensors and plain containers only), or the one-line
    `ValueError` saying why it does not read: returned, not raised, so that a caller can first
    say what it expected (`encoder_with_weights`: an aacap checkpoint)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such encoder weights file")
    try:
        return read_torch_file(path, "encoder weights file")
    except ValueError as err:
        return err


def _load_read_weights(encoder: nn.Module, kind: str, path: Path, data: Any) -> None:
    """`load_encoder_weights` once the file at `path` is read (`data`, from `_read_weights`)."""
    if isinstance(data, ValueError):
        raise data  # why it does not read (it was read once; not again by another loader)
    if isinstance(data, dict) and data.get("format") == FORMAT:
        if data["config"]["encoder"] != kind:
            raise ValueError(f"{path}: its encoder is {data['config']['encoder']!r}, not {kind!r}")
        state = {k[len("encoder."):]: v for k, v in data["state_dict"].items()
                 if k.startswith("encoder.")}
        load_strict(encoder, state, str(path))
    elif kind == "cnn14" and isinstance(data, dict):
        load_panns_checkpoint(encoder, data)
    elif kind == "cnext" and isinstance(data, dict):
        state = data.get("model", data.get("state_dict", data))
        load_conette_encoder_state(encoder, state)  # type: ignore[arg-type]
    elif kind == "yamnet" and isinstance(data, dict):
        load_yamnet_state(encoder, data, str(path))
    else:
        raise ValueError(f"{path}: not weights for a {kind} encoder (expected an aacap checkpoint"
                         f"{' or a PANNs checkpoint' if kind == 'cnn14' else ''})")


def encoder_with_weights(kind: str | None, weights: str | None
                         ) -> tuple[nn.Module, str, dict[str, Any]]:
    """(encoder in eval mode with `weights` loaded, its kind, its config fields). `kind` may
    be None when `weights` is an aacap checkpoint (its encoder is used); for cnn14, `weights`
    defaults to the published PANNs file (`panns`, downloaded once and checksummed)."""
    args: dict[str, Any] = {}
    if weights is None and kind == "cnn14":
        weights = PANNS_NAME
    if weights is None:
        raise ValueError("no encoder weights given: name a weights file (or the cnn14 encoder, for PANNs)")
    path = _weights_path(kind, weights)
    data = _read_weights(path)  # read once: the checkpoint's config, then its weights
    config = data["config"] if isinstance(data, dict) and data.get("format") == FORMAT else None
    if config is not None:
        if kind is not None and kind != config["encoder"]:
            raise ValueError(f"{weights}: its encoder is {config['encoder']!r}, not {kind!r}")
        kind, args = config["encoder"], config["encoder_args"]
    elif kind is None:
        raise ValueError(f"{weights}: not an aacap checkpoint; name the encoder kind it holds")
    elif kind == "las":
        raise ValueError(f"{weights}: LAS has no published weights; pass an aacap checkpoint")
    encoder = build_encoder(kind, args)
    _load_read_weights(encoder, kind, path, data)
    return encoder.eval(), kind, args
