"""The HTTP API on a live server: captions equal the Python API's, options apply, every bad
input gets its 4xx with a one-line reason, and the server keeps serving afterwards."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install aacap[serve])")
import httpx  # noqa: E402

from aacap.audio_av import available as av_available  # noqa: E402
from aacap.features import hz_to_mel  # noqa: E402
from aacap.captioning.segment import caption_long  # noqa: E402
from aacap.serve.inputs import SPEC_N_MELS  # noqa: E402
from serve_helpers import audio_bytes  # noqa: E402


def post(server, data: bytes | None = None, *, files=None, form=None, params=None,
         headers=None) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/captions", content=data, files=files, data=form,
                      params=params, headers=headers, timeout=60)


def test_multipart_and_raw_body_give_the_python_api_caption(server, captioner) -> None:
    wav = audio_bytes(2.0, 16000, seed=1)
    expected = captioner.caption([sf.read(io.BytesIO(wav), dtype="float32")[0]],
                                 sample_rate=16000)[0]
    curl_default = {"content-type": "application/x-www-form-urlencoded"}  # curl --data-binary
    for response in (post(server, files={"file": ("noise.wav", wav, "audio/wav")}),
                     post(server, wav, headers={"content-type": "audio/wav"}),
                     post(server, wav, headers=curl_default)):
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["caption"] == expected.caption
        assert [c["caption"] for c in answer["candidates"]] == [c for c, _ in expected.candidates]
        np.testing.assert_allclose([c["logprob"] for c in answer["candidates"]],
                                   [lp for _, lp in expected.candidates], rtol=1e-4)
        assert answer["duration_s"] == 2.0 and "segments" not in answer
        assert answer["timing"]["batch_size"] >= 1 and answer["timing"]["total_s"] > 0
    assert response.json()["path"] == "request body"


def test_mp3_with_an_id3_tag_is_read_by_its_name(server) -> None:
    # libsndfile recognises such bytes only from a file with the .mp3 suffix (as recorders,
    # and the demo clips, write them); without a suffix only FFmpeg (PyAV) reads them, else 415
    mp3 = audio_bytes(1.5, 16000, fmt="MP3", seed=4)
    tagged = b"ID3\x04\x00\x00\x00\x00\x00\x00" + mp3
    response = post(server, files={"file": ("bird.mp3", tagged, "audio/mpeg")})
    assert response.status_code == 200, response.text
    assert abs(response.json()["duration_s"] - 1.5) < 0.1
    assert post(server, files={"file": ("bird", tagged)}).status_code == (
        200 if av_available() else 415)


def test_decoding_options_from_query_and_form(server) -> None:
    flac = audio_bytes(1.0, 22050, fmt="FLAC", seed=2)
    greedy = post(server, flac, params={"method": "greedy", "max_length": 3}).json()
    assert len(greedy["candidates"]) == 1 and len(greedy["caption"].split()) <= 3
    form = post(server, files={"file": ("a.flac", flac)},
                form={"method": "greedy", "max_length": "3"}).json()
    assert form["caption"] == greedy["caption"] and form["path"] == "a.flac"
    beam = post(server, flac, params={"beam_size": 5, "num_candidates": 4}).json()
    assert len(beam["candidates"]) == 4


@pytest.mark.parametrize("kwargs, status, reason", [
    (dict(data=b"hello, not audio"), 415, "is a text file, not audio"),
    (dict(files={"file": ("notes.txt", b"plain text")}), 415, "notes.txt: is a text file, not audio"),
    (dict(data=b""), 400, "request body: is empty (0 bytes)"),
    (dict(data=b"x" * (2 << 20)), 413, "exceeds this server's limit of 1.0 MB"),
    (dict(data=audio_bytes(40.0, 8000, fmt="FLAC")), 413, "40.0 s of audio exceeds"),
    (dict(data=audio_bytes(1.0), params={"beam_size": "three"}), 400, "beam_size"),
    (dict(data=audio_bytes(1.0), params={"colour": "red"}), 400, "colour: unknown option"),
    (dict(data=audio_bytes(1.0), params={"method": "greedy", "beam_size": 5}), 400,
     "only applies to method='beam'"),
    (dict(data=audio_bytes(1.0), params={"max_length": 0}), 400, "max_length"),
    (dict(data=audio_bytes(1.0), params={"segment_seconds": -1}), 400, "segment_seconds"),
    (dict(data=audio_bytes(1.0), params={"segment_seconds": 1, "hop_seconds": 2}), 400,
     "hop"),
    (dict(data=audio_bytes(1.0), params={"hop_seconds": 1}), 400,
     "hop_seconds=1 needs segment_seconds"),  # the field names of the API
    (dict(data=audio_bytes(1.0), params={"segment_seconds": 0.001}), 400, "below the minimum"),
    (dict(data=audio_bytes(1.0), params={"task": "nonexistent"}), 400, "unknown task"),
    (dict(files={"audio": ("a.wav", audio_bytes(1.0))}), 400, "no file field named 'file'"),
    (dict(files={"file": ("a.wav", audio_bytes(1.0))}, form={"top_k": "x"}), 400, "top_k"),
    (dict(data=b"a=1", headers={"content-type": "application/x-www-form-urlencoded"}), 415,
     "request body: is a text file, not audio"),
])
def test_bad_input_gets_a_4xx_and_the_server_stays_up(server, kwargs, status, reason) -> None:
    response = post(server, kwargs.pop("data", None), **kwargs)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert reason in detail and "\n" not in detail
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    assert post(server, audio_bytes(0.5), params={"max_length": 2}).status_code == 200


def test_corrupt_samples_and_silence(server) -> None:
    buf = io.BytesIO()
    sf.write(buf, np.full(800, np.nan, np.float32), 8000, format="WAV", subtype="FLOAT")
    response = post(server, buf.getvalue())
    assert response.status_code == 400 and "NaN" in response.json()["detail"]
    buf = io.BytesIO()
    sf.write(buf, np.zeros(8000, np.float32), 8000, format="WAV")
    assert post(server, buf.getvalue(), params={"max_length": 3}).status_code == 200


def test_concurrent_requests_share_batches(server, captioner) -> None:
    clips = [audio_bytes(1.0, 32000, seed=s) for s in range(8)]
    alone = [post(server, c, params={"max_length": 6}).json() for c in clips[:2]]

    async def burst() -> list[dict]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            responses = await asyncio.gather(*(client.post("/v1/captions", content=c,
                                                           params={"max_length": 6})
                                               for c in clips))
        return [r.json() for r in responses]

    together = asyncio.run(burst())
    assert max(a["timing"]["batch_size"] for a in together) > 1
    for a, b in zip(alone, together):  # batching does not change a clip's caption
        assert a["caption"] == b["caption"]
        np.testing.assert_allclose(a["candidates"][0]["logprob"], b["candidates"][0]["logprob"],
                                   rtol=1e-4)
    stats = httpx.get(f"{server.url}/healthz").json()
    assert stats["largest_batch"] > 1 and stats["batches"] < stats["clips"]


def test_long_recording_is_segmented_like_caption_long(server, captioner) -> None:
    # 7 s > max_clip_s=5 -> windows of segment_s=2 (the server's config in conftest)
    wav = audio_bytes(7.0, 16000, seed=4)
    answer = post(server, wav, params={"max_length": 4}).json()
    samples = sf.read(io.BytesIO(wav), dtype="float32")[0]
    expected = caption_long(captioner, samples, 2.0, sample_rate=16000, max_length=4)
    got = answer["segments"]
    assert [s["caption"] for s in got] == [s.caption for s in expected.segments]
    assert [(s["start_s"], s["end_s"]) for s in got] == [
        (round(s.start_s, 3), round(s.end_s, 3)) for s in expected.segments]
    assert got[0]["start_s"] == 0.0 and got[-1]["end_s"] == 7.0
    assert all(a["end_s"] == b["start_s"] for a, b in zip(got, got[1:]))
    assert sum(s["windows"] for s in got) == 4  # 0-2, 2-4, 4-6, 6-7
    assert answer["caption"] == expected.headline  # the headline summarises the segments
    # a short clip is segmented on request, with overlapping windows
    short = post(server, audio_bytes(3.0), params={"segment_seconds": 2, "hop_seconds": 1,
                                                   "max_length": 4}).json()
    assert short["segments"][0]["start_s"] == 0.0 and short["segments"][-1]["end_s"] == 3.0


def test_spectrogram_peaks_at_the_tone(server) -> None:
    import base64

    answer = post(server, audio_bytes(1.0, 32000, freq=2000.0),
                  params={"spectrogram": "true", "max_length": 2}).json()
    spec = answer["spectrogram"]
    data = np.frombuffer(base64.b64decode(spec["data"]), np.uint8)
    data = data.reshape(spec["frames"], spec["n_mels"])
    assert spec["n_mels"] == SPEC_N_MELS and abs(spec["frames"] - 101) <= 1
    peak = int(np.bincount(data[5:-5].argmax(axis=1)).argmax())  # most frequent loudest band
    edges = np.linspace(hz_to_mel(50.0), hz_to_mel(16000.0), SPEC_N_MELS + 2)
    assert abs(edges[peak + 1] - hz_to_mel(2000.0)) <= (edges[1] - edges[0])
    # the page labels its axis from band_hz: the loudest band's centre is the tone's frequency
    band = np.asarray(spec["band_hz"])
    assert len(band) == SPEC_N_MELS and np.all(np.diff(band) > 0)
    assert spec["f_min_hz"] < band[0] and band[-1] < spec["f_max_hz"] == 16000.0
    assert abs(hz_to_mel(band[peak]) - hz_to_mel(2000.0)) <= (edges[1] - edges[0])
    assert data.max() == 255


def test_docs_and_page_are_served_locally(server) -> None:
    docs = httpx.get(f"{server.url}/docs").text
    assert "/static-offline-docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert httpx.get(f"{server.url}/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    spec = httpx.get(f"{server.url}/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/v1/captions"]["post"]["parameters"]}
    assert {"method", "beam_size", "max_length", "segment_seconds", "spectrogram"} <= params
    page = httpx.get(f"{server.url}/").text
    for asset in ("/static/app.js", "/static/style.css"):
        assert asset in page and httpx.get(server.url + asset).status_code == 200
    assert "http://" not in page and "https://" not in page


def test_aacap_serve_command(tiny_ckpt: Path, tmp_path: Path) -> None:
    """The CLI entry point: start `aacap serve` as a process, caption, stop it."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aacap.cli", "serve", "--model", str(tiny_ckpt), "--port",
         str(port), "--max-upload-mb", "0.5", "--log-level", "warning",
         "--cors-origin", "http://localhost:3000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "aacap serve did not start within 60 s"
            time.sleep(0.2)
        assert httpx.get(f"{url}/healthz").json()["model"] == "tiny"
        ok = httpx.post(f"{url}/v1/captions", content=audio_bytes(1.0), timeout=60)
        assert ok.status_code == 200 and ok.json()["caption"]
        big = httpx.post(f"{url}/v1/captions", content=b"\0" * (1 << 20), timeout=60)
        assert big.status_code == 413 and "0.5 MB" in big.json()["detail"]
        preflight = httpx.options(f"{url}/v1/captions", headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
