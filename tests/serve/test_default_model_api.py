"""The service with the default model: the options it honours, tags, scores, silence, and a
long recording captioned as the CLI and the Python API caption it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install aacap[serve])")

import httpx  # noqa: E402

from aacap.captioning.default import ASSETS, SILENCE_CAPTION, DefaultCaptioner  # noqa: E402
from aacap.default_model.choose import SUPPORTED  # noqa: E402
from aacap.serve.schema import CaptionResponse  # noqa: E402
from serve_helpers import LiveServer, audio_bytes  # noqa: E402

pytestmark = pytest.mark.skipif(not (ASSETS / "bank.npz").exists(), reason="shipped assets absent")


@pytest.fixture(scope="module")
def default_model() -> DefaultCaptioner:
    return DefaultCaptioner()


@pytest.fixture(scope="module")
def default_server(default_model: DefaultCaptioner) -> Iterator[LiveServer]:
    from aacap.serve import ServeConfig, create_app

    with LiveServer(create_app(default_model, ServeConfig(max_wait_ms=5))) as live:
        yield live


def post(server: LiveServer, data: bytes, **params: object) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/captions", content=data, params=params, timeout=120)


def test_healthz_lists_what_the_model_honours(default_server: LiveServer) -> None:
    info = httpx.get(f"{default_server.url}/healthz").json()
    assert info["options"] == list(SUPPORTED) and info["score"] == "score"


def test_scores_tags_and_refused_options(default_server: LiveServer) -> None:
    answer = post(default_server, audio_bytes(2.0, seed=3), num_candidates=3).json()
    assert [set(c) for c in answer["candidates"]] == [{"caption", "score"}] * 3
    assert 1 <= len(answer["tags"]) <= 5 and {"name", "score"} == set(answer["tags"][0])
    CaptionResponse.model_validate(answer)  # scores without logprob, tags: as documented
    refused = post(default_server, audio_bytes(2.0), max_length=5)
    assert refused.status_code == 400 and "cannot honour" in refused.json()["detail"]
    sampled = [post(default_server, audio_bytes(2.0, seed=3), method="sample", seed=s,
                    num_candidates=3).json()["candidates"] for s in (1, 1, 2, 3, 4, 5)]
    assert sampled[0] == sampled[1]  # seeded
    assert any(other != sampled[0] for other in sampled[2:])  # and the seed matters


def test_silence(default_server: LiveServer) -> None:
    buf = io.BytesIO()
    sf.write(buf, np.zeros(32000, np.float32), 16000, format="WAV")
    assert post(default_server, buf.getvalue()).json()["caption"] == SILENCE_CAPTION


def test_long_recording_one_behaviour(default_server: LiveServer, default_model: DefaultCaptioner,
                                      tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A 36 s recording (tone, noise, silence, tone): the service, `aacap caption` with and
    without --segment-seconds 10, and `model.caption` give the same headline and segments."""
    from aacap.cli import main

    rate = 16000
    t = np.arange(9 * rate) / rate
    parts = [0.3 * np.sin(2 * np.pi * 440 * t),
             0.2 * np.random.default_rng(0).standard_normal(9 * rate),
             np.zeros(9 * rate), 0.3 * np.sin(2 * np.pi * 1000 * t)]
    wav = tmp_path / "long.wav"
    sf.write(wav, np.concatenate(parts).astype(np.float32), rate)
    service = post(default_server, wav.read_bytes()).json()
    CaptionResponse.model_validate(service)  # segments with tags, as documented
    (api,) = default_model.caption([wav])
    capsys.readouterr()
    assert main(["caption", str(wav), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert main(["caption", str(wav), "--json", "--segment-seconds", "10"]) == 0
    cli_segmented = json.loads(capsys.readouterr().out)
    expected = api.to_dict()
    assert len(expected["segments"]) >= 2 and expected["segments"][-1]["end_s"] == 36.0
    assert expected["caption"] != expected["segments"][0]["caption"]  # not just the first
    for other in (service, cli, cli_segmented):
        assert other["caption"] == expected["caption"]
        assert other["segments"] == expected["segments"]
        assert other["tags"] == expected["tags"]
