"""One manifest format for every dataset: a JSON-lines file, one clip per line.

    {"id": "clotho/dev/Santa Motor", "audio": "/data/.../Santa Motor.wav",
     "captions": ["A machine whines and squeals ...", ...], "duration_s": 21.7,
     "dataset": "clotho", "split": "dev"}

`id` is unique across datasets (`<dataset>/<split>/<file stem>`); `audio` is an absolute
path, or a path relative to the manifest's folder; `duration_s` is in seconds (soundfile's
header, not a decode). Readers (`prepare_<corpus>`) return `ManifestItem`s and report each
missing or unreadable audio file as a one-line `Problem` instead of stopping.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable

from ..atomic import atomic_write
from ..audio import AudioError, AudioFile

FIELDS = ("id", "audio", "captions", "duration_s", "dataset", "split")


@dataclass(frozen=True)
class ManifestItem:
    """One clip: where its audio is, its reference captions and where it comes from."""

    id: str
    audio: str
    captions: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    dataset: str = ""
    split: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ManifestItem":
        missing = [k for k in FIELDS if k not in d]
        if missing:
            raise ValueError(f"manifest line lacks {', '.join(missing)}")
        captions = d["captions"]
        if not isinstance(captions, list) or not all(isinstance(c, str) for c in captions):
            raise ValueError("'captions' must be a list of strings")
        return cls(str(d["id"]), str(d["audio"]), list(captions), float(d["duration_s"]),
                   str(d["dataset"]), str(d["split"]))


@dataclass(frozen=True)
class Problem:
    """An audio file a reader skipped: which clip, which file, what is wrong."""

    id: str
    audio: str
    reason: str

    def __str__(self) -> str:
        return f"{self.audio}: {self.reason} (skipped {self.id})"


class Problems(list):
    """The problems of one `prepare_*` call; printed to stderr as found when `echo` is set."""

    def __init__(self, echo: bool = False) -> None:
        super().__init__()
        self.echo = echo

    def add(self, problem: Problem) -> None:
        self.append(problem)
        if self.echo:
            print(str(problem), file=sys.stderr)


def write_manifest(path: str | Path, items: Iterable[ManifestItem]) -> int:
    """Write `items` to `path` (JSON lines, UTF-8), atomically; returns the number written."""
    n = 0

    def write(f: BinaryIO) -> None:
        nonlocal n
        for item in items:
            f.write((json.dumps(item.to_dict(), ensure_ascii=False) + "\n").encode("utf-8"))
            n += 1

    atomic_write(path, write, fsync=False)
    return n


def read_manifest(path: str | Path) -> list[ManifestItem]:
    """Read a manifest; relative `audio` paths are resolved against the manifest's folder.

    Raises ValueError naming the file and line of the first malformed line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such manifest; make one with `aacap data prepare`")
    items = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = ManifestItem.from_dict(json.loads(line))
            except (ValueError, TypeError) as err:
                raise ValueError(f"{path}:{lineno}: {err}; each line must be a JSON object "
                                 f"with {', '.join(FIELDS)}") from None
            audio = Path(item.audio)
            if not audio.is_absolute():
                item = ManifestItem(item.id, str(path.parent / audio), item.captions,
                                    item.duration_s, item.dataset, item.split)
            items.append(item)
    return items


def audio_item(item_id: str, audio: Path, captions: list[str], dataset: str, split: str,
               problems: Problems) -> ManifestItem | None:
    """A `ManifestItem` for `audio` with its duration from the file header, or None (and a
    problem recorded) if the file is missing, unreadable or empty."""
    if not audio.is_file():
        problems.add(Problem(item_id, str(audio), "missing audio file"))
        return None
    try:
        header = AudioFile(audio)  # libsndfile, else FFmpeg (m4a, ...); MP3 ID3 warnings muted
    except AudioError as err:
        reason = str(err).removeprefix(f"{audio}: ")
        problems.add(Problem(item_id, str(audio), f"unreadable audio ({reason})"))
        return None
    duration_s = round(header.frames / header.rate, 6)
    return ManifestItem(item_id, str(audio.resolve()), captions, duration_s, dataset, split)


def summarize(items: list[ManifestItem]) -> str:
    """`N clips, M captions, H hours` for messages."""
    hours = sum(i.duration_s for i in items) / 3600
    return f"{len(items)} clips, {sum(len(i.captions) for i in items)} captions, {hours:.2f} h"
