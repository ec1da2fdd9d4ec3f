"""Shared fixtures for the metric tests: the reference data in ../shared, generated caption sets."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("AACAP_SHARED", Path(__file__).resolve().parents[3] / "shared"))
CLOTHO = SHARED / "data" / "reference-scores" / "clotho_eval_conette.jsonl"


@pytest.fixture(scope="session")
def clotho() -> list[dict]:
    """The 1,045 Clotho-eval items with official per-caption scores (skip when ../shared is absent)."""
    if not CLOTHO.is_file():
        pytest.skip(f"reference data not found at {CLOTHO} (a clone without ../shared)")
    return [json.loads(line) for line in CLOTHO.read_text().splitlines()]


@pytest.fixture(scope="session")
def clotho_corpus() -> dict[str, float]:
    path = CLOTHO.with_name("clotho_eval_conette.corpus.json")
    if not path.is_file():
        pytest.skip(f"reference data not found at {path}")
    return json.loads(path.read_text())


WORDS = ("a dog barks loudly while the man speaks and birds chirp in the background a car passes by "
         "water flows rain falls on roof people talk crowd cheers engine hums door closes wind blows").split()
PUNCT = [",", ".", "!", "?", "'s", "n't", "-", "(", ")", '"', "...", ";", "3", "1.5", "o'clock", "e.g.", "U.S.",
         "Mr.", "etc.", "\u2019", "\u201c", "\u2014", "\u2026", "caf\u00e9", "\t", "cannot", "&", "/", "x-ray", "[", "]"]


def generated_set(seed: int, n: int = 60, max_refs: int = 6, punct: bool = False
                  ) -> tuple[list[str], list[list[str]]]:
    """Random captions from a small vocabulary (so n-grams overlap); optionally with punctuation,
    capitals and other tokenizer hazards."""
    rng = random.Random(seed)

    def caption() -> str:
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 14))]
        if punct:
            for _ in range(rng.randint(0, 3)):
                words.insert(rng.randint(0, len(words)), rng.choice(PUNCT))
            if rng.random() < 0.3:
                words[0] = words[0].capitalize()
        return " ".join(words)

    cands = [caption() for _ in range(n)]
    refs = [[caption() for _ in range(rng.randint(1, max_refs))] for _ in range(n)]
    return cands, refs


@pytest.fixture(scope="session")
def gen():
    """The caption-set generator (a fixture, so tests need not import conftest)."""
    return generated_set


REPO = Path(__file__).resolve().parents[2]


def meteor_index_dir() -> Path | None:
    """Where a prebuilt METEOR paraphrase index is (`make metrics-meteor` puts it in .cache/)."""
    for root in (os.environ.get("AACAP_CACHE"), REPO / ".cache" / "aacap", Path.home() / ".cache" / "aacap"):
        if root and (Path(root) / "meteor" / "paraphrase-en-v2.sqlite").is_file():
            return Path(root) / "meteor"
    return None


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Keep the SPICE parse cache of the tests out of the user's ~/.cache; reuse a prebuilt
    METEOR paraphrase index."""
    cache = tmp_path_factory.mktemp("aacap-cache")
    index = meteor_index_dir()
    if index is not None:
        (cache / "meteor").symlink_to(index, target_is_directory=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("AACAP_CACHE", str(cache))
    try:
        from aacap.metrics.spice import default_cache

        default_cache.cache_clear()
    except ImportError:
        pass
    yield
    mp.undo()
