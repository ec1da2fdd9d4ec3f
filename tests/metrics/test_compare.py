"""Paired bootstrap and permutation test, and `aacap compare` on two CSVs in aac-metrics' format."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from aacap.metrics.compare import compare_items, most_different


def test_identical_systems_are_noise() -> None:
    a = np.random.default_rng(1).random(200)
    r = compare_items("x", a, a.copy(), resamples=2000)
    assert r.diff == 0 and r.low == r.high == 0 and r.p_value == 1.0


def test_clear_difference_is_significant_and_interval_covers_it() -> None:
    rng = np.random.default_rng(2)
    a = rng.random(300)
    b = a + 0.05 + rng.normal(0, 0.05, 300)
    r = compare_items("x", a, b, resamples=2000)
    assert r.p_value < 0.001
    assert r.low < r.diff < r.high and r.low > 0
    # the bootstrap interval has about the width of the normal approximation's
    se = (b - a).std(ddof=1) / np.sqrt(300)
    assert (r.high - r.low) == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_permutation_p_is_uniform_under_the_null() -> None:
    """Under no difference, p < 0.05 in about 5% of repeated experiments."""
    rng = np.random.default_rng(3)
    ps = [compare_items("x", rng.random(50), rng.random(50), resamples=500, seed=k).p_value for k in range(200)]
    assert 0.01 <= np.mean(np.array(ps) < 0.05) <= 0.11


def test_seeded_and_repeatable() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.random(100), rng.random(100)
    assert compare_items("x", a, b, seed=7) == compare_items("x", a, b, seed=7)
    assert most_different(a, b, 3)[0] == int(np.argmax(np.abs(b - a)))


def _csv(path, cands, refs) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["caption_predicted", "caption_1", "caption_2"])
        for c, r in zip(cands, refs):
            w.writerow([c, *r])


def test_cli_compare_two_aac_metrics_csvs(tmp_path, capsys, gen) -> None:
    from aacap.cli import main

    cands, refs = gen(11, n=40, max_refs=2)
    refs = [(r + r)[:2] for r in refs]
    better = [r[0] for r in refs[:20]] + cands[20:]  # B copies a reference for half the items
    _csv(tmp_path / "a.csv", cands, refs)
    _csv(tmp_path / "b.csv", better, refs)
    args = ["compare", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-m", "bleu_4,rouge_l,cider_d",
            "--resamples", "1000", "--top", "3"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {r["metric"]: r for r in out["metrics"]}
    assert rows["cider_d"]["diff"] > 0 and rows["cider_d"]["p_value"] < 0.01 and rows["cider_d"]["low"] > 0
    assert rows["cider_d"]["backend"] == "python"
    assert len(out["most_different"]["items"]) == 3 and out["resamples"] == 1000
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "95% CI" in text and "1000 resamples, seed 0" in text and "differ most in cider_d" in text
    _csv(tmp_path / "c.csv", cands[:10], refs[:10])
    assert main(["compare", str(tmp_path / "a.csv"), str(tmp_path / "c.csv"), "-m", "cider_d"]) == 2
    assert "same items" in capsys.readouterr().err
