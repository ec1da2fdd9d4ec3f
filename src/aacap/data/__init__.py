"""Datasets as manifests: readers for Clotho, AudioCaps, MACS and WavCaps
(`prepare_corpus`), their downloads (`download_corpus`), and a synthetic corpus of real
recordings in Clotho's layout (`sounds`, `synth`). Every reader returns
`manifest.ManifestItem`s."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

CORPORA = ("clotho", "audiocaps", "macs", "wavcaps")


def prepare_corpus(corpus: str, root: str | Path, **kwargs: Any) -> list:
    """`prepare_<corpus>(root, **kwargs)`: the manifest items of a dataset under `root`."""
    return getattr(_module(corpus), f"prepare_{corpus}")(root, **kwargs)


def download_corpus(corpus: str, root: str | Path, **kwargs: Any) -> Path:
    """`download_<corpus>(root, **kwargs)`: fetch a dataset into `root` (needs a network)."""
    return getattr(_module(corpus), f"download_{corpus}")(root, **kwargs)


def _module(corpus: str):
    if corpus not in CORPORA:
        raise ValueError(f"unknown corpus {corpus!r}; choose from {', '.join(CORPORA)}")
    return importlib.import_module(f"{__name__}.{corpus}")
