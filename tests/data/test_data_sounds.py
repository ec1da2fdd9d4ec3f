"""The labelled-recordings table, .deb extraction without install, and the real cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.data import sounds
from aacap.data.sounds import (CONCEPTS, PACKAGES, TABLE, Package, SoundsError, extract_deb,
                               fetch_sounds, list_sounds, match_entry, recording_group,
                               sha256_file, summary)

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "sounds"


def test_table_is_consistent_and_excludes_the_held_out_package() -> None:
    assert {e.package for e in TABLE} == set(PACKAGES)
    assert "0ad-data" not in PACKAGES
    for e in TABLE:
        assert e.concept in CONCEPTS, e
    assert all(len(p) >= 2 for p in CONCEPTS.values())
    assert len(CONCEPTS) >= 20


def test_match_entry_and_groups() -> None:
    mt = "usr/share/games/minetest/games/minetest_game/mods/default/sounds/"
    gravel = match_entry("minetest-data", mt + "default_gravel_footstep.2.ogg")
    assert gravel is not None and gravel.concept == "footsteps"
    assert "footsteps on gravel" in gravel.phrases
    assert match_entry("minetest-data", mt + "player_damage.ogg") is None
    tux = "usr/share/tuxpaint/stamps/animals/mammals/"
    assert match_entry("tuxpaint-stamps-default", tux + "pig.ogg").concept == "pig"
    assert match_entry("tuxpaint-stamps-default", tux + "pig_desc_fr.ogg") is None  # speech
    assert recording_group("a/fire_fire.2.ogg") == recording_group("a/fire_fire.3.ogg") == "a/fire_fire"
    assert recording_group("sfx/exotic-birds_2.ogg") == "sfx/exotic-birds"
    assert recording_group("x/door_open.ogg") == "x/door_open"


def _fake_deb(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    sounds_dir = root / "usr/share/games/minetest/games/minetest_game/mods/fire/sounds"
    sounds_dir.mkdir(parents=True)
    noise = np.random.default_rng(0).normal(0, 0.1, 8000).astype(np.float32)
    for name in ("fire_fire.1.ogg", "fire_fire.2.ogg", "player_damage.ogg"):
        sf.write(sounds_dir / name, noise, 16000, format="OGG", subtype="VORBIS")
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(
        "Package: minetest-data\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@t>\n"
        "Description: test\n")
    deb = tmp_path / "minetest-data_1.0_all.deb"
    subprocess.run(["dpkg-deb", "--build", "-Zxz", str(root), str(deb)], check=True,
                   capture_output=True)
    return deb


def test_fetch_from_a_cached_deb_extracts_only_table_files(tmp_path: Path, monkeypatch) -> None:
    if subprocess.run(["which", "dpkg-deb"], capture_output=True).returncode:
        pytest.skip("dpkg-deb not installed (Debian's dpkg)")
    deb = _fake_deb(tmp_path)
    cache = tmp_path / "cache"
    (cache / "downloads").mkdir(parents=True)
    deb.rename(cache / "downloads" / deb.name)
    pkg = Package("minetest-data", "deb", "1.0", sha256_file(cache / "downloads" / deb.name),
                  deb.name, 1)
    monkeypatch.setitem(sounds.PACKAGES, "minetest-data", pkg)
    monkeypatch.setattr(sounds, "_download", lambda *a: pytest.fail("must not download"))
    got = fetch_sounds(cache, ["minetest-data"])
    assert [s.path.name for s in got] == ["fire_fire.1.ogg", "fire_fire.2.ogg"]
    assert {s.concept for s in got} == {"fire"} and got[0].synonyms[0] == "a fire crackling"
    assert got[0].group == got[1].group and got[0].source == "minetest-data"
    assert not list(cache.rglob("player_damage.ogg"))
    assert list_sounds(cache) == got  # a second call reads the cache
    # A new table entry re-extracts the package from the cached download.
    extra = sounds.Entry("minetest-data", "*/sounds/player_damage.ogg", "scream")
    monkeypatch.setattr(sounds, "TABLE", sounds.TABLE + (extra,))
    assert [s.concept for s in fetch_sounds(cache, ["minetest-data"])] == ["fire", "fire", "scream"]
    # A corrupted download is caught by its sha256.
    (cache / "minetest-data" / ".extracted").unlink()
    (cache / "downloads" / deb.name).write_bytes(b"junk")
    monkeypatch.setattr(sounds, "_download", lambda *a: None)
    with pytest.raises(SoundsError, match="sha256"):
        fetch_sounds(cache, ["minetest-data"])


def test_extract_deb_keeps_paths(tmp_path: Path) -> None:
    if subprocess.run(["which", "dpkg-deb"], capture_output=True).returncode:
        pytest.skip("dpkg-deb not installed (Debian's dpkg)")
    out = tmp_path / "out"
    written = extract_deb(_fake_deb(tmp_path), out, lambda n: n.endswith("damage.ogg"))
    assert [p.relative_to(out.resolve()).as_posix() for p in written] == [
        "usr/share/games/minetest/games/minetest_game/mods/fire/sounds/player_damage.ogg"]


def test_unknown_package_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SoundsError, match="unknown sound package '0ad-data'"):
        fetch_sounds(tmp_path, ["0ad-data"])


def test_heldout_table_is_separate_and_uses_the_training_vocabulary(tmp_path: Path) -> None:
    from aacap.data.heldout import HELDOUT_PACKAGE, HELDOUT_TABLE, fetch_heldout_sounds, heldout_entry

    assert HELDOUT_PACKAGE.name == "0ad-data" and HELDOUT_PACKAGE.name not in PACKAGES
    assert all(e.concept in CONCEPTS for e in HELDOUT_TABLE)
    assert heldout_entry("audio/actor/fauna/animal/cattle_03.ogg").concept == "cow"
    assert heldout_entry("audio/resource/lumbering/lumber_treeexpire_01.ogg") is None
    assert heldout_entry("audio/voice/greek/civ/x.ogg") is None
    assert fetch_heldout_sounds(tmp_path, download=False) == []
    assert list_sounds(tmp_path) == []


def test_real_heldout_recordings() -> None:
    from aacap.data.heldout import fetch_heldout_sounds

    got = fetch_heldout_sounds(CACHE.parent / "heldout", download=False)
    if not got:
        pytest.skip("no held-out recordings: run `make heldout-sounds` (1.4 GB)")
    counts = summary(got)
    assert len(got) >= 150 and len(counts) >= 15
    assert {s.source for s in got} == {"0ad-data"}


def test_real_recordings_cover_enough_concepts() -> None:
    got = list_sounds(CACHE)
    if len({s.source for s in got}) < len(PACKAGES):
        pytest.skip(f"{CACHE} lacks some packages: run `make sounds`")
    counts = summary(got)
    assert len(got) >= 200 and len(counts) >= 40
    assert sum(n for n in counts.values() if n >= 3) >= 150  # the benchmark's labelled set
    assert sum(1 for n in counts.values() if n >= 3) >= 20
    for s in got:
        info = sf.info(str(s.path))
        assert info.frames > 0 and 0.05 < info.duration < 60, s.path


def test_failed_registry_download_is_one_line(tmp_path: Path, monkeypatch) -> None:
    if subprocess.run(["which", "apt-get"], capture_output=True).returncode:
        pytest.skip("apt-get not installed")
    bogus = Package("aacap-no-such-package", "deb", "1.0", "0" * 64, "x.deb", 1)
    monkeypatch.setitem(sounds.PACKAGES, bogus.name, bogus)
    with pytest.raises(SoundsError, match="cannot fetch aacap-no-such-package 1.0: .*apt-get update") as err:
        fetch_sounds(tmp_path, [bogus.name])
    assert "\n" not in str(err.value)
