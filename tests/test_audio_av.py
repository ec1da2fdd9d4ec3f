"""The FFmpeg (PyAV) fallback of `aacap.audio`: m4a/AAC, MP4 and WebM video soundtracks, MKV,
AC-3, encoded here by PyAV from a known signal; decoded samples match it; cut, random and text
files get one-line errors; without PyAV the error says how to install it; libmpg123's ID3
warning stays off stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from av_helpers import encode, signal

from aacap import audio_av
from aacap.audio import LONG_CLIP_S, AudioError, AudioFile, load_audio, prepare_audio

needs_av = pytest.mark.skipif(not audio_av.available(),
                              reason="PyAV (the `av` extra) is not installed")

RATE = 32000  # Hz: the rate we read at

CASES = {  # name: (container, audio codec, video codec)
    "memo.m4a": ("mp4", "aac", None),
    "movie.mp4": ("mp4", "aac", "mpeg4"),
    "clip.webm": ("webm", "libopus", "libvpx"),
    "music.mkv": ("matroska", "libopus", None),
    "dolby.ac3": ("ac3", "ac3", None),
}


@needs_av
@pytest.mark.parametrize("name", sorted(CASES))
def test_decodes_what_libsndfile_cannot(tmp_path: Path, name: str) -> None:
    fmt, codec, video = CASES[name]
    path = encode(tmp_path / name, fmt, codec, video=video)
    with pytest.raises(sf.LibsndfileError):
        sf.info(str(path))  # the fallback is what reads it
    got = load_audio(path, RATE)
    ref = signal(3.0, RATE, 1)[0]
    n = len(ref) - RATE // 10  # the codec's last frame may be cut or padded
    # a lossy codec may delay the signal by its priming samples: the best lag up to 50 ms
    errors = [np.sum((got[lag: lag + n] - ref[:n]) ** 2) for lag in range(RATE // 20)]
    snr = 10 * np.log10(np.sum(ref[:n] ** 2) / min(errors))
    assert snr > 35, f"{name}: SNR {snr:.1f} dB at lag {int(np.argmin(errors))}"
    assert abs(len(got) / RATE - 3.0) < 0.1  # duration within 0.1 s


@needs_av
def test_long_file_streams_like_it_reads_whole(tmp_path: Path) -> None:
    path = encode(tmp_path / "long.m4a", "mp4", "aac", seconds=LONG_CLIP_S + 5, rate=44100)
    file = prepare_audio(path, RATE)
    assert isinstance(file, AudioFile)  # longer than LONG_CLIP_S: scanned, to be streamed
    whole = AudioFile(path).read(RATE)
    assert file.num_samples(RATE) == pytest.approx(len(whole), abs=2)  # scan counted frames
    bounds = [(0, 10 * RATE), (10 * RATE, 20 * RATE), (20 * RATE, len(whole))]
    windows = list(file.windows(RATE, bounds))
    np.testing.assert_allclose(np.concatenate(windows), whole, atol=1e-4)


@needs_av
def test_webm_without_a_duration_is_counted(tmp_path: Path) -> None:
    """A browser's MediaRecorder writes WebM with no duration: the frames are counted."""
    path = encode(tmp_path / "rec.webm", "webm", "libopus", seconds=2.0, channels=1,
                  options={"live": "1"})
    assert audio_av.probe(path).frames == 0
    file = AudioFile(path)
    assert file.frames == 96000 and file.duration_s == 2.0  # 48 kHz, Opus padding trimmed
    assert len(file.read(RATE)) == 2 * RATE  # what was counted is what reads


@needs_av
def test_cut_random_and_text_files_are_one_line_errors(tmp_path: Path) -> None:
    data = encode(tmp_path / "a.m4a", "mp4", "aac").read_bytes()
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(data[: len(data) // 2])  # PyAV writes the index (moov) last: it is lost
    noise = tmp_path / "noise.m4a"
    noise.write_bytes(np.random.default_rng(0).bytes(4000))
    text = tmp_path / "notes.webm"
    text.write_text("#EXTM3U\nhttp://example.invalid/a.ts\n")  # a playlist: never given to FFmpeg
    for path, says in ((cut, "not audio"), (noise, "not audio"), (text, "is a text file")):
        with pytest.raises(AudioError) as err:
            AudioFile(path)
        message = str(err.value)
        assert message.startswith(f"{path}: {says}") and "\n" not in message
        assert "m4a" in message  # names the formats that are read


@needs_av
def test_without_pyav_the_error_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    path = encode(tmp_path / "a.m4a", "mp4", "aac")
    monkeypatch.setattr("aacap.audio.available", lambda: False)
    with pytest.raises(AudioError, match=r"pip install 'aacap\[av\]'"):
        AudioFile(path)


@needs_av
def test_probe_reads_the_header_and_refuses_a_silent_video(tmp_path: Path) -> None:
    import av

    header = audio_av.probe(encode(tmp_path / "a.m4a", "mp4", "aac", rate=44100, channels=1))
    assert (header.rate, header.channels, header.codec) == (44100, 1, "aac")
    assert abs(header.frames - 3 * 44100) < 0.05 * 44100
    out = av.open(str(tmp_path / "silent.mp4"), "w")
    v = out.add_stream("mpeg4", rate=5)
    v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
    for _ in range(5):
        out.mux(v.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), "rgb24")))
    out.mux(v.encode(None))
    out.close()
    with pytest.raises(audio_av.AvError, match="no audio stream"):
        audio_av.probe(tmp_path / "silent.mp4")


def test_id3_warning_of_libmpg123_stays_off_stderr(tmp_path: Path) -> None:
    """An MP3 behind an ID3v2 header of size 0: libmpg123 warns on descriptor 2 when it opens
    it (the control run shows it), aacap's reader does not let it through."""
    mp3 = tmp_path / "plain.mp3"
    sf.write(str(mp3), signal(1.0, RATE, 1)[0], RATE, format="MP3")
    tagged = tmp_path / "tagged.mp3"
    tagged.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + mp3.read_bytes())

    def stderr_of(code: str) -> str:
        run = subprocess.run([sys.executable, "-c", code, str(tagged)], capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stderr

    control = stderr_of("import sys, soundfile as sf; sf.SoundFile(sys.argv[1]).read()")
    assert "libmpg123" in control  # the warning exists: this test can fail
    ours = stderr_of("import sys; from aacap.audio import load_audio; "
                     "print(len(load_audio(sys.argv[1], 32000)))")
    assert ours == ""


def test_importing_aacap_does_not_load_pyav() -> None:
    """PyAV (and its FFmpeg) loads only when a file needs it (lhotse's rule: the package works
    without its optional dependencies)."""
    code = ("import sys, aacap, aacap.audio, aacap.serve.inputs, aacap.batch; "
            "print('av' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
