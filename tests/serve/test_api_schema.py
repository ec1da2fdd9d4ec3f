"""The API's documented shape: `/openapi.json` describes the 200 answer with the models of
`aacap.serve.schema`, every live answer fits them exactly, fixed choices are enums, CORS works
for the listed origins only, and an empty upload is told it is empty."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install aacap[serve])")
import httpx  # noqa: E402

from aacap.decoding.options import METHODS  # noqa: E402
from aacap.serve.schema import CaptionResponse, Health  # noqa: E402
from serve_helpers import LiveServer, audio_bytes  # noqa: E402


def post(url: str, data: bytes | None = None, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{url}/v1/captions", content=data, timeout=60, **kwargs)


def test_openapi_documents_the_answers(server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    operation = spec["paths"]["/v1/captions"]["post"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/CaptionResponse"}
    schemas = spec["components"]["schemas"]
    answer = schemas["CaptionResponse"]
    assert {"caption", "candidates", "segments", "tags", "timing", "duration_s"} <= set(
        answer["properties"])
    assert {"caption", "candidates", "tags", "timing"} <= set(answer["required"])
    assert set(schemas["Timing"]["properties"]) == {"total_s", "decode_s", "queue_s",
                                                    "compute_s", "batch_size"}
    assert {"start_s", "end_s", "caption", "candidates", "tags"} <= set(
        schemas["Segment"]["properties"])
    assert {"name", "score"} == set(schemas["Tag"]["properties"])
    # the errors are documented as answered (400, not FastAPI's 422)
    assert {"400", "408", "413", "415", "503"} <= set(operation["responses"])
    assert "422" not in operation["responses"]
    method = next(p for p in operation["parameters"] if p["name"] == "method")
    assert {"enum": list(METHODS), "type": "string"} in method["schema"]["anyOf"]
    health = spec["paths"]["/healthz"]["get"]["responses"]["200"]["content"]
    assert health["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}
    # /docs renders this schema in the browser: tests/serve/test_page.py checks it shows them


def test_live_answers_fit_the_models_exactly(server) -> None:
    short = post(server.url, audio_bytes(1.0), params={"spectrogram": "true", "max_length": 3})
    CaptionResponse.model_validate(short.json())  # extra="forbid": no undeclared field
    segmented = post(server.url, audio_bytes(3.0), params={"segment_seconds": 1,
                                                           "max_length": 3}).json()
    assert CaptionResponse.model_validate(segmented).segments
    Health.model_validate(httpx.get(f"{server.url}/healthz").json())


def test_method_is_an_enum(server) -> None:
    response = post(server.url, audio_bytes(1.0), params={"method": "nucleus"})
    assert response.status_code == 400
    assert response.json()["detail"] == ("invalid request: method: Input should be 'greedy', "
                                         "'beam' or 'sample'")


@pytest.mark.parametrize("kwargs, detail", [
    (dict(files={"file": ("empty.wav", b"", "audio/wav")}), "empty.wav: is empty (0 bytes)"),
    (dict(), "request body: is empty (0 bytes)"),
])
def test_a_zero_byte_upload_is_told_it_is_empty(server, kwargs, detail) -> None:
    response = post(server.url, **kwargs)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert "no file" not in response.json()["detail"]


LISTED = "http://localhost:3000"


@pytest.fixture(scope="module")
def cors_server(captioner) -> Iterator[LiveServer]:
    from aacap.serve import ServeConfig, create_app

    config = ServeConfig(max_wait_ms=1, cors_origins=(LISTED, "https://captions.example.org"))
    with LiveServer(create_app(captioner, config)) as live:
        yield live


def preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(f"{url}/v1/captions", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})


def test_cors_preflight_and_answer_for_listed_origins_only(cors_server, server) -> None:
    for origin in (LISTED, "https://captions.example.org"):
        allowed = preflight(cors_server.url, origin)
        assert allowed.status_code == 200, allowed.text
        assert allowed.headers["access-control-allow-origin"] == origin
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert "content-type" in allowed.headers["access-control-allow-headers"].lower()
    answer = post(cors_server.url, audio_bytes(0.5), params={"max_length": 2},
                  headers={"Origin": LISTED, "Content-Type": "audio/wav"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == LISTED
    assert "retry-after" in answer.headers["access-control-expose-headers"].lower()
    # an origin not listed: the preflight is refused and no answer carries the header
    refused = preflight(cors_server.url, "http://evil.example")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    other = post(cors_server.url, audio_bytes(0.5), params={"max_length": 2},
                 headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    # without --cors-origin there is no CORS at all (as before: the preflight is a 405)
    assert preflight(server.url, LISTED).status_code == 405


@pytest.mark.parametrize("origin", ["http://localhost:3000/", "localhost:3000",
                                    "http://a.example/path", "ftp://a.example"])
def test_a_malformed_cors_origin_is_one_line_before_the_model_loads(origin, capsys) -> None:
    from aacap.cli import main

    assert main(["serve", "--model", "no-such-model.pt", "--cors-origin", LISTED,
                 "--cors-origin", origin]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--cors-origin {origin!r}: is not an origin" in err
    from aacap.config import FieldError
    from aacap.serve import ServeConfig

    with pytest.raises(FieldError, match=f"^cors_origins={re.escape(repr(origin))} is not an "):
        ServeConfig(cors_origins=(LISTED, origin))  # the library names the field
