"""Uploads libsndfile cannot read (m4a, webm) decoded by the FFmpeg fallback: the same samples
as the file reader, the service's limits (413), one-line 415s for what FFmpeg refuses too."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
from av_helpers import encode

from aacap.audio import load_audio
from aacap.serve.inputs import InputError, decode_audio

pytest.importorskip("av", reason="PyAV (the `av` extra) is not installed")

RATE = 16000  # Hz


@pytest.mark.parametrize("name, fmt, codec", [("memo.m4a", "mp4", "aac"),
                                              ("voice.webm", "webm", "libopus")])
def test_upload_decodes_as_the_file_reader_does(tmp_path: Path, name: str, fmt: str,
                                                codec: str) -> None:
    path = encode(tmp_path / name, fmt, codec, seconds=2.0)
    got = decode_audio(path.read_bytes(), name, RATE, max_audio_s=30)
    np.testing.assert_allclose(got.samples, load_audio(path, RATE), atol=1e-6)
    assert abs(got.duration_s - 2.0) < 0.1


def test_upload_without_a_duration_is_held_to_the_limit(tmp_path: Path) -> None:
    path = encode(tmp_path / "rec.webm", "webm", "libopus", seconds=3.0, options={"live": "1"})
    assert abs(decode_audio(path.read_bytes(), "rec.webm", RATE, 30).duration_s - 3.0) < 0.01
    with pytest.raises(InputError) as err:  # no header to check first: stopped while decoding
        decode_audio(path.read_bytes(), "rec.webm", RATE, max_audio_s=1)
    assert err.value.status == 413


def test_upload_without_a_duration_is_decoded_once(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Its frames are counted by decoding it; those blocks are the ones read, not decoded again."""
    from aacap import audio

    path = encode(tmp_path / "rec.webm", "webm", "libopus", seconds=2.0, options={"live": "1"})
    passes = []
    real = audio.decode_blocks
    monkeypatch.setattr(audio, "decode_blocks", lambda *a: passes.append(1) or real(*a))
    got = decode_audio(path.read_bytes(), "rec.webm", RATE, max_audio_s=30)
    assert len(passes) == 1
    monkeypatch.setattr(audio, "decode_blocks", real)
    np.testing.assert_allclose(got.samples, load_audio(path, RATE), atol=1e-6)


def test_upload_limits_and_refusals(tmp_path: Path) -> None:
    data = encode(tmp_path / "a.m4a", "mp4", "aac", seconds=3.0).read_bytes()
    with pytest.raises(InputError) as err:
        decode_audio(data, "a.m4a", RATE, max_audio_s=1)
    assert err.value.status == 413
    assert "more than 1 s of audio" in str(err.value)
    with pytest.raises(InputError) as err:
        decode_audio(data[: len(data) // 2], "cut.m4a", RATE, max_audio_s=30)
    assert err.value.status == 415 and "\n" not in str(err.value)
    assert str(err.value).startswith("cut.m4a: not audio")


def test_service_captions_an_m4a(server, tmp_path: Path) -> None:
    data = encode(tmp_path / "memo.m4a", "mp4", "aac", seconds=2.0).read_bytes()
    response = httpx.post(f"{server.url}/v1/captions",
                          files={"file": ("memo.m4a", data, "audio/mp4")}, timeout=60)
    assert response.status_code == 200, response.text
    assert abs(response.json()["duration_s"] - 2.0) < 0.1
