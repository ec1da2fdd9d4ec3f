"""The dynamic batcher with a fake model: batch sizes, grouping by options, waiting, queue
limit, and errors reaching only the requests of the failing call."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from aacap.captioning.protocol import CaptionResult
from aacap.decoding import DecodingOptions
from aacap.serve.batcher import DynamicBatcher, QueueFull


class FakeModel:
    """Captions a wave with its first sample; records each call's batch and options."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[tuple[list[float], DecodingOptions]] = []
        self.delay_s = delay_s
        self.threads: set[str] = set()

    def __call__(self, waves, options):  # noqa: ANN001, ANN204
        self.threads.add(threading.current_thread().name)
        if options.task == "boom":
            raise ValueError("unknown task 'boom'")
        time.sleep(self.delay_s)
        self.calls.append(([float(w[0]) for w in waves], options))
        return [CaptionResult(None, f"clip {w[0]:g}", [(f"clip {w[0]:g}", -1.0)]) for w in waves]


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(coro)


def wave(i: float) -> np.ndarray:
    return np.full(10, i, np.float32)


BEAM, GREEDY = DecodingOptions(), DecodingOptions(method="greedy")


def test_concurrent_clips_are_batched_up_to_max_batch() -> None:
    model = FakeModel(delay_s=0.05)

    async def main() -> list:
        async with DynamicBatcher(model, max_batch=4, max_wait_s=0.05) as batcher:
            return await asyncio.gather(*(batcher.submit(wave(i), BEAM) for i in range(10)))

    answers = run(main())
    assert [r.caption for r, _ in answers] == [f"clip {i}" for i in range(10)]  # each its own
    assert [len(batch) for batch, _ in model.calls] == [4, 4, 2]
    assert [t.batch_size for _, t in answers] == [4] * 8 + [2] * 2
    assert answers[-1][1].queue_s >= 0.1  # waited for two calls of 0.05 s
    assert model.threads == {"aacap-model_0"}  # the model runs off the event loop, one thread


def test_options_are_never_mixed_in_one_call() -> None:
    model = FakeModel()

    async def main() -> list:
        async with DynamicBatcher(model, max_batch=8, max_wait_s=0.05) as batcher:
            return await asyncio.gather(*(batcher.submit(wave(i), BEAM if i % 2 else GREEDY)
                                          for i in range(6)))

    answers = run(main())
    assert [r.caption for r, _ in answers] == [f"clip {i}" for i in range(6)]
    for batch, options in model.calls:
        assert {int(v) % 2 for v in batch} == {1 if options == BEAM else 0}
    assert len(model.calls) == 2


def test_a_lone_clip_waits_at_most_max_wait() -> None:
    async def main() -> float:
        async with DynamicBatcher(FakeModel(), max_batch=8, max_wait_s=0.1) as batcher:
            t0 = time.perf_counter()
            await batcher.submit(wave(1), BEAM)
            return time.perf_counter() - t0

    assert 0.09 <= run(main()) < 1.0


def test_errors_reach_only_their_requests_and_the_batcher_goes_on() -> None:
    bad = DecodingOptions(task="boom")

    async def main() -> list:
        async with DynamicBatcher(FakeModel(), max_batch=8, max_wait_s=0.02) as batcher:
            first = await asyncio.gather(batcher.submit(wave(1), bad), batcher.submit(wave(2), BEAM),
                                         return_exceptions=True)
            after = await batcher.submit(wave(3), BEAM)
            return [*first, after]

    failed, ok, after = run(main())
    assert isinstance(failed, ValueError) and "boom" in str(failed)
    assert ok[0].caption == "clip 2" and after[0].caption == "clip 3"


def test_queue_limit() -> None:
    async def main() -> None:
        async with DynamicBatcher(FakeModel(delay_s=0.2), max_batch=1, max_wait_s=0,
                                  max_queue=2) as batcher:
            tasks = [asyncio.create_task(batcher.submit(wave(0), BEAM))]
            await asyncio.sleep(0.05)  # clip 0 is in the model
            tasks += [asyncio.create_task(batcher.submit(wave(i), BEAM)) for i in (1, 2)]
            await asyncio.sleep(0.01)  # clips 1 and 2 wait
            assert batcher.queued == 2
            with pytest.raises(QueueFull):
                await batcher.submit(wave(9), BEAM)
            await asyncio.gather(*tasks)

    run(main())


def test_captioner_runner_passes_checked_clips_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploads were decoded and checked by `AudioFile`: the runner hands `caption()` the
    clips as `Audio`, so their samples are not checked (NaN/Inf, copy) a second time, and
    results carry no path."""
    from aacap import audio
    from aacap.captioning.default import load_default
    from aacap.serve.batcher import captioner_runner

    checked: list[str] = []
    real = audio._mono
    monkeypatch.setattr(audio, "_mono", lambda block, name: checked.append(name) or real(block, name))
    captioner = load_default()
    rng = np.random.default_rng(0)
    waves = [0.1 * rng.standard_normal(captioner.sample_rate).astype(np.float32) for _ in range(2)]
    results = captioner_runner(captioner)(waves, captioner.decoding_options())
    assert [r.path for r in results] == [None, None] and all(r.caption for r in results)
    assert checked == []
