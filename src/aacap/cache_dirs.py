"""Where aacap keeps what it downloads or builds for the user: one folder per cache, all under
one root, whatever the current folder.

The root is `$AACAP_CACHE` when set, else the platform's user cache folder (platformdirs):
`~/.cache/aacap` on Linux (`$XDG_CACHE_HOME/aacap` when that is set), `~/Library/Caches/aacap`
on macOS, `%LOCALAPPDATA%\\aacap\\Cache` on Windows. The caches (`CACHES`) are folders below it.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHES = {  # name: what it holds
    "sounds": "labelled recordings of `aacap data fetch-sounds`, read by `aacap data synth`",
    "heldout": "held-out recordings of `aacap data fetch-heldout` (evaluation only)",
    "panns": "PANNs CNN14 weights (`aacap init --encoder-weights panns`)",
    "meteor": "METEOR's paraphrase table index",
    "spice": "SPICE 1.0 and its jars (`aacap metrics download spice`), parsed scene graphs",
}


def cache_root() -> Path:
    """`$AACAP_CACHE`, else the platform's user cache folder for aacap (not created here)."""
    if os.environ.get("AACAP_CACHE"):
        return Path(os.environ["AACAP_CACHE"]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("aacap", appauthor=False))


def cache_dir(name: str) -> Path:
    """The folder of cache `name` (one of `CACHES`), below `cache_root()`."""
    if name not in CACHES:
        raise ValueError(f"unknown cache {name!r}; one of {', '.join(CACHES)}")
    return cache_root() / name


def hf_hub_cache() -> Path:
    """huggingface_hub's cache folder by its own rule (`HF_HUB_CACHE`, else the legacy
    `HUGGINGFACE_HUB_CACHE`, else `HF_HOME/hub`, else `$XDG_CACHE_HOME` or `~/.cache` +
    `huggingface/hub`; `~` and `$VARS` expanded), without importing it: the one place aacap
    reads it, so every lookup and download agrees."""
    env = os.environ
    home = env.get("HF_HOME") or os.path.join(env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache"),
                                              "huggingface")
    folder = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or os.path.join(home, "hub")
    return Path(os.path.expandvars(os.path.expanduser(folder)))
