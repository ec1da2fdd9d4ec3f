"""MACS (Martin & Mesaros, DCASE 2021): 3,930 clips of TAU Urban Acoustic Scenes 2019
(10 s, 48 kHz), each captioned by 2-5 annotators.

Layout as aac-datasets stores it, under ROOT (or ROOT being the MACS folder):

    MACS/MACS.yaml               files: [{filename, annotations: [{sentence, tags, ...}]}]
    MACS/audio/<filename>.wav    the TAU Urban Acoustic Scenes 2019 development files used

MACS has no official splits: every item gets split "full".
"""

from __future__ import annotations

from pathlib import Path

from .download import RemoteFile, download
from .manifest import ManifestItem, Problems, audio_item

_ZENODO = "https://zenodo.org/record/5114771/files"
# md5 digests as published by Zenodo for record 5114771 (MACS).
_FILES = (("MACS.yaml", "23fcb2ebd0b109094034ef9e87972256"),
          ("MACS_competence.csv", "4dfe9f951f0af9f29cb7952ec030370a"),
          ("LICENSE.txt", "d3086f4517cccc32c1bb3a081b07cfa1"))


def find_root(root: str | Path) -> Path:
    """The folder holding MACS.yaml: `root/MACS` or `root` itself."""
    root = Path(root)
    for candidate in (root / "MACS", root):
        if (candidate / "MACS.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"{root}: no MACS.yaml found (looked in it and MACS/); give the "
                            f"folder where MACS was downloaded")


def read_yaml(path: Path) -> list[tuple[str, list[str]]]:
    """(filename, captions) per entry of MACS.yaml."""
    try:
        import yaml
    except ImportError:
        raise ImportError("reading MACS needs PyYAML: pip install 'aacap[train]'") from None
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise ValueError(f"{path}: expected a mapping with a 'files' list (MACS.yaml)")
    out = []
    for entry in data["files"]:
        captions = [a["sentence"] for a in entry.get("annotations", []) if a.get("sentence")]
        out.append((str(entry["filename"]), captions))
    return out


def prepare_macs(root: str | Path, splits: tuple[str, ...] = ("full",),
                 problems: Problems | None = None) -> list[ManifestItem]:
    """Manifest items of MACS (split "full"); missing/unreadable audio goes to `problems`."""
    problems = Problems(echo=True) if problems is None else problems
    if tuple(splits) != ("full",):
        raise ValueError(f"MACS has one split, 'full'; got {', '.join(splits)}")
    base = find_root(root)
    items = []
    for filename, captions in read_yaml(base / "MACS.yaml"):
        stem = filename.rsplit(".", 1)[0]
        item = audio_item(f"macs/full/{stem}", base / "audio" / filename, captions, "macs",
                          "full", problems)
        if item is not None:
            items.append(item)
    return items


def download_macs(root: str | Path, splits: tuple[str, ...] = ("full",)) -> Path:
    """Fetch MACS' captions (MACS.yaml, md5-checked) into `root/MACS/`.

    The audio is a subset of TAU Urban Acoustic Scenes 2019 development (Zenodo record
    2589280, 21 zip files of ~2 GB): extract the files MACS.yaml names into `root/MACS/audio/`.
    """
    base = Path(root) / "MACS"
    for fname, md5 in _FILES:
        download(RemoteFile(f"{_ZENODO}/{fname}?download=1", fname, f"md5:{md5}"), base)
    return Path(root)
