"""Paired comparison of two systems on the same items: is a metric difference more than noise?

For each metric with per-item values a (system A) and b (system B) over the same N items:

- the difference of the corpus scores, B - A;
- a paired bootstrap 95% interval of that difference: RESAMPLES resamples of the N items with
  replacement, each rescored (mean of b - a over the resample), the 2.5th and 97.5th percentiles;
- a paired permutation (sign-flip) test p-value: under "no difference" A and B are exchangeable
  within each item, so each item's difference keeps or flips its sign at random; p = (1 + #{|mean
  flipped| >= |observed|}) / (1 + RESAMPLES), two-sided.

Both use numpy's generator seeded with `seed`, so a run is repeatable. Corpus scores here are
means of per-item scores (true of every metric of the suite except BLEU, whose corpus value is
not a mean: BLEU is compared on its per-item values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RESAMPLES = 10_000
SEED = 0


@dataclass(frozen=True)
class Comparison:
    """One metric: mean_a, mean_b (means of per-item scores), diff = mean_b - mean_a, the
    bootstrap interval (low, high) of diff, and the permutation p-value."""

    metric: str
    mean_a: float
    mean_b: float
    diff: float
    low: float
    high: float
    p_value: float


def compare_items(metric: str, a: np.ndarray, b: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED,
                  chunk: int = 1000) -> Comparison:
    """a, b: float arrays (N,) of per-item scores of the same items."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(f"{metric}: per-item scores of different shapes {a.shape} and {b.shape}")
    d = b - a
    n = len(d)
    observed = float(d.mean())
    rng = np.random.default_rng(seed)
    boot, extreme = [], 0
    for start in range(0, resamples, chunk):  # (chunk, N) at a time: bounded memory
        k = min(chunk, resamples - start)
        boot.append(d[rng.integers(0, n, size=(k, n))].mean(axis=1))
        signs = rng.integers(0, 2, size=(k, n)) * 2 - 1
        extreme += int((np.abs((signs * d).mean(axis=1)) >= abs(observed) - 1e-12).sum())
    low, high = np.percentile(np.concatenate(boot), [2.5, 97.5])
    return Comparison(metric, float(a.mean()), float(b.mean()), observed, float(low), float(high),
                      (1 + extreme) / (1 + resamples))


def most_different(a: np.ndarray, b: np.ndarray, top: int) -> list[int]:
    """Indices of the `top` items where |b - a| is largest (largest first; ties by index)."""
    d = np.abs(np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64))
    return [int(i) for i in np.argsort(-d, kind="stable")[:top]]
