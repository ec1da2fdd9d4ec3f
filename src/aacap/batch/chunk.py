"""The work on one chunk of a batch's inputs, the same in the driver process, a local worker
process or a Ray actor (`run.py`, `ray_cluster.py`): each input as an `Item`, `load_worker`,
which loads the model a worker holds, and `caption_chunk`, which captions a chunk in one model
call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..audio import AudioError
from ..captioning.protocol import Captioner, caption_paths
from ..decoding import DecodingOptions


@dataclass(frozen=True)
class Item:
    """One input: `path` as written to the output, `source` the absolute file to read."""

    path: str
    source: str
    id: str | None = None  # manifest entries only

    @property
    def key(self) -> str:
        """What a rerun matches against the output: the id if any, else the resolved path
        (so `d/x.wav` and `/abs/d/x.wav` are the same clip)."""
        return self.id if self.id is not None else self.source


def load_worker(model: str, batch_size: int, threads: int | None, fields: dict[str, Any]
                ) -> tuple[Captioner, DecodingOptions]:
    """A worker's captioner and decoding options (`fields` over the model's defaults), with
    torch set to `threads` threads first (None: as it is)."""
    import torch  # here, not at the top: `import aacap.batch` (and `aacap batch --help`) stays light

    from ..captioning.loading import load_model  # imports torch

    if threads is not None:
        torch.set_num_threads(threads)
    captioner = load_model(model, batch_size=batch_size)
    return captioner, captioner.decoding_options(**fields)


def caption_chunk(captioner: Captioner, items: list[Item], options: DecodingOptions
                  ) -> tuple[list[dict], list[dict]]:
    """Caption `items` in one model call: (output lines, error lines) as dicts. Files are
    checked one by one (a bad one becomes an error line naming the cause); long ones are
    streamed."""
    lines: list[dict] = []
    errors: list[dict] = []
    if not items:
        return lines, errors
    results = caption_paths(captioner, [item.source for item in items], len(items), options)
    for item, (_, result) in zip(items, results):
        if isinstance(result, AudioError):
            errors.append(_row({"path": item.path, "error": str(result)}, item))
        else:
            result.path = item.path
            lines.append(_row(result.to_dict(), item))
    return lines, errors


def _row(row: dict, item: Item) -> dict:
    """An output or error line: the row, with the resolved `source` (the resume key) and,
    for a manifest entry, its `id` first."""
    row = {**row, "source": item.source}
    return {"id": item.id, **row} if item.id is not None else row
