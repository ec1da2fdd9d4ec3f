"""aacap: automated audio captioning.

>>> import aacap
>>> model = aacap.load_model()            # the offline default model
>>> model.caption("dog.wav").caption      # one input, one result; a list gives a list
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["CaptionResult", "Captioner", "DecodingOptions", "load_model", "__version__"]

# name -> module holding it: loaded on first use, so `import aacap.metrics` and `aacap --help`
# do not load torch
_LAZY = {
    "load_model": "aacap.captioning.loading",
    "CaptionResult": "aacap.captioning.protocol",
    "Captioner": "aacap.captioning.protocol",
    "DecodingOptions": "aacap.decoding.options",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'aacap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
