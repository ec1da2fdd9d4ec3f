"""WavCaps (Mei et al., 2023): ~400k clips with one ChatGPT-written caption each, from
AudioSet (strongly labelled part), BBC Sound Effects, FreeSound and SoundBible.

Layout as aac-datasets stores it, under ROOT (or ROOT being the WavCaps folder):

    WavCaps/json_files/AudioSet_SL/as_final.json          {"data": [{"id", "caption",
    WavCaps/json_files/BBC_Sound_Effects/bbc_final.json              "duration", ...}]}
    WavCaps/json_files/FreeSound/fsd_final.json
    WavCaps/json_files/SoundBible/sb_final.json
    WavCaps/Audio/<source>/<file>.flac    AudioSet ids end in ".wav" (-> ".flac");
                                          the others are "<id>.flac"

Splits are the sources: "as", "bbc", "fsd", "sb". WavCaps' FreeSound part overlaps Clotho and
its AudioSet part overlaps AudioCaps: leave those out when evaluating on them.
"""

from __future__ import annotations

import json
from pathlib import Path

from .manifest import ManifestItem, Problems, audio_item
from .roots import find_corpus_root

SOURCES = {"as": ("AudioSet_SL", "as_final.json"),
           "bbc": ("BBC_Sound_Effects", "bbc_final.json"),
           "fsd": ("FreeSound", "fsd_final.json"),
           "sb": ("SoundBible", "sb_final.json")}


def find_root(root: str | Path) -> Path:
    """The folder holding `json_files/`: `root/WavCaps` or `root` itself."""
    return find_corpus_root(root, "WavCaps", lambda d: (d / "json_files").is_dir(),
                            "json_files/ folder", "WavCaps")


def audio_file_name(split: str, entry_id: str) -> str:
    """The audio file of a WavCaps entry: AudioSet ids are file names ending in .wav whose
    audio is stored as .flac; other sources use `<id>.flac`."""
    if split == "as" and entry_id.endswith(".wav"):
        return entry_id[: -len(".wav")] + ".flac"
    return f"{entry_id}.flac"


def prepare_wavcaps(root: str | Path, splits: tuple[str, ...] | None = None,
                    problems: Problems | None = None) -> list[ManifestItem]:
    """Manifest items of WavCaps' `splits` (sources "as", "bbc", "fsd", "sb"; default: those
    whose JSON is present); missing/unreadable audio goes to `problems`."""
    problems = Problems(echo=True) if problems is None else problems
    base = find_root(root)
    if splits is None:
        splits = tuple(s for s, (folder, name) in SOURCES.items()
                       if (base / "json_files" / folder / name).is_file())
    items = []
    for split in splits:
        if split not in SOURCES:
            raise ValueError(f"unknown WavCaps split {split!r}; choose from {', '.join(SOURCES)}")
        folder, json_name = SOURCES[split]
        path = base / "json_files" / folder / json_name
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing; WavCaps {split} is not there")
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise ValueError(f"{path}: expected an object with a 'data' list (WavCaps JSON)")
        for entry in data["data"]:
            entry_id = str(entry["id"])
            name = audio_file_name(split, entry_id)
            item = audio_item(f"wavcaps/{split}/{name.rsplit('.', 1)[0]}",
                              base / "Audio" / folder / name, [str(entry["caption"])],
                              "wavcaps", split, problems)
            if item is not None:
                items.append(item)
    return items


def download_wavcaps(root: str | Path, splits: tuple[str, ...] = tuple(SOURCES),
                     progress: bool = True) -> Path:
    """WavCaps is distributed through the Hugging Face hub (cvssp/WavCaps), which this project
    does not download from; this raises with what to do instead."""
    from .download import DownloadError

    raise DownloadError(f"WavCaps is on the Hugging Face hub (datasets/cvssp/WavCaps): fetch "
                        f"json_files/ and the Zip_files/ archives there, unzip the audio into "
                        f"{Path(root) / 'WavCaps' / 'Audio'}/<source>/, then run "
                        f"`aacap data prepare wavcaps {root}`")
