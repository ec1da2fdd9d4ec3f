"""Fixtures of the decoding tests: a tiny model of each decoder kind, random memory."""

from __future__ import annotations

import pytest

from aacap.model import Memory
from tinydec import TinyModel, random_memory, tiny_model


@pytest.fixture(params=["transformer", "rnn"])
def model(request: pytest.FixtureRequest) -> TinyModel:
    return tiny_model(request.param)


@pytest.fixture
def memory() -> Memory:
    return random_memory()
