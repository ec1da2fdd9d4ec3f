"""Each file is decoded once on the CLI and batch paths (a long one: scanned once to be
refused before any model work, then streamed once)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import soundfile as sf

from aacap.audio import AudioFile
from aacap.batch import run_batch
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
