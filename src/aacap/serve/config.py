"""`ServeConfig`: the service's limits, one dataclass whose fields are also the flags of
`aacap serve` (generated from it, so each default lives here only)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ..captioning.lengths import LONG_RECORDING_S, LONG_SEGMENT_S
from ..config import FieldError

# an origin as a browser's Origin header spells it: scheme://host[:port], no path
ORIGIN = re.compile(r"https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")
# sizes, durations and timeouts: positive and finite
LIMITS = ("max_upload_mb", "max_audio_s", "max_clip_s", "segment_s", "request_budget_s",
          "header_timeout_s", "body_timeout_s")


@dataclass
class ServeConfig:
    """Server settings; sizes in MB, durations in seconds."""

    max_batch: int = 16  # clips per model call (the captioner's own batch_size caps it too)
    max_wait_ms: float = 10.0  # how long a clip waits for others to join its batch
    max_queue: int = 1024  # clips waiting at most; beyond, 503
    max_upload_mb: float = 25.0  # request body limit -> 413
    max_audio_s: float = 600.0  # recording length limit -> 413
    max_clip_s: float = LONG_RECORDING_S  # longer recordings are segmented, whatever the model
    segment_s: float = LONG_SEGMENT_S  # window length used for them
    max_segments: int = 600  # windows per request at most (segment_seconds/hop_seconds) -> 400
    request_budget_s: float = 30.0  # a request not answered by then -> 503; its model work stops
    header_timeout_s: float = 10.0  # request headers not complete by then -> connection closed
    body_timeout_s: float = 10.0  # no byte of the body for this long -> 408
    cors_origins: tuple[str, ...] = ()  # pages on these origins may call the API ('*': any)

    def __post_init__(self) -> None:
        """Counts at least 1, the wait at least 0, every other limit positive and finite, each
        CORS origin as a browser's Origin header spells it (or `*`); a `FieldError` names the
        first field that is not."""
        for name in ("max_batch", "max_queue", "max_segments"):
            value = getattr(self, name)
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
                raise FieldError(name, value, "must be an integer >= 1")
        if not (_is_number(self.max_wait_ms) and self.max_wait_ms >= 0):
            raise FieldError("max_wait_ms", self.max_wait_ms, "must be a number >= 0")
        for name in LIMITS:
            value = getattr(self, name)
            if not (_is_number(value) and value > 0):
                raise FieldError(name, value, "must be a positive, finite number")
        self.cors_origins = tuple(self.cors_origins)
        for origin in self.cors_origins:
            if origin != "*" and not (isinstance(origin, str) and ORIGIN.fullmatch(origin)):
                raise FieldError("cors_origins", origin, "is not an origin: write "
                                 "scheme://host[:port] with no path or trailing slash (e.g. "
                                 "http://localhost:3000), or *")


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
