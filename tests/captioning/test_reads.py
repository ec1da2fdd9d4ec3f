"""Each file is decoded once on the CLI and batch paths (a long one: scanned once to be
refused before any model work, then streamed once), and its samples checked once: the
captioner takes the decoded clip as it is."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import soundfile as sf

from aacap import audio
from aacap.audio import AudioFile
from aacap.batch import run_batch
from aacap.captioning.loading import load_model
from aacap.captioning.protocol import caption_paths
from aacap.captioning.segment import caption_long
from aacap.cli import main

from helpers import tiny_checkpoint, tone

RATE = 16000


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times each file's samples were decoded (`AudioFile._blocks` passes)."""
    counts: Counter = Counter()
    real = AudioFile._blocks

    def counted(self: AudioFile):  # noqa: ANN202
        counts[Path(self.path).name] += 1
        return real(self)

    monkeypatch.setattr(AudioFile, "_blocks", counted)
    return counts


def test_each_file_is_decoded_once(tmp_path: Path, reads: Counter,
                                   capsys: pytest.CaptureFixture) -> None:
    ckpt = tiny_checkpoint("las2020", tmp_path / "tiny.pt")
    sf.write(tmp_path / "short.wav", tone(1.0, RATE), RATE)
    sf.write(tmp_path / "long.wav", tone(35.0, RATE), RATE)  # past LONG_CLIP_S: streamed
    assert main(["caption", str(tmp_path / "short.wav"), str(tmp_path / "long.wav"),
                 "--model", str(ckpt), "--max-length", "3"]) == 0
    assert reads == {"short.wav": 1, "long.wav": 2}  # the long one: scan, then stream
    reads.clear()
    run_batch(str(tmp_path / "short.wav"), tmp_path / "out.jsonl", str(ckpt),
              options={"max_length": 3}, progress=False)
    assert reads == {"short.wav": 1}


@pytest.fixture()
def checks(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times samples named by each input went through the sample check (NaN/Inf,
    `audio._mono`, run on every block decoded and on every array given)."""
    counts: Counter = Counter()
    real = audio._mono

    def counted(block, name: str):  # noqa: ANN001, ANN202
        counts[Path(name).name] += 1
        return real(block, name)

    monkeypatch.setattr(audio, "_mono", counted)
    return counts


def test_a_short_file_is_decoded_and_checked_once(tmp_path: Path, reads: Counter,
                                                  checks: Counter) -> None:
    model = load_model(tiny_checkpoint("las2020", tmp_path / "tiny.pt"))
    path = tmp_path / "short.wav"
    sf.write(path, tone(3.0, RATE), RATE)  # one block: one check per decoding
    options = model.decoding_options(max_length=3)
    [(_, result)] = caption_paths(model, [path], 2, options)
    assert result.path == str(path) and reads == {"short.wav": 1} == checks
    reads.clear()
    checks.clear()
    result = caption_long(model, path, 1.0, options=options)  # three windows
    assert len(result.segments) >= 1 and result.path == str(path)
    assert reads == {"short.wav": 1} == checks


def test_a_result_has_a_path_only_for_a_file_on_disk(tmp_path: Path) -> None:
    """One rule for every input and model: a file's path; None for an array or the bytes of
    an upload, even one sent with a file name."""
    from aacap.audio import read_audio

    path = tmp_path / "clip.wav"
    sf.write(path, tone(1.0, RATE), RATE)
    upload = AudioFile(path.read_bytes(), name="up.wav")
    assert read_audio(path, RATE).path == str(path)
    assert read_audio(upload, RATE).path is None and read_audio(tone(1.0, RATE), RATE).path is None
    model = load_model(tiny_checkpoint("las2020", tmp_path / "tiny.pt"))
    results = model.caption([path, AudioFile(path.read_bytes(), name="up.wav"), tone(1.0, RATE)],
                            sample_rate=RATE, max_length=3)
    assert [r.path for r in results] == [str(path), None, None]
