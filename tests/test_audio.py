from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.audio import AudioError, AudioFile, NotAudioError, TooLongError, load_audio, read_audio
from helpers import tone


@pytest.mark.parametrize("fmt,subtype", [("WAV", "PCM_16"), ("FLAC", "PCM_16"), ("OGG", "VORBIS"),
                                         ("OGG", "OPUS"), ("MP3", "MPEG_LAYER_III")])
def test_formats_read_and_resample(tmp_path: Path, fmt: str, subtype: str) -> None:
    rate = 48000
    stereo = np.stack([tone(1.0, rate), tone(1.0, rate, 880.0)], axis=1)
    path = tmp_path / f"clip.{fmt.lower()}"
    sf.write(path, stereo, rate, format=fmt, subtype=subtype)
    out = load_audio(path, 32000)
    assert out.dtype == np.float32 and out.ndim == 1
    assert abs(len(out) - 32000) < 0.06 * 32000  # lossy codecs pad a little
    assert 0.05 < np.abs(out).max() < 1.0


def test_resampling_keeps_a_tone() -> None:
    x = tone(1.0, 44100, 1000.0)
    y = load_audio(x, 16000, source_sr=44100)
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * 16000 / len(y) - 1000.0) < 2.0


def test_arrays_channels_first_and_int() -> None:
    x = (np.stack([tone(0.5), tone(0.5)]) * 32767).astype(np.int16)  # (2, samples)
    y = load_audio(x, 32000)
    assert y.shape == (16000,) and np.allclose(y, tone(0.5), atol=1e-3)


def test_silence_is_valid() -> None:
    assert not load_audio(np.zeros(800, np.float32), 32000).any()


@pytest.mark.parametrize(
    "make,needle",
    [
        (lambda d: d / "missing.wav", "no such file"),
        (lambda d: (d / "t.wav").write_text("not audio") and d / "t.wav", "text file, not audio"),
        (lambda d: d, "is a directory"),
    ],
)
def test_bad_files_one_line_errors(tmp_path: Path, make, needle: str) -> None:
    path = make(tmp_path)
    with pytest.raises(AudioError) as err:
        load_audio(path, 32000)
    message = str(err.value)
    assert needle in message and str(path) in message and "\n" not in message


def test_zero_length_and_nan(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match="no audio samples"):
        load_audio(empty, 32000)
    bad = tone(0.1)
    bad[5] = np.nan
    nan_file = tmp_path / "nan.wav"
    sf.write(nan_file, bad, 32000, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN"):
        load_audio(nan_file, 32000)


def test_read_audio_keeps_source(wav_file: Path) -> None:
    audio = read_audio(wav_file, 32000)
    assert audio.source == str(wav_file) and abs(audio.duration_s - 1.0) < 1e-3


def test_bytes_read_as_the_file_with_the_kinds_of_error(tmp_path: Path) -> None:
    path = tmp_path / "clip.flac"
    sf.write(path, np.stack([tone(2.0, 44100), tone(2.0, 44100, 880.0)], axis=1), 44100)
    clip = read_audio(AudioFile(path.read_bytes(), name="upload.flac"), 16000)
    assert clip.source == "upload.flac"
    np.testing.assert_array_equal(clip.samples, load_audio(path, 16000))
    assert read_audio(clip, 16000) is clip  # decoded and checked once
    with pytest.raises(TooLongError, match=r"upload.flac: 2.0 s of audio exceeds the limit of 1 s"):
        AudioFile(path.read_bytes(), name="upload.flac", max_s=1)
    with pytest.raises(NotAudioError, match="notes.txt: is a text file, not audio"):
        AudioFile(b"plain text, not audio", name="notes.txt")
    with pytest.raises(AudioError, match="<0 bytes>: empty file") as err:
        AudioFile(b"")
    assert not isinstance(err.value, (NotAudioError, TooLongError))


def test_bytes_read_only_from_a_file_are_written_to_one_once(monkeypatch) -> None:
    """An upload libsndfile reads only by its extension (an MP3 with an ID3 tag) is written to
    one temporary file, which every later open (reading, scanning, streaming) reuses."""
    import io
    import tempfile

    from aacap import audio as A

    buf = io.BytesIO()
    sf.write(buf, (0.1 * np.random.default_rng(0).standard_normal(16000)).astype(np.float32),
             16000, format="MP3")
    data = b"ID3\x03\x00\x00\x00\x00\x00\x00" + buf.getvalue()  # an empty ID3v2 tag first
    made = []
    real = tempfile.NamedTemporaryFile
    monkeypatch.setattr(A.tempfile, "NamedTemporaryFile", lambda **k: made.append(1) or real(**k))
    file = A.AudioFile(data, name="song.mp3")
    whole = file.read(16000)
    file.scan()
    windows = list(file.windows(16000, [(0, 8000), (8000, len(whole))]))
    assert len(made) == 1 and len(whole) == 16000
    np.testing.assert_array_equal(np.concatenate(windows)[: len(whole)], whole)
