"""The shapes of the service's answers, as pydantic models: `/openapi.json` and `/docs` show
them, and the tests check every live answer against them (`extra="forbid"`, so a field the
server adds without declaring it here fails a test).

The route itself returns the dicts of `CaptionResult.to_dict` / `SegmentedResult.to_dict` as
they are; these models document and check them, they are not a second serializer.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..decoding.options import METHODS

Method = Literal[METHODS]  # type: ignore[valid-type]  # the `method` enum of the API


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Candidate(_Strict):
    caption: str
    score: Optional[float] = Field(
        description="the ranking value, best first (null when not finite): the log-probability "
                    "for a neural model, a retrieval score for the default model")
    logprob: Optional[float] = Field(
        None, description="log-probability of the caption (neural models only; = score)")


class Tag(_Strict):
    name: str = Field(description="an AudioSet sound class")
    score: float = Field(ge=0, le=1, description="the class's probability in the clip")


class Segment(_Strict):
    start_s: float = Field(ge=0, description="start of the segment in the recording (s)")
    end_s: float = Field(ge=0, description="end of the segment (s), exclusive")
    caption: str
    candidates: list[Candidate]
    windows: int = Field(ge=1, description="windows merged into this segment (equal captions)")
    tags: list[Tag] = Field(description="top sound classes of the segment (models with a tagger)")


class Timing(_Strict):
    total_s: float = Field(description="from the request's arrival to its answer (s)")
    decode_s: float = Field(description="reading and decoding the upload (s)")
    queue_s: float = Field(description="waiting for a batch (s; the longest of its windows)")
    compute_s: float = Field(description="the model call of its batch (s; the longest)")
    batch_size: int = Field(ge=1, description="clips in that model call (largest)")


class Spectrogram(_Strict):
    n_mels: int = Field(description="mel bands (rows), lowest first")
    frames: int = Field(description="time frames (columns)")
    hop_s: float = Field(description="seconds between frames")
    f_min_hz: float = Field(description="lowest frequency of the bands (Hz)")
    f_max_hz: float = Field(description="highest frequency of the bands (Hz): the Nyquist "
                                        "frequency of the model's sample rate")
    band_hz: list[float] = Field(description="centre frequency of each band (Hz), lowest first")
    max_db: float = Field(description="the level that byte 255 stands for (dB)")
    range_db: float = Field(description="byte 0 stands for max_db - range_db or below")
    data: str = Field(description="base64 of uint8 (frames, n_mels), row-major")


class CaptionResponse(_Strict):
    """The answer of `POST /v1/captions`."""

    path: str = Field(description="the upload's file name, or 'request body'")
    model: str = Field(description="the model that captioned it")
    caption: str = Field(description="the caption; for a segmented recording, a headline that "
                                     "summarises its segments")
    candidates: list[Candidate] = Field(description="ranked captions, best first")
    duration_s: float = Field(description="length of the recording (s)")
    tags: list[Tag] = Field(description="top sound classes (empty for models without a tagger)")
    segments: Optional[list[Segment]] = Field(
        None, description="timed captions; present when the recording was captioned in windows "
                          "(longer than the server's max_clip_s, or segment_seconds given)")
    timing: Timing
    spectrogram: Optional[Spectrogram] = Field(None, description="when spectrogram=true")


class Health(_Strict):
    """The answer of `GET /healthz`: the model, the server's limits, and batch statistics."""

    status: Literal["ok"]
    model: str
    sample_rate: int = Field(description="the model's sample rate (Hz); uploads are resampled")
    max_batch: int
    max_upload_mb: float
    max_audio_s: float
    max_clip_s: float
    segment_s: float
    queued: int = Field(description="clips waiting for the model now")
    options: list[str] = Field(description="the decoding options the model honours")
    score: Literal["logprob", "score"] = Field(description="what a candidate's score is")
    clips: int = Field(description="clips captioned since start-up")
    batches: int = Field(description="model calls since start-up")
    largest_batch: int


class Error(BaseModel):
    """Every 4xx/5xx answer: one line naming what was wrong and what to do."""

    detail: str
