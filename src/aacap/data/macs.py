"""MACS (Martin & Mesaros, DCASE 2021): 3,930 clips of TAU Urban Acoustic Scenes 2019
(10 s, 48 kHz), each captioned by 2-5 annotators.

Layout as aac-datasets stores it, under ROOT (or ROOT being the MACS folder):

    MACS/MACS.yaml               files: [{filename, annotations: [{sentence, tags, ...}]}]
    MACS/audio/<filename>.wav    the TAU Urban Acoustic Scenes 2019 development files used

MACS has no official splits: every item gets split "full".
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .download import RemoteFile, download
from .manifest import ManifestItem, Problems, audio_item
from .roots import find_corpus_root

_ZENODO = "https://zenodo.org/record/5114771/files"
# md5 digests as published by Zenodo for record 5114771 (MACS).
_FILES = (("MACS.yaml", "23fcb2ebd0b109094034ef9e87972256"),
          ("MACS_competence.csv", "4dfe9f951f0af9f29cb7952ec030370a"),
          ("LICENSE.txt", "d3086f4517cccc32c1bb3a081b07cfa1"))

_TAU = "https://zenodo.org/record/2589280/files/TAU-urban-acoustic-scenes-2019-development"
# The TAU Urban Acoustic Scenes 2019 development archives holding MACS files (md5, Zenodo).
_TAU_ZIPS = (("audio.1", "aca4ebfd9ed03d5f747d6ba8c24bc728"),
             ("audio.2", "c4f170408ce77c8c70c532bf268d7be0"),
             ("audio.3", "c7214a07211f10f3250290d05e72c37e"),
             ("audio.9", "3c32a693a6b111ffb957be3c1dd22e9b"),
             ("audio.10", "0ffbf60006da520cc761fb74c878b98b"),
             ("audio.11", "599055d93b4c11057c29be2df54538d4"),
             ("audio.12", "98b8d162ff3665695c4c910e6c372cc8"),
             ("audio.13", "a356c08b1a5a21d433eba37ef87587f4"))


def find_root(root: str | Path) -> Path:
    """The folder holding MACS.yaml: `root/MACS` or `root` itself."""
    return find_corpus_root(root, "MACS", lambda d: (d / "MACS.yaml").is_file(), "MACS.yaml",
                            "MACS")


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


def download_macs(root: str | Path, splits: tuple[str, ...] = ("full",),
                  progress: bool = True) -> Path:
    """Fetch MACS into `root/MACS/`: its captions (MACS.yaml) from Zenodo record 5114771 and
    its audio from the 8 TAU Urban Acoustic Scenes 2019 development archives (record 2589280,
    ~20 GB, kept in `MACS/archives/`) that hold MACS files, which are extracted into
    `MACS/audio/`. Resumable and md5-checked (the digests Zenodo publishes)."""
    base = Path(root) / "MACS"
    for fname, md5 in _FILES:
        download(RemoteFile(f"{_ZENODO}/{fname}?download=1", fname, f"md5:{md5}"), base,
                 progress=progress)
    wanted = {name for name, _ in read_yaml(base / "MACS.yaml")}
    audio = base / "audio"
    audio.mkdir(exist_ok=True)
    for part, md5 in _TAU_ZIPS:
        if wanted <= {p.name for p in audio.glob("*.wav")}:
            break
        fname = f"{_TAU.rsplit('/', 1)[1]}.{part}.zip"
        archive = download(RemoteFile(f"{_TAU}.{part}.zip?download=1", f"archives/{fname}",
                                      f"md5:{md5}"), base, progress=progress)
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                name = member.rsplit("/", 1)[-1]
                if name in wanted and not (audio / name).exists():
                    (audio / name).write_bytes(zf.read(member))
    return Path(root)
