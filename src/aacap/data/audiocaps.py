"""AudioCaps (Kim et al., NAACL 2019): 10-second YouTube excerpts from AudioSet; about
49.8k training clips with 1 caption, 495 validation and 975 test clips with 5 captions.

Layout as aac-datasets stores it, under ROOT:

    AUDIOCAPS/train.csv, val.csv, test.csv         audiocap_id,youtube_id,start_time,caption
    AUDIOCAPS/audio_32000Hz/{train,val,test}/{youtube_id}_{start_time}.flac

`ROOT` may also be the AUDIOCAPS folder itself, and audio folders named `{train,val,test}/`
directly under it (or any `audio_<rate>Hz/`) are found too; `.flac`, `.wav`, `.ogg` and
`.mp3` files are accepted. The CSVs have one row per caption: rows of one clip are merged.
Clips whose video has left YouTube have no file: they are reported, not fatal.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .download import RemoteFile, download
from .manifest import ManifestItem, Problems, audio_item
from .roots import find_corpus_root

SPLITS = ("train", "val", "test")
AUDIO_EXTENSIONS = (".flac", ".wav", ".ogg", ".mp3")
COLUMNS = ("audiocap_id", "youtube_id", "start_time", "caption")

# The CSVs of the AudioCaps repository (cdjkim/audiocaps), pinned to one commit.
_RAW = "https://raw.githubusercontent.com/cdjkim/audiocaps/d004db3ea1b01cf4fd0347dd8d27db90cadc8809/dataset"
_SHA256 = {
    "train": "c0c5223db682b3bf724ce7e7ce58d5b36929f74572e8526a7211f92d2eef7c8e",
    "val": "dab1c96641d5f3053ddb99dca3949450da9a75737bda53e11cc0aa8b102be0c3",
    "test": "b91c4b7ded2f4f6e7db5b9c4983dc1e1dca3d556f505b61e3fd65cac7e1c638a",
}


def audio_file_stem(youtube_id: str, start_time: str | int) -> str:
    """The audio file name (without extension) aac-datasets gives a clip: `{id}_{start}`."""
    return f"{youtube_id}_{int(float(start_time))}"


def find_root(root: str | Path) -> Path:
    """The folder holding AudioCaps' CSV files: `root/AUDIOCAPS` or `root` itself."""
    return find_corpus_root(
        root, "AUDIOCAPS", lambda d: any((d / f"{s}.csv").is_file() for s in SPLITS),
        "train.csv / val.csv / test.csv", "AudioCaps",
    )


def _audio_dirs(base: Path, split: str) -> list[Path]:
    dirs = sorted(base.glob(f"audio_*Hz/{split}")) + [base / "audio" / split, base / split]
    return [d for d in dirs if d.is_dir()]


def read_csv(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Clips of one split file: file stem -> (youtube_id, captions), in first-seen order."""
    clips: dict[str, tuple[str, list[str]]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
            raise ValueError(f"{path}: expected columns {','.join(COLUMNS)}, "
                             f"got {','.join(reader.fieldnames or [])}")
        for row in reader:
            stem = audio_file_stem(row["youtube_id"], row["start_time"])
            clips.setdefault(stem, (row["youtube_id"], []))[1].append(row["caption"])
    return clips


def prepare_audiocaps(root: str | Path, splits: tuple[str, ...] | None = None,
                      problems: Problems | None = None) -> list[ManifestItem]:
    """Manifest items of AudioCaps `splits` ("train", "val", "test"; default: those whose
    CSV is present); clips without a readable audio file are recorded in `problems` (stderr
    when none is given)."""
    problems = Problems(echo=True) if problems is None else problems
    base = find_root(root)
    if splits is None:
        splits = tuple(s for s in SPLITS if (base / f"{s}.csv").is_file())
    items: list[ManifestItem] = []
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f"unknown AudioCaps split {split!r}; choose from {', '.join(SPLITS)}")
        path = base / f"{split}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing; AudioCaps {split} is not there")
        dirs = _audio_dirs(base, split)
        on_disk: dict[str, Path] = {}
        for d in dirs:
            for f in d.iterdir():
                if f.suffix.lower() in AUDIO_EXTENSIONS:
                    on_disk.setdefault(f.stem, f)
        for stem, (_, captions) in read_csv(path).items():
            audio = on_disk.get(stem)
            if audio is None:  # report where it was expected
                audio = (dirs[0] if dirs else base / "audio_32000Hz" / split) / f"{stem}.flac"
            item = audio_item(f"audiocaps/{split}/{stem}", audio, captions, "audiocaps", split,
                              problems)
            if item is not None:
                items.append(item)
    return items


def download_audiocaps(root: str | Path, splits: tuple[str, ...] = SPLITS,
                       progress: bool = True) -> Path:
    """Fetch AudioCaps' caption CSVs (sha256-checked) into `root/AUDIOCAPS/`.

    The audio itself is on YouTube, which this project does not download from: fetch each
    `{youtube_id}` from `start_time` for 10 s (e.g. with yt-dlp and ffmpeg) into
    `root/AUDIOCAPS/audio_32000Hz/<split>/{youtube_id}_{start_time}.flac`.
    """
    base = Path(root) / "AUDIOCAPS"
    for split in splits:
        download(RemoteFile(f"{_RAW}/{split}.csv", f"{split}.csv", f"sha256:{_SHA256[split]}"), base,
                 progress=progress)
    return Path(root)
