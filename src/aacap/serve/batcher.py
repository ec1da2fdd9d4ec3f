"""Dynamic batching: concurrent requests share one model call.

Requests put their decoded clip on an asyncio queue. One task takes the first waiting clip,
then keeps collecting for at most `max_wait_s` (or until `max_batch` clips), and runs the whole
batch on the model in a single worker thread, so the event loop keeps accepting requests (and
filling the next batch) while the model computes. Clips with different decoding options are
captioned in separate model calls of the same round. A clip may carry a deadline: the model
call stops at the latest deadline of its clips (`aacap.deadline`), so no request holds the
model thread beyond its budget, and a clip whose deadline passed while it waited is dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..audio import Audio, array_name
from ..captioning.protocol import CaptionResult
from ..deadline import DeadlineExceeded, time_budget
from ..decoding import DecodingOptions

# (waves at the model's rate, options) -> one result per wave
RunBatch = Callable[[Sequence[np.ndarray], DecodingOptions], list[CaptionResult]]


class QueueFull(RuntimeError):
    """The server has more waiting clips than `max_queue`; the client should retry later."""


@dataclass
class BatchTiming:
    """Where one clip's time went (seconds), and how many clips shared its model call."""

    queue_s: float
    compute_s: float
    batch_size: int


@dataclass
class _Item:
    wave: np.ndarray  # (samples,) float32 at the model's rate
    options: DecodingOptions
    future: asyncio.Future
    enqueued: float
    deadline: float | None = None  # time.perf_counter() value; None: no budget


@dataclass
class BatcherStats:
    clips: int = 0
    batches: int = 0
    largest_batch: int = 0


class DynamicBatcher:
    """Collects clips from concurrent requests into batches for `run_batch`.

    `max_batch`: clips per model call at most; `max_wait_s`: how long the first clip of a batch
    waits for company (seconds); `max_queue`: clips waiting at most before `submit` raises
    `QueueFull`. Use as `async with DynamicBatcher(...) as batcher: await batcher.submit(...)`.
    """

    def __init__(self, run_batch: RunBatch, max_batch: int = 16, max_wait_s: float = 0.01,
                 max_queue: int = 1024) -> None:
        if max_batch < 1 or max_wait_s < 0 or max_queue < 1:
            raise ValueError("max_batch and max_queue must be >= 1 and max_wait_s >= 0")
        self.run_batch = run_batch
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.max_queue = max_queue
        self.stats = BatcherStats()
        self._queue: asyncio.Queue[_Item] | None = None
        self._task: asyncio.Task | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def queued(self) -> int:
        return self._queue.qsize() if self._queue is not None else 0

    async def __aenter__(self) -> DynamicBatcher:
        self._queue = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aacap-model")
        self._task = asyncio.create_task(self._loop(), name="aacap-batcher")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        while self._queue is not None and not self._queue.empty():
            item = self._queue.get_nowait()
            if not item.future.done():
                item.future.set_exception(RuntimeError("server shutting down"))

    async def submit(self, wave: np.ndarray, options: DecodingOptions,
                     deadline: float | None = None) -> tuple[CaptionResult, BatchTiming]:
        """Caption one clip (samples at the model's rate) with the next batch. `deadline`
        (a `time.perf_counter()` value): the model work on it stops then (`DeadlineExceeded`),
        and a clip still waiting then is dropped."""
        if self._queue is None:
            raise RuntimeError("DynamicBatcher used outside `async with`")
        if self._queue.qsize() >= self.max_queue:
            raise QueueFull(f"{self._queue.qsize()} clips are waiting; retry in a moment")
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Item(wave, options, future, time.perf_counter(), deadline))
        return await future

    async def _collect(self) -> list[_Item]:
        assert self._queue is not None
        batch = [await self._queue.get()]
        deadline = time.perf_counter() + self.max_wait_s
        while len(batch) < self.max_batch:
            if not self._queue.empty():
                batch.append(self._queue.get_nowait())
                continue
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), left))
            except asyncio.TimeoutError:
                break
        return batch

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [item for item in await self._collect() if not item.future.done()]
            groups: dict[DecodingOptions, list[_Item]] = {}
            for item in batch:
                groups.setdefault(item.options, []).append(item)
            for options, items in groups.items():
                started = time.perf_counter()
                items = [i for i in items if not i.future.done()]  # gone while others ran
                budget = _budget(items, started)
                try:
                    if budget is not None and budget <= 0:
                        raise DeadlineExceeded("the clip waited past its time budget")
                    results = await loop.run_in_executor(
                        self._executor, _run_within, self.run_batch, [i.wave for i in items],
                        options, budget)
                except Exception as err:  # noqa: BLE001 - reported to each waiting request
                    for item in items:
                        if not item.future.done():
                            item.future.set_exception(err)
                    continue
                compute = time.perf_counter() - started
                self.stats.clips += len(items)
                self.stats.batches += 1
                self.stats.largest_batch = max(self.stats.largest_batch, len(items))
                for item, result in zip(items, results):
                    if not item.future.done():  # the client may have gone away
                        timing = BatchTiming(started - item.enqueued, compute, len(items))
                        item.future.set_result((result, timing))


def _budget(items: list[_Item], now: float) -> float | None:
    """Seconds the model may spend on `items`: until the latest of their deadlines."""
    deadlines = [i.deadline for i in items]
    if not items or any(d is None for d in deadlines):
        return None
    return max(deadlines) - now  # type: ignore[type-var]


def _run_within(run_batch: RunBatch, waves: list[np.ndarray], options: DecodingOptions,
                budget: float | None) -> list[CaptionResult]:
    """`run_batch` on the model thread under a time budget (seconds, None: none)."""
    with time_budget(budget):
        return run_batch(waves, options)


def captioner_runner(captioner) -> RunBatch:  # noqa: ANN001 - any `Captioner`
    """`run_batch` for a `Captioner`: one `caption` call on the waves at its sample rate. The
    waves were decoded and checked on upload (`AudioFile`), so they go in as `Audio`, which
    `caption()` takes as it is."""

    def run(waves: Sequence[np.ndarray], options: DecodingOptions) -> list[CaptionResult]:
        clips = [Audio(w, captioner.sample_rate, array_name(w)) for w in waves]
        return captioner.caption(clips, options=options)

    return run
