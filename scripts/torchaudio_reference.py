"""torchaudio 0.13.1's own `functional.resample`, read from its PyPI wheel, as a reference.

torchaudio does not install next to aacap's torch, but its resampler is three pure-torch
functions. This reads `torchaudio/functional/functional.py` out of the wheel (fetched, sha256
checked, by `make torchaudio-wheel` into .cache/wheels/), takes those three functions' source
with `ast`, and compiles them alone against torch and math. Used by tests/test_resample.py and
by the torchaudio stand-in of scripts/check_conette_parity.py: the reference stays torchaudio's
own code, not a copy.
"""

from __future__ import annotations

import ast
import math
import zipfile
from pathlib import Path
from typing import Callable, Optional

import torch

WHEEL_NAME = "torchaudio-0.13.1-cp310-cp310-manylinux1_x86_64.whl"
DEFAULT_WHEEL = Path(__file__).resolve().parents[1] / ".cache" / "wheels" / WHEEL_NAME
SOURCE = "torchaudio/functional/functional.py"
FUNCTIONS = ("_get_sinc_resample_kernel", "_apply_sinc_resample_kernel", "resample")


def load_resample(wheel: str | Path = DEFAULT_WHEEL) -> Callable[..., torch.Tensor]:
    """torchaudio 0.13.1's `resample(waveform, orig_freq, new_freq, ...)` from `wheel`."""
    with zipfile.ZipFile(wheel) as z:
        tree = ast.parse(z.read(SOURCE).decode("utf-8"))
    wanted = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS]
    if sorted(n.name for n in wanted) != sorted(FUNCTIONS):
        raise RuntimeError(f"{wheel}: {SOURCE} lacks one of {FUNCTIONS}")
    namespace = {"torch": torch, "math": math, "Tensor": torch.Tensor, "Optional": Optional}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), SOURCE, "exec"), namespace)  # noqa: S102
    return namespace["resample"]
