"""`aacap serve [--model NAME_OR_PATH] [--host 127.0.0.1] [--port 8000] [limits]`."""

from __future__ import annotations

import argparse

from ..hub import REVISION_HELP
from ..serve.config import ServeConfig
from .dataclass_args import add_dataclass_arguments, given_fields

# what each `ServeConfig` field's flag does; the defaults come from the dataclass
HELP = {
    "max_batch": "clips per model call",
    "max_wait_ms": "how long a clip waits for others to share its batch, in ms",
    "max_upload_mb": "larger request bodies get 413 (MB)",
    "max_audio_s": "longer recordings get 413 (s)",
    "max_clip_s": "longer recordings are captioned in segments (s)",
    "segment_s": "segment length for those (s)",
    "request_budget_s": "a request not answered in this time gets 503, and the model stops "
                        "working on it (s)",
    "max_queue": "clips waiting at most; beyond, 503 with Retry-After",
    "header_timeout_s": "close connections whose request headers take longer (s)",
    "body_timeout_s": "408 when the request body stalls this long (s)",
}
RENAMED = {"segment_s": "--segment-seconds", "request_budget_s": "--budget-s"}  # older flags


class AppendToTuple(argparse.Action):
    """A repeatable flag whose values gather in a tuple (its default, a tuple, stays as it is:
    argparse's "append" would append to it)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, (*getattr(namespace, self.dest), values))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="HTTP API and web page for captioning")
    p.add_argument("--model", default="default", help="model name or checkpoint (default: default)")
    p.add_argument("--revision", help=REVISION_HELP)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    add_dataclass_arguments(p.add_argument_group("limits"), ServeConfig, HELP, renamed=RENAMED)
    p.add_argument("--cors-origin", dest="cors_origins", action=AppendToTuple,
                   default=ServeConfig.cors_origins, metavar="ORIGIN", help="let pages on this origin (scheme://host[:port], or *) "
                   "call the API from the browser; repeat for several (default: none)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads of the model (default: torch's, usually the core count)")
    p.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the model and the service load torch and FastAPI: imported when the command runs
    from ..captioning.loading import load_model
    from ..serve import run_server

    config = ServeConfig(**given_fields(args, ServeConfig))  # a FieldError: cli.py names the flag
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
