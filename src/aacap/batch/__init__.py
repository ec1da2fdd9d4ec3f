"""Batch captioning of a collection -> JSONL, resumable: the driver and the local pool
(`run.py`), the work on one chunk of inputs (`chunk.py`), the same chunks on Ray actors
(`ray_cluster.py`).

    from aacap.batch import run_batch
    run_batch("clips/", "captions.jsonl", model="model.pt", workers=2)
"""

from .chunk import Item, caption_chunk
from .run import BatchSummary, errors_path, find_inputs, read_keys, resolved, run_batch

__all__ = ["BatchSummary", "Item", "caption_chunk", "errors_path", "find_inputs", "read_keys",
           "resolved", "run_batch"]
