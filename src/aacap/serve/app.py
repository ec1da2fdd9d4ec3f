"""The HTTP API (FastAPI): `POST /v1/captions`, `GET /healthz`, the web page at `/`, `/docs`.

Bad input never raises a 500: it is answered 400 (bad option, bad samples, malformed body),
408 (body stalled), 413 (too large or too long) or 415 (not audio), with `{"detail":
"<one-line reason>"}`; every decoding option is checked against the model before any audio is
decoded. A full queue, or a request not answered within its time budget, gets 503 with
Retry-After; the model thread stops working on a request when its budget is spent. A client
that goes away is logged as one info line.
Recordings longer than `max_clip_s` are captioned in windows of `segment_s` seconds (see
`aacap.segment`), the windows batched with everyone else's clips.
"""

import asyncio
import dataclasses
import logging
import time
import typing
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from .. import __version__
from ..audio import Audio
from ..captioning.segment import (SegmentedResult, check_segment_args, merge_segments,
                                  segment_bounds, segments_from_results)
from ..deadline import DeadlineExceeded
from ..errors import first_line
from ..decoding import DecodingOptions
from .batcher import BatcherStats, BatchTiming, DynamicBatcher, QueueFull, captioner_runner
from .config import ServeConfig
from .inputs import InputError, decode_audio, read_body, spectrogram
from .schema import CaptionResponse, Error, Health, Method

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("aacap.serve")


def _params_model() -> type[BaseModel]:
    """Query/form parameters: every `DecodingOptions` field (optional) + segmentation."""
    hints = typing.get_type_hints(DecodingOptions)
    fields: dict[str, Any] = {
        f.name: (Optional[hints[f.name]], Field(None, description=f"decoding option {f.name}"))
        for f in dataclasses.fields(DecodingOptions) if f.name != "use_cache"
    }
    fields["method"] = (Optional[Method], Field(None, description="decoding method"))
    fields["segment_seconds"] = (Optional[float], Field(
        None, gt=0, description="caption in windows of this many seconds (long recordings)"))
    fields["hop_seconds"] = (Optional[float], Field(
        None, gt=0, description="a window starts every this many seconds (default: the window)"))
    fields["spectrogram"] = (bool, Field(False, description="also return a log-mel spectrogram"))
    return create_model("CaptionParams", __config__=ConfigDict(extra="forbid"), **fields)


CaptionParams = _params_model()

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "An audio file (wav, flac, ogg, opus, mp3): multipart field `file` "
                       "(other form fields are the same options as the query), or the raw body.",
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "audio/*": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def create_app(captioner: Any, config: ServeConfig | None = None) -> FastAPI:
    """The ASGI app serving `captioner` (any `aacap.captioning.protocol.Captioner`)."""
    config = config or ServeConfig()
    batcher = DynamicBatcher(captioner_runner(captioner), config.max_batch,
                             config.max_wait_ms / 1000, config.max_queue)
    limit = int(config.max_upload_mb * 2**20)
    # the decoding options the model honours (the page offers only these); default: all
    supported = list(getattr(captioner, "supported_options", None)
                     or [f.name for f in dataclasses.fields(DecodingOptions)])
    warm_up = {"max_length": 2} if "max_length" in supported else {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        async with batcher:  # one warm-up clip, so the first request does not pay for it
            await batcher.submit(np.zeros(captioner.sample_rate, np.float32),
                                 captioner.decoding_options(**warm_up))
            batcher.stats = BatcherStats()
            yield

    app = FastAPIOffline(title="aacap", version=__version__, lifespan=lifespan,
                         description="Automated audio captioning: audio file in, sentence out.")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"],
                           expose_headers=["Retry-After"], max_age=600)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, err: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=err.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _one_line(err.errors())}, status_code=400)

    @app.exception_handler(ClientDisconnect)
    async def _client_gone(request: Request, err: ClientDisconnect) -> Response:
        client = f"{request.client.host}:{request.client.port}" if request.client else "a client"
        log.info("%s disconnected before its request to %s was read", client, request.url.path)
        return Response(status_code=400)  # nobody is listening; uvicorn drops it

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, err: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return JSONResponse({"detail": f"internal error: {type(err).__name__}: {err}"},
                            status_code=500)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/healthz", summary="Liveness and the model being served", response_model=Health)
    async def healthz() -> dict:
        return {"status": "ok", "model": captioner.name, "sample_rate": captioner.sample_rate,
                "max_batch": config.max_batch, "max_upload_mb": config.max_upload_mb,
                "max_audio_s": config.max_audio_s, "max_clip_s": config.max_clip_s,
                "segment_s": config.segment_s, "queued": batcher.queued,
                "options": supported,
                "score": getattr(captioner, "score_name", "logprob"),
                **dataclasses.asdict(batcher.stats)}

    @app.post("/v1/captions", summary="Caption an audio file", openapi_extra=_BODY_DOC,
              response_model=CaptionResponse, response_model_exclude_none=True,
              response_description="the caption, its ranked candidates, sound tags, timings "
                                   "and, for a recording captioned in windows, its segments",
              responses={400: {"model": Error, "description": "bad option, samples or body"},
                         408: {"model": Error, "description": "the request body stalled"},
                         413: {"model": Error,
                               "description": "upload too large or recording too long"},
                         415: {"model": Error, "description": "not a readable audio file"},
                         503: {"model": Error, "description": "too many clips waiting, or not "
                                                              "answered within the budget"}})
    async def captions(request: Request,
                       params: Annotated[CaptionParams, Query()]) -> JSONResponse:  # type: ignore[valid-type]
        """Caption the uploaded recording. The answer holds `caption`, `candidates`
        (`caption`, `score`, and `logprob` where the score is one; best first), `tags` (top
        sound classes: `name`, `score`), `duration_s`, `timing` (seconds), and for a segmented
        recording `segments` (`start_s`, `end_s`, `caption`, `candidates`, `tags`), the
        `caption` then being a headline that summarises them."""
        t0 = time.perf_counter()
        deadline = t0 + config.request_budget_s
        body = await read_body(request.stream(), request.headers.get("content-length"), limit,
                               config.body_timeout_s)
        data, name, form = await _split_body(request, body)
        values = params.model_dump(exclude_none=True)
        if form:
            try:
                values.update(CaptionParams.model_validate(form).model_dump(exclude_none=True))
            except ValidationError as err:
                raise InputError(400, _one_line(err.errors())) from None
        want_spec = bool(values.pop("spectrogram", False))
        seg_s, hop_s = values.pop("segment_seconds", None), values.pop("hop_seconds", None)
        try:
            options = captioner.decoding_options(**values)
            if seg_s is not None or hop_s is not None:
                check_segment_args(seg_s, hop_s)
        except ValueError as err:
            raise InputError(400, first_line(err)) from None
        clip = await asyncio.to_thread(decode_audio, data, name, captioner.sample_rate,
                                       config.max_audio_s, captioner.resampler)
        decoded_s = time.perf_counter() - t0
        if seg_s is None and clip.duration_s > config.max_clip_s:
            seg_s = config.segment_s
        try:
            left = deadline - time.perf_counter()
            if seg_s is None:
                result, timing = await asyncio.wait_for(
                    batcher.submit(clip.samples, options, deadline), left)
                answer = result.to_dict()
                timings = [timing]
            else:
                answer, timings = await asyncio.wait_for(
                    _caption_segments(clip, options, seg_s, hop_s, deadline), left)
        except QueueFull as err:
            return JSONResponse({"detail": str(err)}, status_code=503,
                                headers={"Retry-After": "1"})
        except (asyncio.TimeoutError, DeadlineExceeded):
            return JSONResponse(
                {"detail": f"{name}: not captioned within this server's budget of "
                           f"{config.request_budget_s:g} s per request (busy, or a costly "
                           "request); retry later or ask for less (max_length, beam_size)"},
                status_code=503, headers={"Retry-After": str(_retry_after(batcher))})
        # any other error here is the server's (the options were checked above): a 500
        answer["path"] = name
        answer["model"] = captioner.name
        answer["timing"] = {
            "total_s": round(time.perf_counter() - t0, 4),
            "decode_s": round(decoded_s, 4),
            "queue_s": round(max(t.queue_s for t in timings), 4),
            "compute_s": round(max(t.compute_s for t in timings), 4),
            "batch_size": max(t.batch_size for t in timings),
        }
        if want_spec:
            answer["spectrogram"] = await asyncio.to_thread(
                spectrogram, clip.samples, clip.sample_rate)
        return JSONResponse(answer)

    async def _caption_segments(clip: Audio, options: DecodingOptions, seg_s: float,
                                hop_s: float | None, deadline: float
                                ) -> tuple[dict, list[BatchTiming]]:
        bounds = segment_bounds(len(clip.samples), clip.sample_rate, seg_s, hop_s)
        if len(bounds) > config.max_segments:
            raise InputError(400, f"{clip.source}: {len(bounds)} windows of {seg_s:g} s exceed "
                                  f"this server's {config.max_segments}; use longer segments")
        if batcher.queued + len(bounds) > config.max_queue:
            raise QueueFull(f"{batcher.queued} clips are waiting; retry in a moment")
        done = await asyncio.gather(
            *(batcher.submit(clip.samples[a:b], options, deadline) for a, b in bounds))
        segments = segments_from_results(bounds, [r for r, _ in done], clip.sample_rate)
        result = SegmentedResult(clip.source, clip.duration_s, merge_segments(segments))
        return result.to_dict(), [t for _, t in done]

    app.openapi = _without_422(app.openapi)
    return app


def _without_422(openapi: typing.Callable[[], dict]) -> typing.Callable[[], dict]:
    """FastAPI documents a 422 for every route with parameters; this service answers bad
    parameters with 400 (`_validation_error`), so the 422 is taken out of the schema."""

    def schema() -> dict:
        spec = openapi()  # cached by FastAPI: the removal happens once
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        return spec

    return schema


def _retry_after(batcher: DynamicBatcher) -> int:
    """Seconds a client should wait: about one per batch of waiting clips, at least 1."""
    return max(1, -(-batcher.queued // max(1, batcher.max_batch)))


async def _split_body(request: Request, body: bytes) -> tuple[bytes, str, dict[str, str]]:
    """(audio bytes, a name for messages, other form fields) from a multipart or raw body."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":  # any other type (curl --data-binary says url-encoded)
        return body, "request body", {}

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=64)
    except Exception as err:  # noqa: BLE001 - any parse failure is the client's
        reason = first_line(getattr(err, "detail", None) or err)  # an HTTPException's detail
        raise InputError(400, f"malformed multipart body ({reason}); "
                              "send the audio in a field named 'file'") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InputError(400, "multipart request has no file field named 'file'")
    data = await upload.read()
    fields = {k: v for k, v in form.multi_items() if k != "file" and isinstance(v, str)}
    return data, upload.filename or "upload", fields


def _one_line(errors: list[dict] | typing.Sequence[Any]) -> str:
    """Pydantic/FastAPI validation errors as one line: `field: message; ...`."""
    parts = []
    for e in errors:
        where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body"))
        message = e.get("msg", "invalid")
        if e.get("type") == "extra_forbidden":
            message = "unknown option"
        parts.append(f"{where}: {message}" if where else message)
    return "invalid request: " + "; ".join(parts)
