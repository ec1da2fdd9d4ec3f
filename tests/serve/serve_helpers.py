"""Helpers of the serve tests: a tiny checkpoint, audio bytes, a live uvicorn server."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import uvicorn


def write_tiny_checkpoint(path: Path, preset: str = "las2020", seed: int = 0) -> Path:
    """An untrained preset shrunk to a few thousand weights."""
    from helpers import tiny_checkpoint

    return tiny_checkpoint(preset, path, seed)


def audio_bytes(seconds: float, rate: int = 16000, fmt: str = "WAV", seed: int = 0,
                freq: float | None = None) -> bytes:
    """Noise (or a tone at `freq` Hz) encoded as a file in memory."""
    n = int(seconds * rate)
    if freq is None:
        x = 0.1 * np.random.default_rng(seed).standard_normal(n)
    else:
        x = 0.3 * np.sin(2 * np.pi * freq * np.arange(n) / rate)
    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), rate, format=fmt)
    return buf.getvalue()


class LiveServer:
    """uvicorn serving `app` on a free loopback port, in a thread of this process."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
