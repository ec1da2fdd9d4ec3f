"""Audio input: any file soundfile reads (else FFmpeg through PyAV, `audio_av.py`: m4a, mp4,
webm, ...), or an array, to mono float32 at the model's rate.

Every failure is an `AudioError` whose message is one line naming the input, what is wrong
(no such file, not a regular file, not audio, empty, truncated, NaN samples) and what to do;
its kinds `NotAudioError` (no decoder reads it) and `TooLongError` (past a reader's `max_s`)
let the service answer 415 and 413 where other bad audio is a 400.

Files are checked before they are opened: only regular files are read, so a named pipe, a
device, a directory named `x.wav` or a symlink loop is refused at once instead of blocking.
Long files need not be read whole: `AudioFile.windows` streams them in blocks (soundfile
blocks, resampled with soxr's streaming resampler), so memory does not grow with the length.

The amplitude rule (one rule for every input, file or array, whole or streamed):
- a recording with any NaN or infinite sample is refused (`AudioError`);
- a recording whose peak exceeds `MAX_PEAK` (100 times full scale: no real recording does,
  a float WAV with samples at 1e30 does) is scaled as a whole so that its peak is exactly 1;
  anything below is untouched (MP3 decoders and float mixes overshoot full scale a little).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Union

import numpy as np
import soundfile as sf
import soxr

from .audio_av import INSTALL_HINT, AvError, AvHeader, AvSource, available, decode_blocks, probe
from .native_stderr import silenced_native_stderr

PANNS_SAMPLE_RATE = 32000  # Hz, PANNs / CoNeTTE encoders
YAMNET_SAMPLE_RATE = 16000  # Hz, YAMNet
MAX_PEAK = 100.0  # |sample| above which a recording is scaled to peak 1 (full scale)
BLOCK_FRAMES = 2**18  # frames read per soundfile block while streaming (8 s at 32 kHz)
FORMATS_HELP = "use wav, flac, ogg, opus, mp3, m4a, aac, mp4 or webm"  # with PyAV installed
FORMATS_HELP_NO_AV = f"use wav, flac, ogg, opus or mp3 (m4a, aac, mp4, webm: {INSTALL_HINT})"
ESTIMATED_LENGTH = {"MP3", "MPEG"}  # formats whose header frame count is an estimate (MP3)
# How a model wants its audio brought to its rate; its config names one (`ModelConfig.resampler`).
RESAMPLERS = (
    "soxr",  # channel mean, then soxr high quality (every aacap preset)
    "torchaudio-sinc",  # each channel through torchaudio 0.13.1's sinc resample, then the mean (CoNeTTE)
)


class AudioError(ValueError):
    """Bad audio input; `str(err)` is a one-line message for the user."""


class NotAudioError(AudioError):
    """Input that no installed decoder reads: text, or a format neither libsndfile nor FFmpeg
    recognises."""


class TooLongError(AudioError):
    """A recording longer than its reader's limit (`AudioFile(..., max_s=...)`)."""


@dataclass(frozen=True)
class Audio:
    """A decoded clip: mono float32 samples at `sample_rate`, and where it came from."""

    samples: np.ndarray  # (num_samples,) float32
    sample_rate: int  # Hz
    source: str  # how messages name it: a file's path or name, or "<array of shape (N,)>"
    path: str | None = None  # the file it was decoded from; None for in-memory input

    def __post_init__(self) -> None:
        """The checks that cost nothing: one channel, float32, non-empty, a positive rate.
        (Finiteness is checked where samples are decoded or converted: `read_audio`.)"""
        samples = self.samples
        if not isinstance(samples, np.ndarray) or samples.ndim != 1 or samples.dtype != np.float32:
            raise AudioError(f"{self.source}: an Audio holds mono float32 samples of shape "
                             f"(num_samples,), got {getattr(samples, 'dtype', type(samples).__name__)} "
                             f"{np.shape(samples)}; pass the array itself to have it converted")
        if samples.size == 0:
            raise AudioError(f"{self.source}: contains no samples (zero length); pass a "
                             "non-empty recording")
        if self.sample_rate <= 0:
            raise AudioError(f"{self.source}: invalid sample rate {self.sample_rate}")

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate



def source_path(source: Audio | AudioFile) -> str | None:
    """The file a decoded clip or an `AudioFile` reads; None for in-memory input (an array,
    the bytes of an upload)."""
    if isinstance(source, Audio):
        return source.path
    return None if source.path is None else source.name


def check_regular_file(path: Path) -> None:
    """Refuse, without opening it, anything but an existing regular file (symlinks followed):
    a missing path, a directory, a FIFO, a socket, a device or a symlink loop."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise AudioError(f"{path}: symbolic link loop; point the link at an audio file"
                             ) from None
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            raise AudioError(f"{path}: no such file; check the path") from None
        raise AudioError(f"{path}: cannot be read ({err.strerror}); check its permissions"
                         ) from None
    if stat.S_ISREG(mode):
        return
    kind = ("a directory, not an audio file; pass the files inside it" if stat.S_ISDIR(mode)
            else "a named pipe (FIFO), not a regular file; save the audio to a file first"
            if stat.S_ISFIFO(mode)
            else "a socket or device, not a regular file; save the audio to a file first")
    raise AudioError(f"{path}: is {kind}")


class AudioFile:
    """An audio file, or the bytes of one, checked and opened for reading: its header, then
    whole or in windows.

    `AudioFile(path)` refuses non-regular files, files that are not audio, empty recordings
    and files cut short whose format says so (WAV data chunk, Ogg end-of-stream page), with an
    `AudioError`. Reading also refuses a file whose decoding stops before the frame count of
    its header (a cut FLAC), saying how much was read. `AudioFile(data, name=...)` reads the
    bytes of a file (an upload), named `name` in messages. With `max_s`, a recording longer
    than `max_s` seconds is a `TooLongError`: from its header when it announces more, else as
    soon as reading passes it.
    """

    def __init__(self, source: str | Path | bytes, *, name: str | None = None,
                 max_s: float | None = None) -> None:
        self.max_s = max_s
        if isinstance(source, bytes):
            self._data, self.path, size = source, None, len(source)
            self.name = name or f"<{size} bytes>"  # how messages name the input
        else:
            self._data, self.path = None, Path(source)
            self.name = name or str(self.path)
            check_regular_file(self.path)
            size = self.path.stat().st_size
        if size == 0:
            raise AudioError(f"{self.name}: empty file (0 bytes); not a recording")
        self._av: AvHeader | None = None  # set when FFmpeg (PyAV) decodes what libsndfile cannot
        self._av_decoded: list[np.ndarray] | None = None  # bytes FFmpeg decoded to count frames
        self._spilled: Any = None  # the temporary file of bytes libsndfile reads only from a file
        try:
            with self._open() as f:
                self.frames, self.rate, self.channels = f.frames, f.samplerate, f.channels
                log, self._exact = f.extra_info, f.format not in ESTIMATED_LENGTH
        except (sf.LibsndfileError, RuntimeError, TypeError, EOFError) as err:
            self._av, self._av_decoded = av_fallback(self._source, self.name, self._head(), err,
                                                     max_s, keep=self._data is not None)
            self.frames, self.rate, self.channels = (self._av.frames, self._av.rate,
                                                     self._av.channels)
            log, self._exact = "", False
        if self.rate <= 0:
            raise AudioError(f"{self.name}: invalid sample rate {self.rate}; re-export the file")
        if self.frames <= 0:
            raise AudioError(f"{self.name}: contains no audio samples ({size} bytes, a header "
                             "with 0 frames); pass a non-empty recording")
        cut = truncation_in_log(log, self.frames, self.rate)
        if cut:
            raise AudioError(f"{self.name}: truncated: {cut}; the file was cut short, copy or "
                             "export it again")
        if max_s is not None and self.frames > max_s * self.rate:
            raise self._too_long()
        self.gain = 1.0  # set by `scan`: the amplitude rule's factor
        self.block_frames = BLOCK_FRAMES  # frames read at a time (soundfile; FFmpeg has its own)

    @property
    def _source(self) -> AvSource:
        return self._data if self._data is not None else self.path

    def _head(self) -> bytes:
        """The first bytes of the input (what `not_audio_reason` describes)."""
        if self._data is not None:
            return self._data[:512]
        with open(self.path, "rb") as f:
            return f.read(512)

    def _open(self) -> sf.SoundFile:
        if self._data is None:
            return open_soundfile(self.path)
        if self._spilled is None:  # first open: from memory, else from a temporary file kept
            f, self._spilled = open_bytes(self._data, self.name)
            return f
        return _open_spilled(self._spilled.name, self._data[:3] == b"ID3")

    def _too_long(self) -> TooLongError:
        """Past `max_s`: its duration when the header gives it exactly, else "more than"."""
        if self._exact:
            return TooLongError(f"{self.name}: {self.duration_s:.1f} s of audio exceeds the "
                                f"limit of {self.max_s:g} s; cut the recording into parts")
        return TooLongError(f"{self.name}: more than {self.max_s:g} s of audio, the limit; "
                            "cut the recording into parts")

    @property
    def duration_s(self) -> float:
        """Duration announced by the header, seconds."""
        return self.frames / self.rate

    def num_samples(self, target_sr: int) -> int:
        """Samples at `target_sr` (as the resampler gives them, to within a sample)."""
        return round(self.frames * target_sr / self.rate)

    def _mono_blocks(self) -> Iterator[np.ndarray]:
        """Mono float32 blocks at the file's rate, NaN/Inf refused; reading stopped early is a
        truncation error naming how much was read."""
        for block in self._blocks():
            yield _mono(block, self.name)

    def _blocks(self) -> Iterator[np.ndarray]:
        """(frames, channels) float32 blocks at the file's rate; reading stopped early is a
        truncation error naming how much was read, reading past `max_s` a `TooLongError`."""
        read, announced_s = 0, self.duration_s  # a pass through FFmpeg resets `frames`
        for block in self._av_blocks() if self._av is not None else self._sf_blocks():
            read += len(block)
            if self.max_s is not None and read > self.max_s * self.rate:
                raise self._too_long()
            yield block
        if not read:
            raise AudioError(f"{self.name}: contains no audio samples (its header announces "
                             f"{announced_s:.2f} s but none decode); pass a non-empty "
                             "recording")

    def _sf_blocks(self) -> Iterator[np.ndarray]:
        """`_blocks` through libsndfile."""
        read = 0
        try:
            with self._open() as f:
                for block in read_blocks(f, self.block_frames):
                    read += len(block)
                    yield block
        except (sf.LibsndfileError, RuntimeError) as err:
            with self._open() as f:
                read = decodable_frames(f)
            raise AudioError(self._truncated(read, _libsndfile_reason(err))) from None
        if self._exact and read < self.frames:
            raise AudioError(self._truncated(read, "the data ends early"))

    def _av_blocks(self) -> Iterator[np.ndarray]:
        """`_blocks` through FFmpeg. Its header's frame count is an estimate: a whole pass
        sets `frames` to what was decoded."""
        read = 0
        if self._av_decoded is not None:  # decoded already, to count the frames of an upload
            yield from self._av_decoded
            return
        try:
            for block in decode_blocks(self._source, self.rate, self.channels):
                read += len(block)
                yield block
        except AvError as err:
            raise AudioError(self._truncated(read, str(err))) from None
        self.frames = read

    def _truncated(self, read: int, why: str) -> str:
        return (f"{self.name}: truncated or corrupt: decoding stopped after {read / self.rate:.2f} "
                f"s of the {self.duration_s:.2f} s its header announces ({why}); copy or export "
                "the file again")

    def scan(self) -> AudioFile:
        """Read the file once, checking every sample (NaN/Inf, truncation) and setting `gain`
        by the amplitude rule. Returns self."""
        peak = 0.0
        for block in self._mono_blocks():
            peak = max(peak, float(np.abs(block).max(initial=0.0)))
        self.gain = _gain(peak)
        return self

    def read(self, target_sr: int, resampler: str = "soxr") -> np.ndarray:
        """The whole recording: mono float32 (num_samples,) at `target_sr`, in one pass, brought
        there by `resampler` (one of `RESAMPLERS`)."""
        _check_resampler(resampler)
        if resampler == "torchaudio-sinc":
            return _sinc_mono(np.concatenate(list(self._blocks())), self.rate, target_sr,
                              self.name)
        mono = np.concatenate(list(self._mono_blocks()))
        mono *= np.float32(_gain(float(np.abs(mono).max(initial=0.0))))
        return _resample(mono, self.rate, target_sr)

    def head(self, target_sr: int, num_samples: int) -> np.ndarray:
        """The first `num_samples` at `target_sr` (mono float32; all of it when shorter), read
        in one block of the frames they need plus the resampler's margin: the rest of the file
        is not decoded. (An empty second window keeps the first from being the last, which
        reaches a second further.)"""
        self.block_frames = -(-num_samples * self.rate // target_sr) + 1024
        with contextlib.closing(self.windows(target_sr, [(0, num_samples),
                                                         (num_samples, num_samples)])) as windows:
            return next(windows)

    def windows(self, target_sr: int, bounds: Sequence[tuple[int, int]]) -> Iterator[np.ndarray]:
        """Stream the windows `bounds` ([start, end) samples at `target_sr`, starts increasing)
        as mono float32 arrays. Memory holds one block and one window, whatever the length.
        Call `scan` first for the amplitude rule; a window reaching past the end is cut. The
        last window may reach up to one second past its bound (`num_samples` is the length to
        within the resampler's rounding), so it always ends where the recording does.
        Streamed windows are always resampled with soxr (CoNeTTE's sinc resampler needs the
        whole recording; long recordings are streamed to bound memory)."""
        resampler = None if self.rate == target_sr else soxr.ResampleStream(
            self.rate, target_sr, 1, dtype="float32", quality="HQ")
        buffer, offset, index = np.zeros(0, np.float32), 0, 0  # buffer[0] is sample `offset`
        gain = np.float32(self.gain)

        def ready(final: bool) -> Iterator[np.ndarray]:
            nonlocal buffer, offset, index
            while index < len(bounds):
                start, end = bounds[index]
                if index == len(bounds) - 1:
                    end += target_sr  # the resampler's rounding (see above)
                if offset + len(buffer) < end and not final:
                    break
                yield buffer[max(0, start - offset): max(0, end - offset)].copy()
                index += 1
                if index < len(bounds):  # drop what no later window needs
                    keep = max(0, bounds[index][0] - offset)
                    buffer, offset = buffer[keep:], offset + keep

        for block in self._mono_blocks():
            if gain != 1.0:
                block = block * gain
            if resampler is not None:
                block = resampler.resample_chunk(block, last=False)
            buffer = np.concatenate([buffer, block])
            yield from ready(final=False)
        if resampler is not None:
            buffer = np.concatenate([buffer, resampler.resample_chunk(
                np.zeros(0, np.float32), last=True)])
        yield from ready(final=True)


AudioSource = Union[str, Path, np.ndarray, AudioFile, Audio]


def load_audio(source: AudioSource, target_sr: int, source_sr: int | None = None,
               resampler: str = "soxr") -> np.ndarray:
    """Read `source` and return mono float32 samples at `target_sr` Hz, shape (num_samples,).

    `source` is a path to any format soundfile reads (wav, flac, ogg/vorbis, opus, mp3) or,
    with PyAV installed, FFmpeg reads (m4a/AAC, mp4, webm, mkv, ...; `audio_av.py`), or an
    array of shape (num_samples,) or (num_samples, channels) whose rate `source_sr` defaults to
    `target_sr`. With `resampler="soxr"` channels are averaged, then the rate is converted with
    soxr (high quality); with `"torchaudio-sinc"` each channel is resampled as torchaudio 0.13.1
    does (`aacap.resample`), then averaged, as CoNeTTE prepares its inputs. The amplitude rule
    of this module applies.
    """
    return read_audio(source, target_sr, source_sr, resampler).samples


def read_audio(source: AudioSource, target_sr: int, source_sr: int | None = None,
               resampler: str = "soxr") -> Audio:
    """Like `load_audio`, keeping the source name and rate in an `Audio`."""
    _check_resampler(resampler)
    if isinstance(source, Audio):  # decoded and checked already
        if source.sample_rate == target_sr:
            return source
        return replace(read_audio(source.samples, target_sr, source.sample_rate, resampler),
                       source=source.source, path=source.path)
    if isinstance(source, (str, Path)):
        source = AudioFile(source)
    if isinstance(source, AudioFile):
        return Audio(source.read(target_sr, resampler), target_sr, source.name,
                     source_path(source))
    name = array_name(source)
    data, rate = np.asarray(source), int(source_sr or target_sr)
    if data.ndim == 2 and data.shape[0] < data.shape[1] and data.shape[0] <= 8:
        data = data.T  # (channels, samples) -> (samples, channels)
    if data.dtype.kind not in "fiu":
        raise AudioError(f"{name}: samples must be numbers, got dtype {data.dtype}")
    if data.ndim not in (1, 2):
        raise AudioError(f"{name}: expected (samples,) or (samples, channels), got {data.shape}")
    if rate <= 0:
        raise AudioError(f"{name}: invalid sample rate {rate}")
    if data.dtype.kind in "iu":
        data = data.astype(np.float32) / np.iinfo(data.dtype).max
    mono = _mono(data if data.ndim == 2 else data[:, None], name)
    if mono.size == 0:
        raise AudioError(f"{name}: contains no samples (zero length); pass a non-empty recording")
    if resampler == "torchaudio-sinc":
        channels = data if data.ndim == 2 else data[:, None]
        return Audio(_sinc_mono(channels.astype(np.float32, copy=False), rate, target_sr, name),
                     target_sr, name)
    gain = _gain(float(np.abs(mono).max()))
    if gain != 1.0:
        mono = mono * np.float32(gain)
    return Audio(_resample(mono, rate, target_sr), target_sr, name)


def _check_resampler(resampler: str) -> None:
    if resampler not in RESAMPLERS:
        raise ValueError(f"unknown resampler {resampler!r}; choose one of {', '.join(RESAMPLERS)}")


def _sinc_mono(data: np.ndarray, rate: int, target_sr: int, name: str) -> np.ndarray:
    """CoNeTTE's order: resample each channel of (frames, channels) `data` with torchaudio
    0.13.1's sinc (`aacap.resample`), then take the channel mean; the amplitude rule applies
    as for soxr (NaN/Inf refused, a peak above `MAX_PEAK` scaled to 1)."""
    import torch  # only CoNeTTE models resample with torch; soxr paths never import it here

    from .resample import sinc_resample

    mono = _mono(data, name)  # NaN/Inf check
    gain = np.float32(_gain(float(np.abs(mono).max(initial=0.0))))
    channels = torch.from_numpy(np.ascontiguousarray(data.T * gain, dtype=np.float32))
    out = sinc_resample(channels, rate, target_sr).mean(dim=0)  # (channels, S) -> (S,)
    return np.ascontiguousarray(out.numpy(), dtype=np.float32)


def array_name(array: np.ndarray) -> str:
    """How messages name an in-memory array."""
    return f"<array of shape {tuple(np.shape(array))}>"


def _mono(block: np.ndarray, name: str) -> np.ndarray:
    """(frames, channels) float -> (frames,) float32 mean, computed in float64 so that samples
    near the float32 limit do not overflow; NaN or infinite samples are an `AudioError`."""
    if block.shape[1] == 1:
        mono = np.asarray(block[:, 0], dtype=np.float32)
    else:
        mono = block.mean(axis=1, dtype=np.float64).astype(np.float32)
    if not np.isfinite(mono).all():
        bad = int((~np.isfinite(mono)).sum())
        raise AudioError(f"{name}: contains {bad} NaN or infinite sample(s); the recording is "
                         "corrupt, export it again")
    return mono


def _gain(peak: float) -> float:
    """The amplitude rule: 1 up to `MAX_PEAK`, else the factor bringing the peak to 1."""
    return 1.0 if peak <= MAX_PEAK else 1.0 / peak


def _resample(mono: np.ndarray, rate: int, target_sr: int) -> np.ndarray:
    if rate != target_sr:
        mono = soxr.resample(mono, rate, target_sr, quality="HQ").astype(np.float32)
    return np.ascontiguousarray(mono, dtype=np.float32)


_SHOULD_BE = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)


def truncation_in_log(log: str, frames: int, rate: int) -> str:
    """What libsndfile's header log says about a file cut short ("" if nothing)."""
    match = _SHOULD_BE.search(log)
    if match and int(match.group(2)) < int(match.group(1)):
        declared, present = int(match.group(1)), int(match.group(2))
        return (f"its header announces {declared:,} bytes of samples but only {present:,} "
                f"({100 * present / declared:.0f}%, {frames / rate:.2f} s) are in the file")
    if "Last page lacks an end-of-stream bit" in log:
        return (f"the Ogg stream stops without its last page after {frames / rate:.2f} s")
    return ""


def open_soundfile(path: Path) -> sf.SoundFile:
    """`sf.SoundFile(path)`, without libmpg123's ID3 warnings (printed by the C library on
    the process's stderr while it opens an MP3 with a malformed ID3 tag)."""
    with open(path, "rb") as f:
        tagged = f.read(3) == b"ID3"
    with silenced_native_stderr(tagged):
        return sf.SoundFile(str(path))


def av_fallback(source: AvSource, name: str, head: bytes, err: BaseException,
                max_s: float | None = None, keep: bool = False
                ) -> tuple[AvHeader, list[np.ndarray] | None]:
    """The header FFmpeg (PyAV) reads in `source` (a path or a file's bytes, `name` in
    messages, starting with `head`), which libsndfile refused with `err`; a `NotAudioError`
    naming the cause when FFmpeg cannot read it either (or is not installed, or the file is
    text, which is never handed to FFmpeg). A header without a duration (a WebM from a
    browser) has its frames counted by decoding, which stops past `max_s` seconds (the frames
    then counted are more than `max_s` allows); with `keep` (the bytes of an upload, bounded in
    size) the blocks so decoded come back too, else None."""
    refused = f"{name}: {not_audio_reason(head, err)}"
    if not available() or is_text(head):
        raise NotAudioError(refused)
    try:
        header = probe(source)
    except AvError:
        raise NotAudioError(refused) from None
    blocks: list[np.ndarray] | None = None
    if header.frames <= 0:
        limit, frames, blocks = (np.inf if max_s is None else max_s * header.rate), 0, []
        try:
            for block in decode_blocks(source, header.rate, header.channels):
                frames += len(block)
                if keep:
                    blocks.append(block)
                if frames > limit:
                    break
        except AvError as av_err:
            raise AudioError(f"{name}: {header.codec} audio that FFmpeg cannot decode ({av_err}); "
                             "copy or export the file again") from None
        header = AvHeader(header.rate, header.channels, frames, header.codec, header.container)
    return header, (blocks if keep else None)


def open_bytes(data: bytes, name: str) -> tuple[sf.SoundFile, Any]:
    """`sf.SoundFile` of the bytes of a file named `name`, and the temporary file holding them
    when one was needed (else None): libsndfile recognises some files (MP3 with an ID3 tag)
    only by their extension, so when the bytes alone fail, they are written once to a
    temporary file named with the suffix of `name`, which later opens reuse (it is deleted
    with the returned object)."""
    tagged = data[:3] == b"ID3"  # libmpg123's ID3 warnings are silenced
    try:
        with silenced_native_stderr(tagged):
            return sf.SoundFile(io.BytesIO(data)), None
    except sf.LibsndfileError:
        suffix = Path(name).suffix.lower()
        if not suffix or not suffix[1:].isalnum():
            raise
    tmp = tempfile.NamedTemporaryFile(suffix=suffix)
    tmp.write(data)
    tmp.flush()
    return _open_spilled(tmp.name, tagged), tmp


def _open_spilled(path: str, tagged: bool) -> sf.SoundFile:
    with silenced_native_stderr(tagged):
        return sf.SoundFile(path)


def read_blocks(f: sf.SoundFile, frames: int) -> Iterator[np.ndarray]:
    """(frames, channels) float32 blocks of the open file `f` until its data ends. Unlike
    `SoundFile.blocks`, which trusts the header's frame count (an estimate for MP3, whose
    blocks would then end in uninitialised memory), each block is what the decoder gave."""
    while len(block := f.read(frames, dtype="float32", always_2d=True)):
        yield block


def decodable_frames(f: sf.SoundFile, block: int = 1024) -> int:
    """How many frames of the open file `f` decode, read `block` at a time from the start
    until the decoder fails (the error path of a cut file; precise to `block` frames)."""
    f.seek(0)
    read = 0
    try:
        while chunk := len(f.read(block, dtype="float32")):
            read += chunk
    except (sf.LibsndfileError, RuntimeError):
        pass
    return read


def _libsndfile_reason(err: BaseException) -> str:
    return str(err).split("\n")[0].split(": ")[-1].strip(" .") or "unreadable"


def formats_help() -> str:
    """What to do with a file no decoder reads: the formats that this installation reads."""
    return FORMATS_HELP if available() else FORMATS_HELP_NO_AV


def is_text(head: bytes) -> bool:
    """Whether the first bytes of a file are printable UTF-8 text (line breaks allowed)."""
    text = head.replace(b"\r", b"").replace(b"\n", b"").replace(b"\t", b"")
    try:
        return head.decode("utf-8").isprintable() or text.decode("utf-8").isprintable()
    except UnicodeDecodeError:
        return False


def not_audio_reason(head: bytes, err: BaseException) -> str:
    """Why libsndfile refused a non-empty file starting with the bytes `head`, for the user."""
    if is_text(head):
        return f"is a text file, not audio (it starts {head[:24]!r}); {formats_help()}"
    reason = _libsndfile_reason(err)
    if "possibly a pipe" in reason or "does not exist" in reason:
        reason = "no audio format recognised"
    return f"not audio ({reason}; it starts with bytes {head[:8].hex(' ')}); {formats_help()}"


LONG_CLIP_S = 30.72  # s: longer recordings are streamed and encoded in chunks this long; a
# whole number of every encoder's frame hop (CNN14 0.32 s, LAS 0.16 s, YAMNet patches 0.48 s)


def prepare_audio(path: str | Path, target_sr: int, resampler: str = "soxr") -> Audio | AudioFile:
    """A file ready for captioning, every check done: decoded whole (`Audio` at `target_sr`)
    when it lasts at most `LONG_CLIP_S`, else scanned once (`AudioFile`, to be streamed).
    Raises `AudioError` naming the file and the cause."""
    file = AudioFile(path)
    if file.duration_s <= LONG_CLIP_S:
        return Audio(file.read(target_sr, resampler), target_sr, file.name, source_path(file))
    return file.scan()


def chunk_bounds(num_samples: int, size: int) -> list[tuple[int, int]]:
    """[start, end) chunks of `size` samples covering `num_samples`; a last chunk shorter than
    1/30 of `size` (about a second for `LONG_CLIP_S`) joins the one before it."""
    bounds = [(a, min(a + size, num_samples)) for a in range(0, max(num_samples, 1), size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < size // 30:
        bounds[-2:] = [(bounds[-2][0], bounds[-1][1])]
    return bounds
