"""The DCASE audio-captioning metric suite (imports nothing from the models).

``evaluate(candidates, mult_references, metrics="dcase2020") -> Scores``; see ``suite.py``.
"""

from aacap.metrics.suite import METRICS, METRIC_SETS, MetricError, Scores, evaluate, resolve_metrics
from aacap.metrics.tokenizer import tokenize

__all__ = ["evaluate", "Scores", "MetricError", "METRIC_SETS", "METRICS", "resolve_metrics", "tokenize"]
