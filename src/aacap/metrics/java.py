"""Locating Java and the official jars (PTB tokenizer, METEOR 1.5, SPICE) for the Java backends.

The jars ship in the ``pycocoevalcap`` wheel (a dependency of the ``metrics`` extra), so they are
taken from the installed package, or from ``$AACAP_PYCOCOEVALCAP_DIR`` (an unpacked copy).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

PYCOCOEVALCAP_VERSION = "1.2"


class JavaUnavailable(RuntimeError):
    """Java or a jar needed by a Java backend is missing."""


@lru_cache(maxsize=1)
def pycocoevalcap_dir() -> Path | None:
    """Directory of the pycocoevalcap package files, or None."""
    if os.environ.get("AACAP_PYCOCOEVALCAP_DIR"):
        return Path(os.environ["AACAP_PYCOCOEVALCAP_DIR"])
    spec = importlib.util.find_spec("pycocoevalcap")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return None


def java_path() -> str | None:
    """The `java` executable (``$AACAP_JAVA``, else on PATH), or None."""
    java = os.environ.get("AACAP_JAVA") or shutil.which("java")
    return java


@lru_cache(maxsize=4)
def java_major_version(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    version = out.split('"')[1] if '"' in out else "0"
    major = version.split(".")[0]
    if major == "1":  # 1.8.0_x
        major = version.split(".")[1]
    return int(major)


def require_jar(relative: str) -> tuple[str, Path]:
    """(java executable, jar path) for a jar inside pycocoevalcap; JavaUnavailable with a
    one-line explanation otherwise."""
    java = java_path()
    if java is None:
        raise JavaUnavailable("no `java` found on PATH (or $AACAP_JAVA): install a Java runtime >= 8 "
                              "or use the pure-Python backend")
    root = pycocoevalcap_dir()
    if root is None or not (root / relative).is_file():
        raise JavaUnavailable(f"{relative} not found: `pip install pycocoevalcap=={PYCOCOEVALCAP_VERSION}` "
                              "or run `make metrics-jars`")
    return java, root / relative
