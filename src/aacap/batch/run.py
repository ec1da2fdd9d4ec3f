"""Batch captioning of a collection: a folder, a glob or a manifest -> JSONL, resumable.

Each output line is what `aacap caption --json` prints for the file (`path`, `caption`,
`candidates`, `duration_s`), plus `source`, the resolved path a rerun matches on (so `d` and
`/abs/d/` are the same folder), and `id` for manifest entries. Lines are appended and flushed one
by one, so a killed run loses at most the line being written; a rerun repairs a cut last line
and skips every input already in the output (or in the errors file). Unreadable inputs go to
`<out stem>.errors.jsonl` with the reason. The work runs in this process, in `workers` local
processes, or on a Ray cluster (`ray_cluster.py`).

    from aacap.batch import run_batch
    run_batch("clips/", "captions.jsonl", model="model.pt", workers=2)
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..audio_av import AV_EXTENSIONS, available as av_available
from ..decoding import decoding_options_from_kwargs
from ..progress import bar as progress_bar
from .chunk import Item, caption_chunk, load_worker
from .ray_cluster import run_on_ray

AUDIO_EXTENSIONS = ({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au"}
                    | (AV_EXTENSIONS if av_available() else set()))  # + m4a, mp4, ... with PyAV


@dataclass
class BatchSummary:
    captioned: int  # new lines written this run
    failed: int  # inputs that went to the errors file this run
    skipped: int  # inputs already in the output or errors file
    seconds: float  # wall time of the captioning (model loading included)

    @property
    def clips_per_s(self) -> float:
        return (self.captioned + self.failed) / self.seconds if self.seconds > 0 else 0.0


def find_inputs(spec: str | Path) -> list[Item]:
    """The inputs named by `spec`: a folder (audio files below it, recursively), a glob
    pattern, a manifest `.jsonl` (lines `{"id": ..., "audio": PATH, ...}`, relative paths taken
    from the manifest's folder) or one audio file. Sorted, duplicates removed."""
    text = str(spec)
    path = Path(text)
    if path.is_dir():  # every name with an audio suffix: a FIFO or folder so named is an error
        found = [p for p in path.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS]
        items = [_item(str(p)) for p in sorted(found)]
    elif path.is_file() and path.suffix.lower() == ".jsonl":
        items = _read_manifest(path)
    elif path.is_file():
        items = [_item(text)]
    elif any(ch in text for ch in "*?["):
        items = [_item(p) for p in sorted(glob.glob(text, recursive=True))
                 if Path(p).is_file() or Path(p).suffix.lower() in AUDIO_EXTENSIONS]
    else:
        raise ValueError(f"{text}: no such folder, file or manifest; pass a folder of audio "
                         "files, a glob such as 'clips/**/*.wav', or a manifest .jsonl")
    if not items:
        raise ValueError(f"{text}: no audio files found (looked for "
                         f"{', '.join(sorted(AUDIO_EXTENSIONS))})")
    seen: set[str] = set()
    unique = [i for i in items if not (i.key in seen or seen.add(i.key))]
    return unique


def _item(path: str, id: str | None = None) -> Item:
    return Item(path, resolved(path), id)


def resolved(path: str) -> str:
    """The absolute path with symlinks resolved (a symlink loop: the absolute path)."""
    try:
        return str(Path(path).resolve())
    except (RuntimeError, OSError):  # Python < 3.13 raises RuntimeError on a loop
        return os.path.abspath(path)


def _read_manifest(path: Path) -> list[Item]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            audio = entry["audio"]
            if not isinstance(audio, str):
                raise TypeError
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(f"{path}:{number}: not a manifest line; expected "
                             '{"id": ..., "audio": "path/to/file.wav", ...}') from None
        audio_path = Path(audio) if Path(audio).is_absolute() else path.parent / audio
        entry_id = entry.get("id")
        items.append(_item(str(audio_path), None if entry_id is None else str(entry_id)))
    return items


def errors_path(out: Path) -> Path:
    """Where the errors of `out` go: `captions.jsonl` -> `captions.errors.jsonl`."""
    return out.with_name(out.stem + ".errors.jsonl") if out.suffix else Path(f"{out}.errors.jsonl")


def read_keys(path: Path) -> set[str]:
    """Keys (`id`, else the resolved `source`, else `path` resolved) of the JSONL lines of
    `path`; a cut last line (a run killed while writing it) is removed from the file so
    appending continues cleanly."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):  # the last line has no newline: cut short by a kill
        with open(path, "r+b") as f:
            f.truncate(end)
        data = data[:end]
    keys = set()
    for line in data.decode("utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(row, dict):
            continue
        key = row.get("id", row.get("source"))
        if key is None and isinstance(row.get("path"), str):
            key = resolved(row["path"])
        if key is not None:
            keys.add(str(key))
    return keys


_WORKER: dict[str, Any] = {}  # this worker process's captioner and decoding options


def _init_worker(model: str, batch_size: int, threads: int, fields: dict[str, Any]) -> None:
    """A pool worker's start. A failure (a model that does not load, an option it refuses) is
    kept for `_work` to raise: raised here, the pool would start new workers forever."""
    try:
        captioner, options = load_worker(model, batch_size, threads, fields)
    except Exception as err:  # noqa: BLE001 - re-raised by the first `_work`, in the driver
        _WORKER.update(error=err)
    else:
        _WORKER.update(captioner=captioner, options=options)


def _work(chunk: list[Item]) -> tuple[list[dict], list[dict]]:
    if "error" in _WORKER:
        raise _WORKER["error"]
    return caption_chunk(_WORKER["captioner"], chunk, _WORKER["options"])


def _run_local(model: str, chunks: list[list[Item]], fields: dict[str, Any], workers: int,
               batch_size: int, threads: int | None) -> Iterator[tuple[list[dict], list[dict]]]:
    if workers == 1:
        captioner, options = load_worker(model, batch_size, threads, fields)
        for chunk in chunks:
            yield caption_chunk(captioner, chunk, options)
        return
    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, _init_worker, (model, batch_size, threads, fields)) as pool:
        yield from pool.imap_unordered(_work, chunks)


# --- the driver -------------------------------------------------------------------------------


def run_batch(
    inputs: str | Path | list[Item],
    out: str | Path,
    model: str = "default",
    *,
    workers: int | None = None,
    batch_size: int = 8,
    options: dict[str, Any] | None = None,
    ray: str | None = None,
    threads: int | None = None,
    retry_errors: bool = False,
    progress: bool = True,
) -> BatchSummary:
    """Caption every input not yet in `out`, appending one JSON line per clip.

    `inputs`: see `find_inputs`; `workers`: local processes (default 1), or Ray actors with
    `ray` (default: one per CPU of the cluster);
    `batch_size`: clips per model call; `options`: `DecodingOptions` fields over the
    model's defaults (`{"beam_size": 3}`; each worker builds and checks them once);
    `ray`: `"auto"` (the cluster in RAY_ADDRESS or started by `ray start` here, else a new
    local one) or a cluster address; `threads`: torch threads per worker (default: this
    process's setting with 1 worker, the cores shared out with several, 1 per Ray actor; one
    worker with `threads` set changes this process's `torch.set_num_threads`);
    `retry_errors`: try again the inputs in the errors file.
    """
    for name, value in (("workers", workers), ("batch_size", batch_size), ("threads", threads)):
        if value is not None and value < 1:
            raise ValueError(f"{name}={value} must be >= 1")
    options = dict(options or {})
    decoding_options_from_kwargs(**options)  # fail now, not in a worker
    items = inputs if isinstance(inputs, list) else find_inputs(inputs)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    errors_file = errors_path(out)
    done = read_keys(out)
    if retry_errors and errors_file.exists():
        errors_file.unlink()
    done |= read_keys(errors_file)
    todo = [i for i in items if i.key not in done]
    summary = BatchSummary(0, 0, len(items) - len(todo), 0.0)
    if not todo:
        return summary
    chunks = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
    started = time.perf_counter()
    if ray is not None:
        results: Iterable = run_on_ray(ray, model, chunks, options, workers, batch_size,
                                       threads or 1)
    else:
        results = _run_local(model, chunks, options, workers or 1, batch_size, threads)
    bar = progress_bar(total=len(todo), unit="clip", desc="aacap batch", enabled=progress)
    with open(out, "a", encoding="utf-8") as out_f, bar:
        for lines, errors in results:
            for row in lines:
                out_f.write(json.dumps(row, allow_nan=False) + "\n")
                out_f.flush()
            if errors:
                with open(errors_file, "a", encoding="utf-8") as err_f:
                    for row in errors:
                        err_f.write(json.dumps(row, allow_nan=False) + "\n")
            summary.captioned += len(lines)
            summary.failed += len(errors)
            bar.update(len(lines) + len(errors))
    summary.seconds = time.perf_counter() - started
    return summary
