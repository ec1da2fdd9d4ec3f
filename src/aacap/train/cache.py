"""Frozen-encoder feature cache: each clip's encoder frames computed once and stored as
`<id>.npy` (frames, dim) float32, beside `encoder.json` naming the encoder (kind, config, and a
sha256 of its weights) so a cache is never read with another encoder's weights.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import torch
from torch import nn

from ..atomic import atomic_write
from ..audio import load_audio
from ..progress import bar as progress_bar

def encoder_fingerprint(kind: str, args: dict[str, Any], encoder: nn.Module) -> str:
    """sha256 over the encoder kind, its config and every tensor of its state dict."""
    h = hashlib.sha256(json.dumps([kind, args], sort_keys=True).encode())
    for name, tensor in sorted(encoder.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


@torch.inference_mode()
def embed_wave(encoder: nn.Module, wave: np.ndarray) -> np.ndarray:
    """One clip's frames (frames, dim) float32 from its waveform (S,) at the encoder's rate.
    Clips are encoded one at a time, so no clip's frames depend on another's padding."""
    x = torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float32))[None]
    device = next(encoder.parameters()).device
    frames, lengths = encoder(x.to(device), torch.tensor([x.shape[1]], device=device))
    return frames[0, : int(lengths[0])].float().cpu().numpy()


def save_npy(path: Path, array: np.ndarray) -> None:
    """np.save through a temporary file and a rename: a crash leaves no partial file."""
    atomic_write(path, lambda f: np.save(f, array), fsync=False)


class FrameCache:
    """A folder of `<id>.npy` frames written by one encoder (see `encoder.json`)."""

    def __init__(self, root: str | Path, fingerprint: str, meta: dict[str, Any] | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        info = self.root / "encoder.json"
        if info.is_file():
            found = json.loads(info.read_text()).get("fingerprint")
            if found != fingerprint:
                raise ValueError(f"{self.root}: this feature cache was made by another encoder or "
                                 "other weights; delete it or set another cache_dir")
        else:
            info.write_text(json.dumps({"fingerprint": fingerprint, **(meta or {})}, indent=1))
        self.fingerprint = fingerprint

    def path(self, clip_id: str) -> Path:
        return self.root / (quote(clip_id, safe=" ()-_.,") + ".npy")

    def load(self, clip_id: str) -> np.ndarray:
        """Frames (T, D) float32 of a cached clip."""
        path = self.path(clip_id)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: clip {clip_id!r} is not in the feature cache")
        return np.load(path)

    def fill(self, encoder: nn.Module, clips: Iterable[Any], progress: bool = False,
             overwrite: bool = False) -> int:
        """Encode the clips (objects with `.id` and `.audio`) not cached yet, or whose audio file
        is newer than its frames (all of them with `overwrite`); returns how many. An unreadable
        audio file raises `AudioError` naming it."""
        todo = [c for c in clips if overwrite or self._stale(c)]
        if not todo:
            return 0
        encoder.eval()
        bar = progress_bar(todo, desc="caching frames", unit="clip", enabled=progress, leave=False)
        for clip in bar:
            wave = load_audio(clip.audio, encoder.sample_rate)
            save_npy(self.path(clip.id), embed_wave(encoder, wave))
        return len(todo)

    def _stale(self, clip: Any) -> bool:
        path = self.path(clip.id)
        if not path.is_file():
            return True
        audio = Path(clip.audio)
        return audio.is_file() and audio.stat().st_mtime_ns > path.stat().st_mtime_ns


