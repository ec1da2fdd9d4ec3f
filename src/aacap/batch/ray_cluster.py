"""`aacap batch --ray`: the chunks of a batch run on Ray actors, each holding the model.

The driver (the machine running `aacap batch`) lists the inputs, sends chunks of paths to a
pool of actors and writes their lines, so resuming and the errors file work as locally. A
checkpoint file is sent through Ray's object store, so worker nodes need no copy of it; the
audio files are read by the actors, so every node must see them at the same absolute path
(a shared or network file system), and every node needs aacap installed in the same Python
environment as the driver.

Multi-node: `ray start --head` on one machine, `ray start --address=HEAD_IP:6379` on the
others, then `aacap batch /shared/clips --out captions.jsonl --ray auto --workers N` on the
head (or `--ray HEAD_IP:6379` from any node; `ray://HEAD_IP:10001` goes through Ray Client).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .chunk import Item, caption_chunk, load_worker


class CaptionActor:
    """Holds one captioner and its decoding options; `caption(chunk)` -> (lines, errors)
    like `caption_chunk`."""

    def __init__(self, model: str, model_bytes: bytes | None, batch_size: int,
                 threads: int, fields: dict[str, Any]) -> None:
        if model_bytes is not None:  # a checkpoint shipped by the driver
            self._dir = tempfile.TemporaryDirectory(prefix="aacap-ray-")
            local = Path(self._dir.name) / Path(model).name
            local.write_bytes(model_bytes)
            model = str(local)
        # torch threads: as many as the CPUs Ray reserved for this actor
        self.captioner, self.options = load_worker(model, batch_size, threads, fields)

    def caption(self, chunk: list[Item]) -> tuple[list[dict], list[dict]]:
        return caption_chunk(self.captioner, chunk, self.options)


def connect(address: str) -> Any:
    """Attach to Ray: keep a connection this process already has, else `"auto"` = RAY_ADDRESS
    or the cluster `ray start` launched here, else a new local cluster; any other value is a
    cluster address."""
    try:
        import ray
    except ImportError:
        raise ValueError("--ray needs Ray: pip install 'aacap[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=None if address == "auto" else address, log_to_driver=False)
    return ray


def run_on_ray(address: str, model: str, chunks: list[list[Item]], fields: dict[str, Any],
               workers: int | None, batch_size: int, threads: int = 1
               ) -> Iterator[tuple[list[dict], list[dict]]]:
    """Caption `chunks` on `workers` actors of `threads` CPUs each (default: as many actors as
    the cluster has room for), yielding each chunk's (lines, errors) as it completes."""
    ray = connect(address)
    from ray.util import ActorPool

    if workers is None:
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
    path = Path(model)
    model_bytes = ray.put(path.read_bytes()) if path.is_file() else None
    actor = ray.remote(num_cpus=threads)(CaptionActor)
    actors = [actor.remote(model, model_bytes, batch_size, threads, fields)
              for _ in range(min(workers, len(chunks)))]
    try:
        pool = ActorPool(actors)
        yield from pool.map_unordered(lambda a, chunk: a.caption.remote(chunk), chunks)
    finally:
        for a in actors:
            ray.kill(a)
