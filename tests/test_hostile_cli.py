"""Hostile input on the command line and in the library: every bad option, file or checkpoint
gets one line naming the cause (no traceback), output is valid JSON, files are refused without
blocking, long recordings are streamed, and batch resume keys on the resolved path."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aacap.audio import AudioFile, read_audio
from aacap.captioning.protocol import caption_paths
from aacap.captioning.loading import load_model
from aacap.cli import main
from aacap.decoding import DecodingOptions, decoding_options_from_kwargs
from aacap.decoding.options import MAX_BEAM_SIZE, MAX_LENGTH
from helpers import tiny_checkpoint, tone

RATE = 32000


def strict_json(line: str) -> dict:
    """json.loads refusing NaN and infinities, which are not JSON."""
    def refuse(name: str) -> None:
        raise ValueError(f"invalid JSON constant {name}")
    return json.loads(line, parse_constant=refuse)


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_checkpoint("las2020", tmp_path_factory.mktemp("hostile") / "tiny.pt")


@pytest.fixture(scope="module")
def good_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.wav"
    sf.write(path, tone(1.0, RATE), RATE, subtype="FLOAT")
    return path


def run(capsys: pytest.CaptureFixture, args: list[str]) -> tuple[int, list[str], list[str]]:
    capsys.readouterr()
    code = main(args)
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


# -- options: a one-line error, exit 2, before any work ---------------------------------------

@pytest.mark.parametrize("flags, message", [
    (["--beam-size", "1000"], "--beam-size 1000: exceeds the maximum of 32"),
    (["--beam-size", "99999999999999999999"], "--beam-size 1e+20: exceeds the maximum"),
    (["--length-penalty", "1e308"], "--length-penalty 1e+308: must be a number in [0, 10]"),
    (["--length-penalty", "nan"], "--length-penalty nan: must be a number"),
    (["--method", "sample", "--temperature", "inf"], "--temperature inf: must be a number"),
    (["--max-length", "100000"], "--max-length 100000: exceeds the maximum of 100"),
    (["--min-length", "3000", "--max-length", "3000"], "exceeds the maximum of 100"),
    (["--method", "sample", "--num-candidates", "1000"], "--num-candidates 1000: exceeds"),
    (["--batch-size", "-1"], "--batch-size -1: must be >= 1"),
    (["--batch-size", "0"], "--batch-size 0: must be >= 1"),
    (["--segment-seconds", "0.0001"], "--segment-seconds 0.0001: is below the minimum of 0.5 s"),
    (["--segment-seconds", "10", "--hop-seconds", "0.001"], "--hop-seconds 0.001: is below"),
    (["--hop-seconds", "1"], "--hop-seconds 1: needs --segment-seconds"),
    (["--task", "nonexistent"], "unknown task"),
])
def test_bad_options_one_line_exit_2(capsys, ckpt: Path, good_wav: Path, flags: list[str],
                                     message: str) -> None:
    code, out, err = run(capsys, ["caption", str(good_wav), "--model", str(ckpt), *flags])
    assert code == 2 and out == [] and len(err) == 1, err
    assert message in err[0] and "Traceback" not in err[0]


def test_options_checked_against_the_vocabulary() -> None:
    options = DecodingOptions(beam_size=20)
    options.check_vocabulary(20)
    with pytest.raises(ValueError, match="beam_size=20 exceeds the model's vocabulary of 10"):
        options.check_vocabulary(10)
    with pytest.raises(ValueError, match="top_k=50 exceeds"):
        DecodingOptions(method="sample", top_k=50).check_vocabulary(10)


# Hostile values for every numeric option: huge, negative, non-finite, wrong types.
_HOSTILE = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30), st.floats(allow_nan=True),
    st.sampled_from([0, 1, 2, 3, 30, 100, 101, 10**20, 1e308, -0.0, "3", None, True]))
_FIELDS = ["beam_size", "temperature", "top_k", "top_p", "typical_p", "num_candidates", "seed",
           "min_length", "max_length", "length_penalty"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["greedy", "beam", "sample"]),
       st.dictionaries(st.sampled_from(_FIELDS), _HOSTILE, max_size=4))
def test_options_are_in_range_or_refused_in_one_line(method: str, values: dict) -> None:
    values = {k: v for k, v in values.items() if v is not None}
    try:
        o = decoding_options_from_kwargs(method=method, **values)
    except ValueError as err:
        text = str(err)
        assert "\n" not in text and text.startswith("decoding option") and len(text) < 200
        return
    assert 1 <= o.beam_size <= MAX_BEAM_SIZE and 0 <= o.min_length <= o.max_length <= MAX_LENGTH
    assert math.isfinite(o.temperature) and math.isfinite(o.length_penalty)
    assert 1 <= o.candidates <= MAX_BEAM_SIZE


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["greedy", "beam", "sample"]),
       temperature=st.floats(0, 100), length_penalty=st.floats(0, 10),
       max_length=st.integers(1, 12), seed=st.integers(0, 2**63 - 1))
def test_any_accepted_options_give_valid_json(method, temperature, length_penalty, max_length,
                                              seed) -> None:
    model = _model()
    options = {"method": method, "max_length": max_length, "length_penalty": length_penalty}
    if method == "sample":
        options.update(temperature=temperature, seed=seed, num_candidates=2)
    (result,) = model.caption([tone(0.5, RATE)], sample_rate=RATE, **options)
    line = json.dumps(result.to_dict(), allow_nan=False)  # raises on NaN or infinity
    assert strict_json(line)["caption"] == result.caption


_MODEL: list = []


def _model():
    if not _MODEL:
        import tempfile

        path = Path(tempfile.mkdtemp()) / "tiny.pt"
        _MODEL.append(load_model(tiny_checkpoint("las2020", path)))
    return _MODEL[0]


# -- files: refused up front, named with the real cause, counted ------------------------------

def _bad_files(d: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, expected fragment of its message)."""
    d.mkdir(parents=True, exist_ok=True)
    x = tone(4.0, RATE)
    files: dict[str, tuple[Path, str]] = {}
    fifo = d / "pipe.wav"
    os.mkfifo(fifo)
    files["fifo"] = (fifo, "named pipe (FIFO)")
    loop = d / "loop.wav"
    loop.symlink_to(loop)
    files["symlink loop"] = (loop, "symbolic link loop")
    (d / "folder.wav").mkdir()
    files["folder"] = (d / "folder.wav", "is a directory")
    (d / "text.mp3").write_text("these are my notes, not a song\n" * 10)
    files["text"] = (d / "text.mp3", "is a text file, not audio")
    (d / "zero.wav").write_bytes(b"")
    files["zero bytes"] = (d / "zero.wav", "empty file (0 bytes)")
    sf.write(d / "nosamples.wav", np.zeros(0, np.float32), RATE)
    files["0 samples"] = (d / "nosamples.wav", "contains no audio samples")
    for fmt, ext, why in [("WAV", "wav", "truncated: its header announces"),
                          ("FLAC", "flac", "decoding stopped after"),
                          ("OGG", "ogg", "truncated: the Ogg stream stops")]:
        full = d / f"full.{ext}.tmp"
        sf.write(full, x, RATE, format=fmt)
        data = full.read_bytes()
        (d / f"cut.{ext}").write_bytes(data[: len(data) // 3])
        full.unlink()
        files[f"cut {ext}"] = (d / f"cut.{ext}", why)
    nan = x.copy()
    nan[100] = np.nan
    sf.write(d / "nan.wav", nan, RATE, subtype="FLOAT")
    files["nan"] = (d / "nan.wav", "1 NaN or infinite sample(s)")
    return files


@pytest.mark.timeout(120)  # a FIFO opened for reading would block for ever
def test_bad_files_are_named_counted_and_never_block(capsys, tmp_path: Path, ckpt: Path,
                                                     good_wav: Path) -> None:
    files = _bad_files(tmp_path / "bad")
    paths = [str(p) for p, _ in files.values()] + [str(good_wav)]
    code, out, err = run(capsys, ["caption", *paths, "--model", str(ckpt), "--json",
                                  "--max-length", "3"])
    assert code == 1
    assert [strict_json(line)["path"] for line in out] == [str(good_wav)]
    assert err[-1] == f"aacap caption: {len(files)} of {len(paths)} inputs failed"
    assert len(err) == len(files) + 1 and not any("Traceback" in e for e in err)
    for (path, fragment), line in zip(files.values(), err):
        assert line.startswith(f"aacap caption: skipped {path}: ") and fragment in line, line


def test_truncated_file_says_how_much_was_read(tmp_path: Path) -> None:
    files = _bad_files(tmp_path)
    path, _ = files["cut flac"]  # the first third of the bytes of 4 s
    with pytest.raises(ValueError, match=r"stopped after \d\.\d\d s of the 4\.00 s") as err:
        read_audio(path, RATE)
    read_s = float(str(err.value).split("stopped after ")[1].split(" s")[0])
    assert 1.0 <= read_s <= 1.4
    with pytest.raises(ValueError, match=r"only [\d,]+ \(33%, 1\.33 s\)"):
        read_audio(files["cut wav"][0], RATE)


def test_huge_amplitude_is_scaled_to_full_scale(capsys, tmp_path: Path, ckpt: Path) -> None:
    """The amplitude rule: finite samples at 1e30 are scaled so the peak is 1, giving the
    caption of the same recording at peak 1; the JSON is valid. A small overshoot (peak 1.4,
    as MP3 decoding gives) is left as it is."""
    x = tone(1.0, RATE)
    sf.write(tmp_path / "loud.wav", x * np.float32(1e30) / np.abs(x).max(), RATE, subtype="FLOAT")
    sf.write(tmp_path / "unit.wav", x / np.abs(x).max(), RATE, subtype="FLOAT")
    np.testing.assert_allclose(read_audio(tmp_path / "loud.wav", RATE).samples,
                               read_audio(tmp_path / "unit.wav", RATE).samples, atol=1e-6)
    over = x / np.abs(x).max() * np.float32(1.4)
    np.testing.assert_array_equal(read_audio(over, RATE).samples, over)
    code, out, _ = run(capsys, ["caption", str(tmp_path / "loud.wav"), str(tmp_path / "unit.wav"),
                                "--model", str(ckpt), "--json", "--method", "greedy"])
    loud, unit = (strict_json(line) for line in out)
    assert code == 0 and loud["caption"] == unit["caption"]


def test_mismatched_checkpoints_one_line(capsys, tmp_path: Path, ckpt: Path,
                                         good_wav: Path) -> None:
    data = torch.load(ckpt, weights_only=True)
    more_words = {**data, "vocab": data["vocab"] + ["zebra", "xylophone"]}
    torch.save(more_words, tmp_path / "vocab.pt")
    wider = {**data, "config": {**data["config"], "d_model": 24}}
    torch.save(wider, tmp_path / "shape.pt")
    broken = {**data, "config": {**data["config"], "encoder": "nonexistent"}}
    torch.save(broken, tmp_path / "config.pt")
    for name, message in [("vocab", "of 309 tokens: "), ("shape", "the config makes"),
                          ("config", "its config does not build a model")]:
        code, out, err = run(capsys, ["caption", str(good_wav), "--model",
                                      str(tmp_path / f"{name}.pt")])
        assert code == 2 and out == [] and len(err) == 1 and message in err[0], err


# -- streaming -------------------------------------------------------------------------------

def test_caption_streams_batch_by_batch(tmp_path: Path, ckpt: Path, monkeypatch) -> None:
    """The first captions come out before the later files are opened."""
    import aacap.captioning.protocol as captioner_module

    paths = []
    for i in range(6):
        paths.append(tmp_path / f"c{i}.wav")
        sf.write(paths[-1], tone(0.5, RATE, seed=i), RATE)
    opened: list[str] = []
    real = captioner_module.prepare_audio
    monkeypatch.setattr(captioner_module, "prepare_audio",
                        lambda p, sr, *rest: opened.append(str(p)) or real(p, sr, *rest))
    model = load_model(ckpt)
    stream = caption_paths(model, paths, 2, model.decoding_options(max_length=3))
    first_path, first = next(stream)
    assert first_path == str(paths[0]) and opened == [str(paths[0]), str(paths[1])]
    assert [p for p, _ in stream] == [str(p) for p in paths[1:]] and len(opened) == 6


def test_long_file_is_streamed_in_chunks_with_the_same_caption(tmp_path: Path,
                                                               ckpt: Path) -> None:
    """A 70 s file read in streamed chunks (resampled from 44.1 kHz on the fly) gives the
    caption and log-probabilities of the same samples given as one array."""
    x = (0.1 * np.random.default_rng(0).standard_normal(44100 * 70)).astype(np.float32)
    sf.write(tmp_path / "long.wav", x, 44100, subtype="FLOAT")
    model = load_model(ckpt)
    (streamed,) = model.caption([tmp_path / "long.wav"], max_length=5)
    (array,) = model.caption([x], sample_rate=44100, max_length=5)
    assert streamed.caption == array.caption and streamed.duration_s == 70.0
    np.testing.assert_allclose([lp for _, lp in streamed.candidates],
                               [lp for _, lp in array.candidates], rtol=1e-5)
    file = AudioFile(tmp_path / "long.wav").scan()
    windows = list(file.windows(RATE, [(0, 10**6), (10**6, 3 * 10**6)]))
    assert abs(sum(len(w) for w in windows) - file.num_samples(RATE)) <= 1  # to the end, no gap
    np.testing.assert_array_equal(np.concatenate(windows), file.read(RATE)[: 3 * 10**6][
        : sum(len(w) for w in windows)])


# -- batch ------------------------------------------------------------------------------------

@pytest.mark.timeout(120)
def test_batch_resume_keys_on_the_resolved_path(tmp_path: Path, ckpt: Path, monkeypatch,
                                                capsys) -> None:
    clips = tmp_path / "d"
    clips.mkdir()
    for i in range(3):
        sf.write(clips / f"c{i}.wav", tone(0.5, RATE, seed=i), RATE)
    os.mkfifo(clips / "pipe.wav")
    (clips / "dir.wav").mkdir()
    (clips / "loop.flac").symlink_to(clips / "loop.flac")
    out = tmp_path / "out.jsonl"
    monkeypatch.chdir(tmp_path)
    args = ["--out", str(out), "--model", str(ckpt), "--max-length", "3", "--no-progress"]
    code, stdout, _ = run(capsys, ["batch", "d", *args])
    assert code == 1 and "3 captioned, 3 failed, 0 already done" in stdout[0]
    errors = [strict_json(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    reasons = sorted(e["error"].split(": ", 1)[1][:20] for e in errors)
    assert reasons == ["is a directory, not ", "is a named pipe (FIF", "symbolic link loop; "]
    lines = out.read_text().splitlines()
    code, stdout, _ = run(capsys, ["batch", f"{clips.resolve()}/", *args])
    assert "0 captioned, 0 failed, 6 already done" in stdout[0]
    assert out.read_text().splitlines() == lines  # nothing written twice


def test_decoder_memory_is_pooled_to_a_bound() -> None:
    """Past MAX_MEMORY_FRAMES the frames are averaged in neighbouring groups: the length is
    the bound, a constant signal stays the same, and shorter memories are untouched."""
    from aacap.captioning.neural import MAX_MEMORY_FRAMES, pool_frames

    x = torch.randn(1, 3 * MAX_MEMORY_FRAMES + 7, 4)
    assert pool_frames(x, MAX_MEMORY_FRAMES).shape == (1, MAX_MEMORY_FRAMES, 4)
    short = x[:, :100]
    assert pool_frames(short, MAX_MEMORY_FRAMES) is short
    flat = torch.full((1, 10_000, 3), 0.25)
    torch.testing.assert_close(pool_frames(flat, 4096), torch.full((1, 4096, 3), 0.25))
    pairs = torch.arange(8.0).reshape(1, 8, 1)
    assert pool_frames(pairs, 4).flatten().tolist() == [0.5, 2.5, 4.5, 6.5]
