"""`--output-format`/`--output-dir` end to end: `aacap caption long.m4a --segment-seconds 10
--output-format srt --output-dir out/` writes the SRT of the segments `--json` reports, and
`aacap batch clips/ --output-format dcase` writes the challenge CSV of the batch's lines."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.audio_av import available
from aacap.cli import main
from helpers import tiny_checkpoint, tone

SRT_CUE = re.compile(r"(\d+)\n(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)\n"
                     r"([^\n]+)\n(?:\n|$)")


def long_m4a(path: Path) -> Path:
    """25 s at 44.1 kHz in AAC: 10 s of a tone, 10 s of noise, 5 s of a lower tone."""
    av = pytest.importorskip("av", reason="PyAV (the `av` extra) is not installed")
    rate = 44100
    noise = 0.2 * np.random.default_rng(0).standard_normal(10 * rate).astype(np.float32)
    x = np.concatenate([tone(10, rate, 880.0), noise, tone(5, rate, 220.0)])
    out = av.open(str(path), "w")
    stream = out.add_stream("aac", rate=rate, layout="mono")
    for i in range(0, len(x), 1024):
        frame = av.AudioFrame.from_ndarray(x[None, i:i + 1024].copy(), format="fltp",
                                           layout="mono")
        frame.sample_rate = rate
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))
    out.close()
    return path


def srt_cues(text: str) -> list[tuple[int, float, float, str]]:
    """(index, start s, end s, text) of each cue; the whole file must be cues."""
    cues, at = [], 0
    for match in SRT_CUE.finditer(text):
        assert match.start() == at, f"not a cue at character {at}: {text[at:at + 40]!r}"
        at = match.end()
        g = match.groups()
        start = int(g[1]) * 3600 + int(g[2]) * 60 + int(g[3]) + int(g[4]) / 1000
        end = int(g[5]) * 3600 + int(g[6]) * 60 + int(g[7]) + int(g[8]) / 1000
        cues.append((int(g[0]), start, end, g[9]))
    assert at == len(text)
    return cues


def test_caption_long_m4a_to_srt(tmp_path: Path, capsys) -> None:
    m4a = long_m4a(tmp_path / "long.m4a")
    out = tmp_path / "out"
    assert main(["caption", str(m4a), "--segment-seconds", "10", "--output-format", "srt",
                 "--output-dir", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["long.srt"]
    cues = srt_cues((out / "long.srt").read_text(encoding="utf-8"))
    assert main(["caption", str(m4a), "--segment-seconds", "10", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [(c[1], c[2], c[3]) for c in cues] == [
        (s["start_s"], s["end_s"], s["caption"]) for s in record["segments"]]
    assert [c[0] for c in cues] == list(range(1, len(cues) + 1))
    assert cues[0][1] == 0.0 and abs(cues[-1][2] - 25.0) < 0.1  # they tile the recording
    assert all(a[2] == b[1] for a, b in zip(cues, cues[1:]))


def test_batch_folder_to_dcase_csv(tmp_path: Path, capsys, monkeypatch) -> None:
    ckpt = tiny_checkpoint("las2020", tmp_path / "tiny.pt")
    clips = tmp_path / "clips"
    clips.mkdir()
    for i, rate in enumerate((32000, 16000, 44100)):
        sf.write(clips / f"clip_{i}.wav", tone(1.0 + i / 2, rate, 300.0 * (i + 1)), rate)
    (clips / "notes.txt").write_text("not audio")
    names = ["clip_0.wav", "clip_1.wav", "clip_2.wav"]
    if available():  # a phone memo among them: found and captioned through FFmpeg
        from av_helpers import encode

        encode(clips / "memo.m4a", "mp4", "aac", seconds=1.5)
        names.append("memo.m4a")
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "clips", "--output-format", "dcase", "--model", str(ckpt),
                 "--max-length", "5", "--quiet"]) == 0
    printed = capsys.readouterr()
    assert "wrote captions.dcase.csv" in printed.out and printed.err == ""  # no bar off a tty
    lines = [json.loads(line) for line in Path("captions.jsonl").read_text().splitlines()]
    with open("captions.dcase.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["file_name", "caption_predicted"]
    assert rows[1:] == sorted([Path(line["path"]).name, line["caption"]] for line in lines)
    assert [r[0] for r in rows[1:]] == names


def test_a_closed_stdout_ends_quietly(tmp_path: Path) -> None:
    """`aacap caption ... | head -1`: the reader goes away, aacap stops with 141 (SIGPIPE's
    status) and no error line or traceback."""
    import subprocess
    import sys

    ckpt = tiny_checkpoint("las2020", tmp_path / "tiny.pt")
    wav = tmp_path / "a.wav"
    sf.write(wav, tone(1.0, 32000), 32000)
    proc = subprocess.Popen([sys.executable, "-m", "aacap.cli", "caption", str(wav), str(wav),
                             "--model", str(ckpt), "--output-format", "csv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before anything is written: every write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""
