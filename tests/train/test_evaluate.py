"""`score_available`: the metrics that can run here, each computed once, and the others named."""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

import pytest

from aacap.metrics import METRIC_SETS, MetricError, evaluate, ngram, suite
from aacap.train.evaluate import score_available

CANDIDATES = ["a dog barks", "rain falls on a roof"]
REFERENCES = [["a dog is barking", "a dog barks loudly"], ["rain is falling on a roof"]]


def test_an_unavailable_metric_is_left_out_and_the_others_computed_once(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    expected = evaluate(CANDIDATES, REFERENCES, ["bleu_1", "bleu_2", "bleu_3", "bleu_4", "meteor",
                                                 "rouge_l", "cider_d"])
    calls: Counter[str] = Counter()

    def counted(name: str, compute: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            calls[name] += 1
            return compute(*args)
        return run

    def no_spice(*args: Any) -> Any:
        calls["spice"] += 1
        raise MetricError("SPICE cannot run here (stand-in)")

    for name in ("bleu", "rouge_l", "cider_d"):
        monkeypatch.setattr(ngram, name, counted(name, getattr(ngram, name)))
    monkeypatch.setattr(suite, "_meteor", counted("meteor", suite._meteor))
    monkeypatch.setattr(suite, "_spice", no_spice)
    scores = score_available(CANDIDATES, REFERENCES, METRIC_SETS["dcase2020"], who="test")
    assert scores.corpus == expected.corpus  # SPICE and SPIDEr (which reads it) left out
    assert calls == {"bleu": 1, "rouge_l": 1, "cider_d": 1, "meteor": 1, "spice": 1}
    assert capsys.readouterr().err.splitlines() == [
        "test: skipped spice: SPICE cannot run here (stand-in)",
        "test: skipped spider: SPICE cannot run here (stand-in)"]


def test_spider_max_is_left_out_when_spice_cannot_run(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture) -> None:
    """SPIDEr-max runs SPICE again on every candidate: once SPICE failed, it is skipped, not
    tried a second time."""
    calls: Counter[str] = Counter()

    def no_spice(*args: Any) -> Any:
        calls["spice"] += 1
        raise MetricError("SPICE cannot run here (stand-in)")

    monkeypatch.setattr(suite, "_spice", no_spice)
    scores = score_available(CANDIDATES, REFERENCES, ["cider_d", "spice", "spider_max"], who="test")
    assert set(scores.corpus) == {"cider_d"} and calls == {"spice": 1}
    assert "test: skipped spider_max: SPICE cannot run here (stand-in)" in capsys.readouterr().err
