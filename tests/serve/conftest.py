"""Fixtures for the HTTP service tests: a tiny untrained checkpoint and a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aacap.captioning.neural import NeuralCaptioner
from aacap.captioning.loading import load_model


@pytest.fixture(scope="session")
def tiny_ckpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from serve_helpers import write_tiny_checkpoint

    return write_tiny_checkpoint(tmp_path_factory.mktemp("serve") / "tiny.pt")


@pytest.fixture(scope="session")
def captioner(tiny_ckpt: Path) -> NeuralCaptioner:
    return load_model(tiny_ckpt, batch_size=16)


@pytest.fixture(scope="session")
def server(captioner: NeuralCaptioner) -> Iterator:
    """The app with small limits: 1 MB uploads, 30 s recordings, segments of 2 s beyond 5 s."""
    from aacap.serve import ServeConfig, create_app
    from serve_helpers import LiveServer

    config = ServeConfig(max_batch=8, max_wait_ms=30, max_upload_mb=1, max_audio_s=30,
                         max_clip_s=5, segment_s=2)
    with LiveServer(create_app(captioner, config)) as live:
        yield live
