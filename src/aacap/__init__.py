"""aacap: automated audio captioning.

>>> import aacap
>>> model = aacap.load_model()            # the offline default model
>>> model.caption(["dog.wav"])[0].caption
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["CaptionResult", "load_model", "__version__"]


def __getattr__(name: str) -> Any:  # lazy, so `import aacap.metrics` does not load torch
    if name == "load_model":
        from .captioning.loading import load_model

        return load_model
    if name == "CaptionResult":
        from .captioning.protocol import CaptionResult

        return CaptionResult
    raise AttributeError(f"module 'aacap' has no attribute {name!r}")
