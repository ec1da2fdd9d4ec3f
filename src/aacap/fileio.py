"""Reading torch files in one place: `read_torch_file`, weights only unless trusted, with a
one-line error, and `load_strict`, the one strict loader of their weights into a module.
(Files are written whole or not at all by `atomic.atomic_write`.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from torch import nn

from .errors import first_line


def read_torch_file(path: str | Path, what: str, *, trusted: bool = False,
                    error: type[Exception] = ValueError, hint: str = "") -> Any:
    """`torch.load` of `path` onto the CPU, tensors and plain containers only unless
    `trusted` (full unpickling runs code from the file: only for files you trust). A file
    that does not load raises `error` with one line: '{path}: not a readable {what} (why)',
    then `hint`."""
    import torch  # here, not at the top: `aacap.fileio` is importable without torch

    try:
        return torch.load(path, map_location="cpu", weights_only=not trusted)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means the same to the user
        raise error(f"{path}: not a readable {what} ({first_line(err, 120)}){hint}") from None


def load_strict(module: nn.Module, state: Mapping[str, Any], where: str, what: str = "", *,
                error: type[Exception] = ValueError, hint: str = "") -> None:
    """`module.load_state_dict(state, strict=True)`, or `error` with one line: '{where}: weights
    do not match {what}: missing [...], unexpected [...], shape mismatch [...]' (the non-empty
    ones), then `hint`
    (`what` defaults to 'the <module class> config'). BatchNorm `num_batches_tracked` counters
    (not weights; absent from old checkpoints) may be missing."""
    own = module.state_dict()
    state = {**{k: v for k, v in own.items() if k.endswith("num_batches_tracked")}, **state}
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f"{k} has shape {_shape(v)}, the config makes {_shape(own[k])}"
              for k, v in state.items() if k in own and _shape(v) != _shape(own[k])]
    if missing or unexpected or shapes:
        parts = [f"{label} {_first(items, n)}" for label, items, n in (
            ("missing", missing, 4), ("unexpected", unexpected, 4), ("shape mismatch", shapes, 2))
            if items]
        raise error(f"{where}: weights do not match "
                    f"{what or f'the {type(module).__name__} config'}: {', '.join(parts)}{hint}")
    module.load_state_dict(state, strict=True)


def _shape(value: Any) -> tuple[int, ...] | str:
    return tuple(value.shape) if hasattr(value, "shape") else type(value).__name__


def _first(items: list[str], n: int) -> str:
    """The first `n` of `items` as a list, and how many more."""
    return f"{items[:n]}" + (f" and {len(items) - n} more" if len(items) > n else "")
