"""Hostile requests on a live server: never a 5xx for bad input, always valid JSON, a time
budget that frees the model thread, a bounded queue (503 + Retry-After), timeouts for slow
clients, and client disconnects logged as one info line."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install aacap[serve])")
import httpx  # noqa: E402
import uvicorn  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from aacap.captioning.protocol import CaptionResult  # noqa: E402
from aacap.deadline import check_deadline  # noqa: E402
from aacap.decoding import DecodingOptions, decoding_options_from_kwargs  # noqa: E402
from aacap.serve import ServeConfig, create_app  # noqa: E402
from aacap.serve.timeouts import timed_h11  # noqa: E402
from serve_helpers import audio_bytes  # noqa: E402


def strict_json(text: str) -> dict:
    def refuse(name: str) -> None:
        raise ValueError(f"invalid JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


def post(url: str, data: bytes, params: dict | None = None, timeout: float = 60
         ) -> httpx.Response:
    return httpx.post(f"{url}/v1/captions", content=data, params=params, timeout=timeout)


def wav_bytes(x: np.ndarray, rate: int = 16000, subtype: str = "FLOAT") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, rate, format="WAV", subtype=subtype)
    return buf.getvalue()


@pytest.mark.parametrize("params, fragment", [
    ({"beam_size": 1000}, "beam_size=1000 exceeds the maximum of 32"),
    ({"beam_size": "99999999999999999999"}, "beam_size=1e+20 exceeds the maximum"),
    ({"method": "sample", "temperature": "inf"}, "temperature"),
    ({"method": "sample", "temperature": "nan"}, "temperature"),
    ({"length_penalty": 1e308}, "length_penalty"),
    ({"min_length": 3000, "max_length": 3000}, "exceeds the maximum of 100"),
    ({"max_length": 100000}, "max_length=100000 exceeds the maximum of 100"),
    ({"method": "sample", "top_k": "1000000000000000000000000"}, "top_k"),
    ({"method": "sample", "num_candidates": 500}, "num_candidates=500 exceeds"),
    ({"seed": -1, "method": "sample"}, "seed=-1"),
    ({"segment_seconds": "0.0001"}, "below the minimum"),
])
def test_hostile_options_get_400(server, params: dict, fragment: str) -> None:
    response = post(server.url, audio_bytes(0.5), params)
    assert response.status_code == 400, response.text
    detail = strict_json(response.text)["detail"]
    assert fragment in detail and "\n" not in detail


def test_hostile_audio_gets_its_answer(server) -> None:
    x = (0.3 * np.sin(np.arange(16000) / 5)).astype(np.float32)
    loud = post(server.url, wav_bytes(x * np.float32(1e30)), {"max_length": 3})
    unit = post(server.url, wav_bytes(x / np.abs(x).max()), {"max_length": 3})
    assert loud.status_code == 200 and strict_json(loud.text)["caption"] == unit.json()["caption"]
    nan = x.copy()
    nan[7] = np.inf
    cases = [
        (wav_bytes(nan), 400, "1 NaN or infinite sample(s)"),
        (wav_bytes(np.zeros(0, np.float32)), 400, "contains no audio samples"),
        (wav_bytes(x, subtype="PCM_16")[:20000], 400, "truncated: its header announces"),
        (b"just some text renamed to .mp3\n" * 20, 415, "is a text file, not audio"),
    ]
    flac = audio_bytes(3.0, fmt="FLAC")
    cases.append((flac[: len(flac) // 3], 400, "decoding stopped after"))
    for body, status, fragment in cases:
        response = post(server.url, body)
        assert response.status_code == status, response.text
        assert fragment in strict_json(response.text)["detail"]


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["method", "beam_size", "temperature", "top_k", "top_p", "num_candidates",
                     "min_length", "max_length", "length_penalty", "no_repeat", "seed"]),
    st.one_of(st.integers(-10**25, 10**25), st.floats(), st.text(max_size=8),
              st.sampled_from(["greedy", "beam", "sample", "inf", "-inf", "nan", "1e308"])),
    max_size=4))
def test_any_query_gets_200_or_400_with_valid_json(server, params: dict) -> None:
    response = post(server.url, audio_bytes(0.3), {k: str(v) for k, v in params.items()})
    assert response.status_code in (200, 400), response.text
    strict_json(response.text)


# -- time budget, queue, slow clients: a stand-in model that computes until told to stop ------

class SlowCaptioner:
    """Captions in 10 ms, or, for max_length=99, 'computes' until its time budget stops it
    (checking `check_deadline` as the decoding loop does). Records when the work stopped.
    For max_length=98 it fails with a ValueError, as a bug inside a model would."""

    name, sample_rate, resampler = "slow", 16000, "soxr"

    def __init__(self) -> None:
        self.stopped: list[float] = []

    def decoding_options(self, options=None, **fields) -> DecodingOptions:  # noqa: ANN001, ANN003
        return options or decoding_options_from_kwargs(**fields)

    def caption(self, inputs, *, sample_rate=None, first_index=0, options=None):  # noqa: ANN001, ANN201
        if options.max_length == 98:
            raise ValueError("a bug inside the model")
        if options.max_length == 99:
            try:
                while True:
                    check_deadline()
                    time.sleep(0.005)
            finally:
                self.stopped.append(time.monotonic())
        time.sleep(0.01)
        return [CaptionResult(None, "a quick caption", [("a quick caption", -1.0)], 1.0)
                for _ in inputs]


class Live:
    """uvicorn with the service's header timeout, in a thread."""

    def __init__(self, app, header_timeout_s: float) -> None:  # noqa: ANN001
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="info",
                                lifespan="on", http=timed_h11(header_timeout_s))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Live:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def slow() -> tuple[Live, SlowCaptioner]:
    model = SlowCaptioner()
    config = ServeConfig(max_batch=4, max_wait_ms=5, max_queue=2, request_budget_s=1.0,
                         header_timeout_s=0.5, body_timeout_s=0.5)
    with Live(create_app(model, config), config.header_timeout_s) as live:
        yield live, model


def test_costly_request_cannot_hold_the_model_beyond_its_budget(slow) -> None:
    live, model = slow
    results: dict[str, tuple[int, float]] = {}

    def send(key: str, params: dict, delay: float) -> None:
        time.sleep(delay)
        t0 = time.monotonic()
        response = post(live.url, audio_bytes(0.2), params)
        results[key] = (response.status_code, time.monotonic() - t0, response.headers)

    threads = [threading.Thread(target=send, args=("costly", {"max_length": 99}, 0.0)),
               threading.Thread(target=send, args=("normal", {"max_length": 5}, 0.2))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    status, seconds, headers = results["costly"]
    slack = 3.0  # s: scheduling on a loaded 2-core machine; the costly work alone is endless
    assert status == 503 and "Retry-After" in headers and seconds < 1.0 + slack
    assert model.stopped and model.stopped[-1] - started < 1.0 + slack  # model thread freed
    normal_status, normal_seconds, _ = results["normal"]
    assert normal_status == 200 and normal_seconds < 1.0 + slack  # delayed at most a budget


def test_a_model_error_is_a_500_not_a_client_error(slow) -> None:
    """Only the request's own options and audio earn a 4xx; a ValueError raised inside the
    model is the server's fault."""
    live, _ = slow
    response = post(live.url, audio_bytes(0.2), {"max_length": 98})
    assert response.status_code == 500 and "a bug inside the model" in response.json()["detail"]
    assert post(live.url, audio_bytes(0.2), {"max_length": 1000}).status_code == 400
    assert post(live.url, audio_bytes(0.2), {"max_length": 5}).status_code == 200


def test_full_queue_gets_503_with_retry_after(slow) -> None:
    live, _ = slow
    statuses: list[tuple[int, str | None]] = []
    details: list[str] = []

    def send() -> None:
        response = post(live.url, audio_bytes(0.2), {"max_length": 99})
        statuses.append((response.status_code, response.headers.get("Retry-After")))
        details.append(response.json().get("detail", ""))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(statuses) == 8 and all(code == 503 and after for code, after in statuses)
    assert any("clips are waiting" in d for d in details)  # the queue bound, not only budgets
    assert post(live.url, audio_bytes(0.2), {"max_length": 5}).status_code == 200


def test_stalled_body_gets_408_and_stalled_headers_are_closed(slow) -> None:
    live, _ = slow
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(b"POST /v1/captions HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                  + b"RIFF" + b"\0" * 60)
        t0 = time.monotonic()
        answer = b""
        while b"stalled" not in answer and (chunk := s.recv(4096)):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408") and b"stalled" in answer
        assert time.monotonic() - t0 < 5
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(b"POST /v1/captions HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        t0 = time.monotonic()
        assert s.recv(4096) == b""  # closed by the server
        assert time.monotonic() - t0 < 5


def test_client_disconnect_is_one_info_line(slow, caplog: pytest.LogCaptureFixture) -> None:
    live, _ = slow
    caplog.set_level(logging.INFO)
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as s:
        s.sendall(b"POST /v1/captions HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                  + b"RIFF" + b"\0" * 60)
        time.sleep(0.1)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
            "disconnected" in r.getMessage() for r in caplog.records):
        time.sleep(0.05)
    gone = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(gone) == 1 and gone[0].levelno == logging.INFO
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert post(live.url, audio_bytes(0.2), {"max_length": 5}).status_code == 200
