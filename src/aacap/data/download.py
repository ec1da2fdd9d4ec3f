"""Resumable, checksummed file downloads for the `download_<corpus>` functions.

Nothing here runs at import or in tests' normal paths: only `aacap data download` calls it.
A partial download is kept as `<file>.part` and resumed with an HTTP Range request; the file
takes its final name only once its digest matches. Digests are "sha256:<hex>" where we know
one, else the publisher's own ("md5:<hex>": Zenodo publishes md5 only).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..progress import byte_bar

CHUNK = 1 << 20  # 1 MiB


class DownloadError(RuntimeError):
    """A download failed; the message is one line saying what to do."""


@dataclass(frozen=True)
class RemoteFile:
    """A file to fetch: its URL, its name on disk (relative to a corpus root) and digest."""

    url: str
    path: str
    digest: str  # "sha256:<hex>" or "md5:<hex>"; "" when the publisher gives none


def file_digest(path: Path, algorithm: str) -> str:
    """Hex digest of `path` with hashlib `algorithm` ("sha256", "md5")."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def check_digest(path: Path, digest: str) -> bool:
    """True when `path` matches `digest` ("algo:hex"); an empty digest always matches."""
    if not digest:
        return True
    algorithm, _, expected = digest.partition(":")
    return file_digest(path, algorithm) == expected.lower()


ATTEMPTS = 3  # a transfer cut midway (a `.part` left) is resumed this many times in one call


def download(remote: RemoteFile, root: str | Path, timeout_s: float = 30.0,
             progress: bool = True, attempts: int = ATTEMPTS) -> Path:
    """Fetch `remote` into `root/remote.path` unless a file with the right digest is there.

    Resumes from `<file>.part`, also within this call: a transfer cut midway is resumed up to
    `attempts` times in all. Raises `DownloadError` (one line) when the host cannot be reached,
    the server refuses, or the digest does not match (the bad file is removed). `progress`: a
    bar of the bytes, with the rate and the time left, on stderr (a terminal only,
    `aacap.progress`).
    """
    part = Path(root) / (remote.path + ".part")
    for attempt in range(attempts):
        try:
            return _download_once(remote, Path(root), timeout_s, progress)
        except DownloadError:
            if not part.is_file() or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable: attempts must be >= 1")


def _download_once(remote: RemoteFile, root: Path, timeout_s: float, progress: bool) -> Path:
    """One request of `download` (resuming from the `.part` when there is one)."""
    dest = root / remote.path
    if dest.is_file() and check_digest(dest, remote.digest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(remote.url, headers={"User-Agent": "aacap"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    host = urllib.request.urlparse(remote.url).netloc
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            resumed = have and response.status == 206
            total = response.headers.get("Content-Length")
            print(f"downloading {remote.path}"
                  + (f" ({int(total) / 1e6:.1f} MB{' left' if resumed else ''})" if total else "")
                  + (f", resuming at {have / 1e6:.1f} MB" if resumed else ""), file=sys.stderr)
            size = int(total) + (have if resumed else 0) if total else None
            with open(part, "ab" if resumed else "wb") as f, \
                    byte_bar(size, desc=Path(remote.path).name, initial=have if resumed else 0,
                             enabled=progress) as bar:
                while block := response.read(CHUNK):
                    f.write(block)
                    bar.update(len(block))
            if total and part.stat().st_size < (have if resumed else 0) + int(total):
                raise http.client.IncompleteRead(b"")  # the server closed before the last byte
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # range past the end: the .part is already complete
            pass
        else:
            raise DownloadError(f"{remote.url}: server answered {err.code} {err.reason}; "
                                f"try again later") from None
    except http.client.HTTPException as err:  # the connection closed before the last byte
        raise DownloadError(f"{remote.url}: download cut after {part.stat().st_size:,} bytes "
                            f"({type(err).__name__}); run the command again to resume") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DownloadError(f"cannot reach {host} ({reason}); this needs a network "
                            f"connection: run it where one exists, then copy {dest.parent}") from None
    if not check_digest(part, remote.digest):
        part.unlink()
        raise DownloadError(f"{dest}: checksum does not match {remote.digest}; removed the "
                            f"partial file, run the command again")
    os.replace(part, dest)
    return dest


def extract_7z(archive: Path, out: Path) -> None:
    """Extract a .7z archive with py7zr if installed, else the `7z` program."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        import py7zr  # type: ignore[import-not-found]
    except ImportError:
        py7zr = None
    if py7zr is not None:
        with py7zr.SevenZipFile(archive) as z:
            z.extractall(out)
        return
    import shutil
    import subprocess

    exe = shutil.which("7z") or shutil.which("7za")
    if exe is None:
        raise DownloadError(f"{archive}: cannot extract .7z: `pip install py7zr` or "
                            f"`apt-get install p7zip-full`, then run the command again")
    subprocess.run([exe, "x", "-y", f"-o{out}", str(archive)], check=True,
                   stdout=subprocess.DEVNULL)
