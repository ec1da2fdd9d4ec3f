"""A tiny captioned corpus built from noise and tones (1 s clips), and a tiny model, for the
training tests: each clip's captions name its sound, so a model can learn them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

RATE = 16000
SOUNDS = {  # name -> (tone frequency Hz or None for noise, captions)
    "low": (220.0, ["a low tone hums", "a low hum plays steadily"]),
    "high": (3000.0, ["a high tone beeps", "a high pitched beep sounds"]),
    "noise": (None, ["noise hisses loudly", "a loud hiss of noise"]),
}

TINY_MODEL = {
    "preset": "las2020", "d_model": 16,
    "encoder_args": {"n_mels": 16, "hidden_size": 8, "num_layers": 2},
    "decoder": "transformer",
    "decoder_args": {"num_layers": 2, "nhead": 2, "dim_feedforward": 32, "d_model": 16, "dropout": 0.1},
}


def make_corpus(root: Path, per_sound: int = 4, seconds: float = 1.0) -> Path:
    """Write clips and a manifest (`manifest.jsonl`, splits development/validation)."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    rows = []
    for name, (freq, captions) in SOUNDS.items():
        for i in range(per_sound):
            t = np.arange(int(seconds * RATE)) / RATE
            x = rng.normal(0, 0.3 if freq is None else 0.02, t.shape)
            if freq is not None:
                x += 0.4 * np.sin(2 * np.pi * freq * (1 + 0.02 * i) * t)
            path = root / f"{name}{i}.wav"
            sf.write(path, x.astype(np.float32), RATE)
            split = "val" if i == per_sound - 1 else "dev"
            rows.append({"id": f"{name}{i}.wav", "audio": path.name, "captions": captions,
                         "duration_s": seconds, "dataset": "tiny", "split": split})
    manifest = root / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return manifest


def tiny_settings(manifest: Path, **extra: object) -> list[str]:
    """`--set` overrides of a tiny run on the corpus of `make_corpus`."""
    sets = {
        "model": TINY_MODEL,
        "train": [{"manifest": str(manifest), "task": "clotho", "split": "dev"}],
        "val": [{"manifest": str(manifest), "task": "clotho", "split": "val"}],
        "epochs": 2, "batch_size": 4, "lr": 3e-3, "warmup_steps": 2, "label_smoothing": 0.1,
        "grad_clip": 1.0, "val_metric": "cider_d", "progress": False, "tensorboard": False,
        "seed": 3,
    }
    sets.update(extra)
    return [f"{k}={json.dumps(v)}" for k, v in sets.items()]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("tiny_corpus"))
