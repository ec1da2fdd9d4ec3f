"""Finding a corpus on disk: users pass either the corpus folder or the folder above it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def find_corpus_root(root: str | Path, subdir: str, holds: Callable[[Path], bool],
                     expected: str, corpus: str) -> Path:
    """`root/subdir` or `root` itself, whichever `holds` the corpus's files; else a one-line
    FileNotFoundError saying what was `expected` there."""
    root = Path(root)
    for candidate in (root / subdir, root):
        if holds(candidate):
            return candidate
    raise FileNotFoundError(f"{root}: no {expected} found (looked in it and {subdir}/); "
                            f"give the folder where {corpus} was downloaded")
