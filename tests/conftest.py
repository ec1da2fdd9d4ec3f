"""Shared fixtures: short synthetic clips written to disk, the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AACAP_SHARED", REPO.parent / "shared"))


def tone(seconds: float = 1.0, rate: int = 32000, freq: float = 440.0, seed: int = 0) -> np.ndarray:
    """A tone plus a little noise: (samples,) float32."""
    t = np.arange(int(seconds * rate)) / rate
    noise = np.random.default_rng(seed).normal(0, 0.01, t.shape)
    return (0.3 * np.sin(2 * np.pi * freq * t) + noise).astype(np.float32)


@pytest.fixture
def wav_file(tmp_path: Path) -> Path:
    path = tmp_path / "tone.wav"
    sf.write(path, tone(1.0, 44100), 44100)
    return path


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder {SHARED} absent (only in the project's workspace)")
    return SHARED
