"""Clotho v2.1 (Drossos et al., ICASSP 2020): 3,839 development, 1,045 validation and 1,045
evaluation clips of 15-30 s from Freesound, 5 captions each.

Layout as distributed on Zenodo (record 4783391), under ROOT:

    clotho_captions_{development,validation,evaluation}.csv   file_name,caption_1..caption_5
    clotho_metadata_{development,validation,evaluation}.csv   file_name,keywords,sound_id,
                                                              sound_link,start_end_samples,
                                                              manufacturer,license (ISO-8859-1)
    development/*.wav  validation/*.wav  evaluation/*.wav     (from clotho_audio_<split>.7z)

aac-datasets' layout (ROOT/CLOTHO_v2.1/clotho_csv_files/*.csv and
ROOT/CLOTHO_v2.1/clotho_audio_files/<split>/) is read too.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .download import RemoteFile, download, extract_7z
from .manifest import ManifestItem, Problems, audio_item

SPLITS = {"dev": "development", "val": "validation", "eval": "evaluation"}
CAPTION_COLUMNS = tuple(f"caption_{i}" for i in range(1, 6))
METADATA_COLUMNS = ("file_name", "keywords", "sound_id", "sound_link", "start_end_samples",
                    "manufacturer", "license")
METADATA_ENCODING = "ISO-8859-1"  # Clotho v2's metadata files are Latin-1

_ZENODO = "https://zenodo.org/record/4783391/files"
# md5 digests as published by Zenodo for record 4783391 (Clotho v2.1).
_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "dev": (("clotho_audio_development.7z", "c8b05bc7acdb13895bb3c6a29608667e"),
            ("clotho_captions_development.csv", "d4090b39ce9f2491908eebf4d5b09bae"),
            ("clotho_metadata_development.csv", "170d20935ecfdf161ce1bb154118cda5")),
    "val": (("clotho_audio_validation.7z", "7dba730be08bada48bd15dc4e668df59"),
            ("clotho_captions_validation.csv", "5879e023032b22a2c930aaa0528bead4"),
            ("clotho_metadata_validation.csv", "2e010427c56b1ce6008b0f03f41048ce")),
    "eval": (("clotho_audio_evaluation.7z", "4569624ccadf96223f19cb59fe4f849f"),
             ("clotho_captions_evaluation.csv", "1b16b9e57cf7bdb7f13a13802aeb57e2"),
             ("clotho_metadata_evaluation.csv", "13946f054d4e1bf48079813aac61bf77")),
}


def find_layout(root: str | Path) -> tuple[Path, Path]:
    """(folder of the CSV files, folder holding the per-split audio folders) under `root`."""
    root = Path(root)
    for csv_dir, audio_dir in ((root, root),
                               (root / "CLOTHO_v2.1" / "clotho_csv_files",
                                root / "CLOTHO_v2.1" / "clotho_audio_files"),
                               (root / "clotho_csv_files", root / "clotho_audio_files")):
        if any((csv_dir / f"clotho_captions_{name}.csv").is_file() for name in SPLITS.values()):
            return csv_dir, audio_dir
    raise FileNotFoundError(f"{root}: no clotho_captions_<split>.csv found (looked in it, "
                            f"CLOTHO_v2.1/clotho_csv_files/ and clotho_csv_files/); "
                            f"give the folder where Clotho was extracted")


def read_captions_csv(path: Path) -> list[tuple[str, list[str]]]:
    """(file_name, [caption_1..caption_5]) per row of a `clotho_captions_<split>.csv`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding=METADATA_ENCODING)
    rows = list(csv.DictReader(text.splitlines()))
    if rows and not {"file_name", *CAPTION_COLUMNS} <= set(rows[0]):
        raise ValueError(f"{path}: expected columns file_name,{','.join(CAPTION_COLUMNS)}, "
                         f"got {','.join(rows[0])}")
    return [(r["file_name"], [r[c] for c in CAPTION_COLUMNS if r.get(c)]) for r in rows]


def read_metadata_csv(path: Path) -> dict[str, dict[str, str]]:
    """file_name -> metadata row of a `clotho_metadata_<split>.csv` (Latin-1)."""
    with open(path, encoding=METADATA_ENCODING, newline="") as f:
        return {r["file_name"]: r for r in csv.DictReader(f)}


def prepare_clotho(root: str | Path, splits: tuple[str, ...] | None = None,
                   problems: Problems | None = None) -> list[ManifestItem]:
    """Manifest items for Clotho's `splits` (any of "dev", "val", "eval"; default: those
    whose captions CSV is present) under `root`, in CSV order.

    Clips whose audio is missing or unreadable are left out and recorded in `problems`
    (printed to stderr when none is given).
    """
    problems = Problems(echo=True) if problems is None else problems
    csv_dir, audio_dir = find_layout(root)
    if splits is None:
        splits = tuple(s for s, name in SPLITS.items()
                       if (csv_dir / f"clotho_captions_{name}.csv").is_file())
    items: list[ManifestItem] = []
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f"unknown Clotho split {split!r}; choose from {', '.join(SPLITS)}")
        name = SPLITS[split]
        captions_csv = csv_dir / f"clotho_captions_{name}.csv"
        if not captions_csv.is_file():
            raise FileNotFoundError(f"{captions_csv}: missing; Clotho {split} is not there")
        for file_name, captions in read_captions_csv(captions_csv):
            stem = file_name.rsplit(".", 1)[0]
            item = audio_item(f"clotho/{split}/{stem}", audio_dir / name / file_name, captions,
                              "clotho", split, problems)
            if item is not None:
                items.append(item)
    return items


def download_clotho(root: str | Path, splits: tuple[str, ...] = tuple(SPLITS),
                    progress: bool = True) -> Path:
    """Fetch Clotho v2.1's CSVs and audio archives from Zenodo into `root` (resumable, md5
    checked) and extract each archive into `root/<development|validation|evaluation>/`."""
    root = Path(root)
    for split in splits:
        for fname, md5 in _FILES[split]:
            path = download(RemoteFile(f"{_ZENODO}/{fname}?download=1", fname, f"md5:{md5}"), root,
                            progress=progress)
            target = root / SPLITS[split]
            if path.suffix == ".7z" and not any(target.glob("*.wav")):
                extract_7z(path, root)
    return root
