"""Shared fixtures: short synthetic clips written to disk, the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import soundfile as sf

from helpers import tone

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AACAP_SHARED", REPO.parent / "shared"))


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
