"""`aacap serve [--model NAME_OR_PATH] [--host 127.0.0.1] [--port 8000] [limits]`."""

from __future__ import annotations

import argparse

from ..hub import REVISION_HELP


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="HTTP API and web page for captioning")
    p.add_argument("--model", default="default", help="model name or checkpoint (default: default)")
    p.add_argument("--revision", help=REVISION_HELP)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--max-batch", type=int, default=16, help="clips per model call (default 16)")
    p.add_argument("--max-wait-ms", type=float, default=10.0,
                   help="how long a clip waits for others to share its batch (default 10 ms)")
    p.add_argument("--max-upload-mb", type=float, default=25.0,
                   help="larger request bodies get 413 (default 25 MB)")
    p.add_argument("--max-audio-s", type=float, default=600.0,
                   help="longer recordings get 413 (default 600 s)")
    p.add_argument("--max-clip-s", type=float, default=30.0,
                   help="longer recordings are captioned in segments (default 30 s)")
    p.add_argument("--segment-seconds", type=float, default=10.0,
                   help="segment length for those (default 10 s)")
    p.add_argument("--budget-s", type=float, default=30.0,
                   help="a request not answered in this time gets 503, and the model stops "
                        "working on it (default 30 s)")
    p.add_argument("--max-queue", type=int, default=1024,
                   help="clips waiting at most; beyond, 503 with Retry-After (default 1024)")
    p.add_argument("--header-timeout-s", type=float, default=10.0,
                   help="close connections whose request headers take longer (default 10 s)")
    p.add_argument("--body-timeout-s", type=float, default=10.0,
                   help="408 when the request body stalls this long (default 10 s)")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="let pages on this origin (scheme://host[:port], or *) call the API "
                        "from the browser; repeat for several (default: none)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads of the model (default: torch's, usually the core count)")
    p.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..captioning.loading import load_model
    from ..serve import ServeConfig, run_server
    from ..serve.app import check_origins

    limits = (args.max_upload_mb, args.max_audio_s, args.max_clip_s, args.segment_seconds,
              args.budget_s, args.header_timeout_s, args.body_timeout_s)
    if (args.max_batch < 1 or args.max_queue < 1 or not args.max_wait_ms >= 0
            or not all(0 < x < float("inf") for x in limits)):
        raise ValueError("--max-batch and --max-queue must be >= 1, --max-wait-ms >= 0, and the "
                         "size, duration and time limits positive and finite")
    config = ServeConfig(max_batch=args.max_batch, max_wait_ms=args.max_wait_ms,
                         max_queue=args.max_queue, max_upload_mb=args.max_upload_mb,
                         max_audio_s=args.max_audio_s, max_clip_s=args.max_clip_s,
                         segment_s=args.segment_seconds, request_budget_s=args.budget_s,
                         header_timeout_s=args.header_timeout_s,
                         body_timeout_s=args.body_timeout_s,
                         cors_origins=tuple(check_origins(args.cors_origin)))
    if args.threads is not None:
        import torch

        if args.threads < 1:
            raise ValueError("--threads must be >= 1")
        torch.set_num_threads(args.threads)
    captioner = load_model(args.model, batch_size=args.max_batch, revision=args.revision)
    print(f"aacap serve: {captioner.name} on http://{args.host}:{args.port}/ "
          f"(API docs at /docs)", flush=True)
    run_server(captioner, config, args.host, args.port, args.log_level)
    return 0
