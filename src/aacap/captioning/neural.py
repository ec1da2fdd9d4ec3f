"""`NeuralCaptioner`: a `CaptionModel` (encoder + decoder) behind the `Captioner` protocol,
decoding with `aacap.decoding`; long inputs are encoded in chunks of `LONG_CLIP_S`."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch

from ..audio import LONG_CLIP_S, Audio, AudioFile, AudioSource, chunk_bounds, source_path
from ..deadline import check_deadline
from ..decoders.precision import reduced_precision
from ..decoding import Candidate, DecodingOptions, decode, decoding_options_from_kwargs
from ..model import CaptionModel, Memory, batch_waves
from .protocol import CaptionResult, as_batch, check_options_given_once, open_input


class NeuralCaptioner:
    """Captions audio with a `CaptionModel` and the decoding family of `aacap.decoding`.

    The model is put in inference form (eval mode; CNN14's batchnorms folded into its convs):
    hand it a model you will not train further."""

    def __init__(
        self,
        model: CaptionModel,
        name: str,
        batch_size: int = 16,
        default_options: dict[str, Any] | None = None,
    ) -> None:
        self.model = model.eval()
        if hasattr(model.encoder, "optimize_for_inference"):  # folded batchnorms, channels_last
            model.encoder.optimize_for_inference()
        self._fp32_decoder = model.decoder
        self.name = name
        self.batch_size = batch_size
        self.default_options = dict(default_options or {})  # under the caller's options
        self.resampler = model.config.resampler

    def use_precision(self, precision: str) -> None:
        """Decode in `precision`: "fp32" (the model's own), "int8" (dynamic int8 linear and
        LSTM layers) or "bf16" (CPUs with AMX only); see `aacap.decoders.precision`. Faster
        decoding; captions may differ from fp32's (benchmarks/decoders.py measures both).
        Raises `ValueError` for a precision this CPU does not offer."""
        self.model.decoder = reduced_precision(self._fp32_decoder, precision)

    @property
    def sample_rate(self) -> int:
        return self.model.sample_rate

    def decoding_options(self, options: DecodingOptions | None = None, **fields: Any
                         ) -> DecodingOptions:
        """`fields` over the model's default options (or the complete `options`), validated,
        also against this model (beam size and candidates within its vocabulary, a task token
        it knows). Raises a one-line `ValueError` naming the field."""
        check_options_given_once(options, fields)
        decoding = options or decoding_options_from_kwargs(**{**self.default_options, **fields})
        decoding.check_vocabulary(len(self.model.vocab))
        self.model.vocab.bos_for(decoding.task)  # an unknown task raises here
        return decoding

    def caption(
        self,
        inputs: AudioSource | Sequence[AudioSource],
        *,
        sample_rate: int | None = None,
        first_index: int = 0,
        options: DecodingOptions | None = None,
        **fields: Any,
    ) -> CaptionResult | list[CaptionResult]:
        """Caption each input (path, waveform at `sample_rate`, `AudioFile`, decoded `Audio`); one
        input alone gets one result. Raises `AudioError` on the first unreadable input, before any
        model work. Decoding: `options`, or `DecodingOptions` fields (beam_size=3, ...) over the
        model's defaults. `first_index` is the position of `inputs[0]` in a larger job: sampling
        seeds each clip from (seed, position), so a clip gets the same samples however the job is
        split. Inputs longer than `LONG_CLIP_S` are streamed and encoded in chunks of that length,
        so memory does not grow with them."""
        decoding = self.decoding_options(options, **fields)
        inputs, single = as_batch(inputs)
        sources = [open_input(x, self.sample_rate, sample_rate, self.resampler) for x in inputs]
        results: list[CaptionResult] = []
        batch: list[Audio] = []
        for index, source in enumerate(sources):
            if isinstance(source, Audio) and len(source.samples) <= self._chunk:
                batch.append(source)
                if len(batch) == self.batch_size:
                    results += self._caption_batch(batch, decoding, first_index + len(results))
                    batch = []
                continue
            if batch:
                results += self._caption_batch(batch, decoding, first_index + len(results))
                batch = []
            results.append(self._caption_long(source, decoding, first_index + index))
        if batch:
            results += self._caption_batch(batch, decoding, first_index + len(results))
        return results[0] if single else results

    @property
    def _chunk(self) -> int:
        return round(LONG_CLIP_S * self.sample_rate)

    def _caption_batch(self, clips: list[Audio], decoding: DecodingOptions, first_index: int
                       ) -> list[CaptionResult]:
        """Clips of at most `LONG_CLIP_S`, encoded and decoded together."""
        t0 = time.perf_counter()
        wave, lengths = batch_waves([torch.from_numpy(c.samples) for c in clips])
        check_deadline()
        nbest = encode_decode(self.model, wave, lengths, decoding, first_index=first_index)
        share = (time.perf_counter() - t0) / len(clips)
        return [_result(clip.path, cands, clip.duration_s, share)
                for clip, cands in zip(clips, nbest)]

    def _caption_long(self, source: Audio | AudioFile, decoding: DecodingOptions,
                      first_index: int) -> CaptionResult:
        """One long clip: encoded chunk by chunk (streamed from its file), then decoded over
        the concatenated frames, pooled to at most `MAX_MEMORY_FRAMES`. Peak memory: one
        chunk's activations plus the frames, whatever the length."""
        t0 = time.perf_counter()
        if isinstance(source, Audio):
            bounds = chunk_bounds(len(source.samples), self._chunk)
            chunks: Iterator[np.ndarray] = (source.samples[a:b] for a, b in bounds)
        else:
            bounds = chunk_bounds(source.num_samples(self.sample_rate), self._chunk)
            chunks = source.windows(self.sample_rate, bounds)
        frames, samples = [], 0
        with torch.inference_mode():
            for chunk in chunks:
                if len(chunk) == 0:
                    continue
                check_deadline()
                samples += len(chunk)
                wave = torch.from_numpy(np.ascontiguousarray(chunk))[None]
                memory = self.model.encode(wave, torch.tensor([len(chunk)]))
                frames.append(memory.frames[:, : int(memory.mask.sum())])
            joined = pool_frames(torch.cat(frames, dim=1), MAX_MEMORY_FRAMES)  # (1, T, d)
            memory = Memory(joined, torch.ones(joined.shape[:2], dtype=torch.bool))
            (cands,) = decode(self.model, memory, decoding, first_index=first_index)
        return _result(source_path(source), cands, samples / self.sample_rate,
                       time.perf_counter() - t0)


@torch.inference_mode()
def encode_decode(model: CaptionModel, x: torch.Tensor, lengths: torch.Tensor,
                  options: DecodingOptions, *, from_frames: bool = False, first_index: int = 0
                  ) -> list[list[Candidate]]:
    """One batch through the model: waveforms (B, S) at `model.sample_rate` with lengths (B,)
    in samples (or, `from_frames`, encoder frames (B, T, out_dim) with frame counts (B,))
    encoded, then decoded: per clip, its candidates best first. The one encode -> decode step
    of captioning (and so `aacap evaluate-model`) and of training's validation."""
    memory = model.encode_frames(x, lengths) if from_frames else model.encode(x, lengths)
    return decode(model, memory, options, first_index=first_index)


MAX_MEMORY_FRAMES = 4096  # frames the decoder attends to at most (its per-beam caches grow with
# them): about 21 min of CNN14 frames, 11 min of LAS frames; longer recordings are pooled


def pool_frames(frames: torch.Tensor, limit: int) -> torch.Tensor:
    """(1, T, d) -> (1, min(T, limit), d): when T exceeds `limit`, neighbouring frames are
    averaged (adaptive average pooling over time), so the decoder's memory, and so its
    cross-attention caches, stay bounded whatever the recording's length."""
    if frames.shape[1] <= limit:
        return frames
    return torch.nn.functional.adaptive_avg_pool1d(frames.transpose(1, 2), limit).transpose(1, 2)


def _result(path: str | None, cands: list[Candidate], duration_s: float, timing_s: float
            ) -> CaptionResult:
    return CaptionResult(
        path=path,
        caption=cands[0].caption if cands else "",
        candidates=[(c.caption, float(c.logprob)) for c in cands],
        duration_s=duration_s,
        timing_s=timing_s,
    )
