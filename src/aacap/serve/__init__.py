"""HTTP service: `aacap serve` = FastAPI app (`app.py`) + dynamic batcher (`batcher.py`) on
uvicorn, with the web page in `static/`.

    from aacap.serve import ServeConfig, create_app
    app = create_app(aacap.load_model("model.pt"), ServeConfig(max_batch=8))
"""

from __future__ import annotations

from typing import Any

from .config import ServeConfig

__all__ = ["ServeConfig", "create_app", "run_server"]


def __getattr__(name: str) -> Any:
    # lazy: the app needs the `serve` extra (FastAPI), and `aacap serve --help` builds its
    # flags from `ServeConfig` alone
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'aacap.serve' has no attribute {name!r}")


def run_server(captioner: Any, config: ServeConfig, host: str = "127.0.0.1", port: int = 8000,
               log_level: str = "info") -> None:
    """Serve `captioner` until interrupted (uvicorn, one process, one model thread), closing
    connections whose request headers take longer than `config.header_timeout_s`."""
    import logging

    import uvicorn

    from .app import create_app
    from .timeouts import timed_h11

    log = logging.getLogger("aacap.serve")  # the service's own lines, formatted as uvicorn's
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        log.addHandler(handler)
    log.setLevel(log_level.upper())
    uvicorn.run(create_app(captioner, config), host=host, port=port, log_level=log_level,
                http=timed_h11(config.header_timeout_s))
