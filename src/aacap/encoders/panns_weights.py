"""The published PANNs CNN14 weights by name: `Cnn14_mAP=0.431.pth` from Zenodo record 3987831.

`panns_weights()` returns a local path to the file, in this order:

1. `~/panns_data/Cnn14_mAP=0.431.pth`, where `panns_inference` keeps it, if its md5 is right;
2. `$AACAP_CACHE/panns/Cnn14_mAP=0.431.pth` (`aacap.cache_dirs`: `~/.cache/aacap/panns/` on Linux), the one
   documented place aacap downloads it to;
3. a download from Zenodo (327 MB) into that place: resumed from `<file>.part` after a cut,
   renamed only once its md5 matches the record's published one (the size is checked for the
   `~/panns_data` copy before it is hashed).

The md5 and the size are those Zenodo publishes for the file (record 3987831); nothing runs at
import, and only `pretrained` calls this (`load_encoder_weights` and `encoder_with_weights`,
through one lookup), for the name `panns` (`aacap embed --weights`, `aacap init
--encoder-weights`, a training recipe's `encoder_weights`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..cache_dirs import cache_dir
from ..data.download import DownloadError, RemoteFile, check_digest, download

PANNS_NAME = "panns"  # what --weights / --encoder-weights / encoder_weights take to mean this file
FILE_NAME = "Cnn14_mAP=0.431.pth"
URL = "https://zenodo.org/records/3987831/files/Cnn14_mAP%3D0.431.pth?download=1"
MD5 = "541141fa2ee191a88f24a3219fff024e"  # Zenodo's published checksum for the file
SIZE = 327_428_481  # bytes, as Zenodo lists it


class PannsWeightsError(DownloadError, ValueError):
    """The weights cannot be had; one line naming the URL and the flag taking a local file
    (a ValueError too, so the CLI prints it as a user error)."""


def panns_weights(url: str | None = None, cache: str | Path | None = None,
                  legacy: str | Path | None = None) -> Path:
    """A local, checksum-verified copy of `Cnn14_mAP=0.431.pth` (see the module docstring).

    `url` defaults to `$AACAP_PANNS_URL` or Zenodo's; `cache` to `$AACAP_CACHE/panns`;
    `legacy` to `~/panns_data`. Raises `PannsWeightsError` with one line (naming the URL and the
    flag that takes a local file) when it cannot be had."""
    legacy_file = Path(legacy if legacy is not None else Path.home() / "panns_data") / FILE_NAME
    if legacy_file.is_file() and legacy_file.stat().st_size == SIZE and check_digest(legacy_file, f"md5:{MD5}"):
        return legacy_file
    root = Path(cache) if cache is not None else panns_cache_dir()
    remote = RemoteFile(url or os.environ.get("AACAP_PANNS_URL") or URL, FILE_NAME, f"md5:{MD5}")
    try:
        return download(remote, root)  # a cut transfer is resumed there
    except DownloadError as err:
        raise PannsWeightsError(
            f"PANNs CNN14 weights: {err}; or download {remote.url} elsewhere and pass "
            f"the file with --weights FILE (aacap embed), --encoder-weights FILE (aacap init) "
            f"or encoder_weights = FILE (aacap train)"
        ) from None


def panns_cache_dir() -> Path:
    """Where aacap keeps the downloaded PANNs weights: `$AACAP_CACHE/panns`."""
    return cache_dir("panns")


__all__ = ["FILE_NAME", "MD5", "PannsWeightsError", "SIZE", "URL", "panns_cache_dir", "panns_weights"]
