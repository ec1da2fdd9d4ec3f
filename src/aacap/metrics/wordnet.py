"""WordNet synsets and morphology as METEOR 1.5 ships and uses them (SPICE uses the same).

The data (``synonym/english.synsets`` and ``english.exceptions``, WordNet 3.0) is read from
``meteor-1.5.jar`` inside the pycocoevalcap wheel.
"""

from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

from aacap.metrics.java import pycocoevalcap_dir


class WordNetUnavailable(RuntimeError):
    """METEOR's jar (the WordNet data) is not installed."""


class _Synsets(dict):
    """word -> frozenset of synset ids, parsed from the file's text on first use of each word
    (parsing all 150,000 entries up front costs more than a whole evaluation uses)."""

    def __getitem__(self, word: str) -> frozenset[int]:
        value = super().__getitem__(word)
        if isinstance(value, str):
            value = frozenset(int(x) for x in value.split())
            super().__setitem__(word, value)
        return value

    def get(self, word: str, default=None):  # type: ignore[override]
        return self[word] if word in self else default


class WordNet:
    """WordNet synsets and morphology as METEOR 1.5's SynonymDictionary (``synonym/english.*``)
    provides them to SPICE: the synsets of a word plus those of its base form (irregular forms,
    else the first WordNet suffix rule giving a known word)."""

    _SUFFIXES = [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
                 ("men", "man"), ("ies", "y"), ("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"),
                 ("ed", ""), ("ing", "e"), ("ing", ""), ("er", ""), ("est", ""), ("er", "e"), ("est", "e")]

    def __init__(self, jar: Path) -> None:
        with zipfile.ZipFile(jar) as zf:
            lines = zf.read("synonym/english.synsets").decode().split("\n")
            self.synsets = _Synsets(zip(lines[0::2], lines[1::2]))
            lines = zf.read("synonym/english.exceptions").decode().split("\n")
        self.bases: dict[str, list[str]] = {}
        for base, forms in zip(lines[0::2], lines[1::2]):
            for form in forms.split():
                self.bases.setdefault(form, []).append(base)

    def _morph(self, word: str) -> str:
        if word.endswith("ss") or len(word) <= 2:
            return word
        for suffix, repl in self._SUFFIXES:
            if word.endswith(suffix):
                base = word[: len(word) - len(suffix)] + repl
                if base in self.synsets:
                    # METEOR appends "ful" back to the base of "-ful" words (so they find nothing)
                    return base + ("ful" if word.endswith("ful") else "")
        return ""

    @lru_cache(maxsize=100_000)
    def lookup(self, concept: str) -> frozenset[int]:
        """Synset ids SPICE attaches to a concept (a word or a phrase, spaces as underscores)."""
        word = concept.strip().lower().replace(" ", "_")
        ids = set(self.synsets.get(word, ()))
        if word in self.bases:
            for base in self.bases[word]:
                ids |= self.synsets.get(base, frozenset())
        else:
            ids |= self.synsets.get(self._morph(word), frozenset())
        return frozenset(ids)


@lru_cache(maxsize=1)
def wordnet() -> WordNet:
    root = pycocoevalcap_dir()
    jar = root / "meteor" / "meteor-1.5.jar" if root else None
    if jar is None or not jar.is_file():
        raise WordNetUnavailable("WordNet data from METEOR's jar not found: `pip install pycocoevalcap==1.2`")
    return WordNet(jar)
