"""User caches: one root ($AACAP_CACHE, else the platform's user cache folder), one folder per
cache, the same from any current folder; `aacap data synth` finds the sounds from elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aacap.cache_dirs import CACHES, cache_dir, cache_root
from aacap.cli import main

REPO_SOUNDS = Path(__file__).resolve().parents[1] / ".cache" / "sounds"


def test_root_is_aacap_cache_else_the_platforms(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AACAP_CACHE", str(tmp_path / "c"))
    assert cache_dir("sounds") == tmp_path / "c" / "sounds"
    monkeypatch.delenv("AACAP_CACHE")
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache_root() == tmp_path / "xdg" / "aacap"
        monkeypatch.delenv("XDG_CACHE_HOME")
        assert cache_root() == Path.home() / ".cache" / "aacap"
    with pytest.raises(ValueError, match="unknown cache 'typo'"):
        cache_dir("typo")


def test_every_cache_has_one_home(monkeypatch, tmp_path: Path) -> None:
    """The modules that keep files for the user all ask `cache_dir` (none reads
    $AACAP_CACHE or ~/.cache itself)."""
    from aacap.encoders.panns_weights import panns_cache_dir
    from aacap.metrics.meteor import Paraphrases
    from aacap.metrics.spice_java import spice_dir

    monkeypatch.setenv("AACAP_CACHE", str(tmp_path))
    monkeypatch.delenv("AACAP_SPICE_DIR", raising=False)
    assert panns_cache_dir() == tmp_path / "panns"
    assert Paraphrases.index_path().parent == tmp_path / "meteor"
    assert spice_dir() == tmp_path / "spice"
    src = Path(__file__).resolve().parents[1] / "src" / "aacap"
    readers = [p.relative_to(src).as_posix() for p in src.rglob("*.py")
               if 'environ.get("AACAP_CACHE"' in p.read_text(encoding="utf-8")
               or '".cache" / "aacap"' in p.read_text(encoding="utf-8")]
    assert readers == ["cache_dirs.py"]
    assert set(CACHES) >= {"sounds", "heldout", "panns", "meteor", "spice"}


def test_synth_finds_the_sounds_from_another_folder(monkeypatch, tmp_path: Path) -> None:
    if not list(REPO_SOUNDS.glob("*/.extracted")):
        pytest.skip(f"no recordings in {REPO_SOUNDS}: run `make sounds-small`")
    root = tmp_path / "cache"
    root.mkdir()
    (root / "sounds").symlink_to(REPO_SOUNDS)  # as if `aacap data fetch-sounds` had run
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("AACAP_CACHE", str(root))
    monkeypatch.chdir(elsewhere)
    assert main(["data", "synth", "corpus", "--n-clips", "3", "--sample-rate", "16000"]) == 0
    assert len(list((elsewhere / "corpus").rglob("*.wav"))) == 3


def test_hf_hub_cache_follows_huggingface_hubs_rule(monkeypatch, tmp_path) -> None:
    """HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE, else HF_HOME/hub, else
    XDG_CACHE_HOME/huggingface/hub; `~` expanded."""
    from aacap.cache_dirs import hf_hub_cache

    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hf_hub_cache() == tmp_path / "xdg" / "huggingface" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hf_hub_cache() == tmp_path / "home" / "hub"
    monkeypatch.setenv("HUGGINGFACE_HUB_CACHE", str(tmp_path / "legacy"))
    assert hf_hub_cache() == tmp_path / "legacy"
    monkeypatch.setenv("HF_HUB_CACHE", "~/hub-cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert hf_hub_cache() == tmp_path / "hub-cache"
