"""A held-out set of labelled real recordings from Debian's 0ad-data, for evaluation only.

0ad-data is reserved: nothing trains or tunes on it. It is kept apart from `sounds.py` on
purpose: its own cache folder (default: the user cache's `heldout`), its own table, and
`synth.synthesize` refuses its recordings. Labels use the concept vocabulary of
`sounds.CONCEPTS`, so a model trained on the training recordings can be scored on these.

The package (~1.4 GB) holds one `public.zip` (~3.3 GB) with the game's audio under `audio/`;
`fetch_heldout_sounds` extracts that zip to a temporary file, copies out only the files in
`HELDOUT_TABLE`, and deletes it (a few minutes, ~3.5 GB of free disk while it runs).
"""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from ..cache_dirs import cache_dir as user_cache
from .sounds import (CONCEPTS, Entry, LabelledSound, Package, SoundsError, _download,
                     _write_member, recording_group, sha256_file)

HELDOUT_PACKAGE = Package("0ad-data", "deb", "0.0.26-1",
                          "53745ae74d05bccf6783400fa98f3932b21729ab9d2e86151aa2c331c3455178",
                          "0ad-data_0.0.26-1_all.deb", 1378)
ZIP_MEMBER = "usr/share/games/0ad/mods/public/public.zip"


def _a(stem: str, concept: str, *phrases: str) -> Entry:
    return Entry("0ad-data", f"audio/{stem}", concept, phrases)


# Paths inside public.zip; only files whose name says what is heard.
HELDOUT_TABLE: tuple[Entry, ...] = (
    _a("actor/fauna/animal/camel_*.ogg", "camel"),
    _a("actor/fauna/animal/cattle_*.ogg", "cow"),
    _a("actor/fauna/animal/chicken_*.ogg", "chicken"),
    _a("actor/fauna/animal/elephant_*.ogg", "elephant"),
    _a("actor/fauna/animal/horse_idle*.ogg", "horse"),
    _a("actor/fauna/animal/horse_select*.ogg", "horse"),
    _a("actor/fauna/animal/lion_*.ogg", "roar", "a lion roaring", "a lion growling"),
    _a("actor/fauna/animal/pig_1*.ogg", "pig"),
    _a("actor/fauna/animal/pig_squeal_move.ogg", "pig", "a pig squealing"),
    _a("actor/fauna/animal/sheep_*.ogg", "sheep"),
    _a("actor/fauna/death/goat_*.ogg", "goat"),
    _a("actor/fauna/animal/peacock_call_*.ogg", "bird", "a peacock calling"),
    _a("actor/gate/stonegate_open_*.ogg", "door", "a heavy gate opening"),
    _a("actor/gate/stonegate_close_*.ogg", "door", "a heavy gate closing"),
    _a("actor/mounted/movement/mstep*.ogg", "horse", "a horse trotting", "hooves clopping"),
    _a("actor/ship/*move*.ogg", "boat", "a ship moving through water"),
    _a("actor/singlesteps/fs_grass*.ogg", "footsteps", "footsteps on grass"),
    _a("actor/singlesteps/fs_gravel*.ogg", "footsteps", "footsteps on gravel"),
    _a("actor/singlesteps/fs_rock*.ogg", "footsteps", "footsteps on rock"),
    _a("actor/singlesteps/fs_sand*.ogg", "footsteps", "footsteps on sand"),
    _a("actor/singlesteps/fs_snow*.ogg", "footsteps", "footsteps in snow"),
    _a("actor/singlesteps/fs_wood*.ogg", "footsteps", "footsteps on wood"),
    _a("ambient/water/river_*.ogg", "water", "a river flowing"),
    _a("ambient/water/waterfall_*.ogg", "water", "a waterfall rushing"),
    _a("ambient/weather/rain_*.ogg", "rain"),
    _a("ambient/weather/thunder_*.ogg", "thunder"),
    _a("attack/destruction/building_collapse_*.ogg", "crash", "a building collapsing"),
    _a("attack/destruction/explode_debris_*.ogg", "explosion"),
    _a("resource/construction/con_saw_*.ogg", "sawing"),
    _a("resource/lumbering/lumber_tree_[0-9]*.ogg", "chopping", "an axe chopping a tree"),
    _a("resource/mining/mine_stone_*.ogg", "digging", "a pickaxe striking stone"),
    _a("resource/mining/mine_metal_*.ogg", "metal", "a pickaxe striking metal ore"),
    _a("resource/farming/hoe_*.ogg", "digging", "a hoe digging soil"),
)


def heldout_entry(rel_path: str) -> Entry | None:
    """The first `HELDOUT_TABLE` entry matching a path inside public.zip."""
    for entry in HELDOUT_TABLE:
        if fnmatch.fnmatchcase(rel_path, entry.pattern):
            return entry
    return None


def fetch_heldout_sounds(cache_dir: str | Path | None = None,
                         download: bool = True) -> list[LabelledSound]:
    """Fetch (once) 0ad-data and return its labelled recordings, for evaluation only.

    Files land in `cache_dir/0ad-data/audio/...` (default: the user cache's `heldout`,
    `aacap.cache_dirs`); the .deb is kept in `cache_dir/downloads/`. With `download=False`
    only an existing cache is listed. Raises `SoundsError` (one line).
    """
    cache = Path(cache_dir) if cache_dir is not None else user_cache("heldout")
    out = cache / HELDOUT_PACKAGE.name
    stamp = out / ".extracted"
    if download and not stamp.exists():
        downloads = cache / "downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        deb = downloads / HELDOUT_PACKAGE.filename
        if not (deb.exists() and sha256_file(deb) == HELDOUT_PACKAGE.sha256):
            print(f"fetching 0ad-data {HELDOUT_PACKAGE.version} (~1.4 GB) from Debian...",
                  file=sys.stderr)
            _download(HELDOUT_PACKAGE, downloads)
        if sha256_file(deb) != HELDOUT_PACKAGE.sha256:
            deb.unlink()
            raise SoundsError(f"{deb.name}: sha256 is not the pinned one; removed it, run again")
        _extract_public_zip(deb, out)
        stamp.write_text(f"0ad-data {HELDOUT_PACKAGE.version} {HELDOUT_PACKAGE.sha256}\n")
    if not stamp.exists():
        return []
    sounds = []
    for path in sorted(out.rglob("*.ogg")):
        rel = path.relative_to(out).as_posix()
        entry = heldout_entry(rel)
        if entry is None:
            continue
        phrases = tuple(dict.fromkeys(entry.phrases + CONCEPTS[entry.concept]))
        sounds.append(LabelledSound(path, entry.concept, phrases, HELDOUT_PACKAGE.name,
                                    f"0ad-data:{recording_group(rel)}"))
    return sounds


def _extract_public_zip(deb: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        zpath = Path(tmp) / "public.zip"
        proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for member in tar:
                if member.name.removeprefix("./") == ZIP_MEMBER:
                    src = tar.extractfile(member)
                    assert src is not None
                    with open(zpath, "wb") as dst:
                        while block := src.read(1 << 20):
                            dst.write(block)
        if proc.wait() != 0 or not zpath.exists():
            raise SoundsError(f"{deb.name}: no {ZIP_MEMBER} inside; delete it and fetch again")
        out.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zpath) as zf:
            for name in zf.namelist():
                if heldout_entry(name) is not None:
                    _write_member(out, name, zf.read(name))
