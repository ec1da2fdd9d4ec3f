"""METEOR 1.5 in pure Python: the ``-l en -norm`` configuration pycocoevalcap runs.

A candidate is aligned with each reference by four matchers (exact, Snowball stem, WordNet
synonym, paraphrase table), the alignment is chosen by METEOR's beam search (more matched
words, then fewer chunks, then smaller distance), and the statistics give
``Fmean * (1 - gamma * frag^beta)`` with English "rank" parameters and function-word weighting.
The best reference's statistics are kept per candidate; the corpus score is computed from the
statistics summed over candidates, as the jar's ``EVAL`` does. Resources (function words,
WordNet, the paraphrase table) are read from the jar and data in the pycocoevalcap wheel; the
stemmer is the Snowball English stemmer (``snowballstemmer``, identical to the jar's).

Agreement with the jar: ``tests/metrics/test_meteor.py`` and ``benchmarks/metrics.py``.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import re
import sqlite3
import sys
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from aacap.cache_dirs import cache_dir
from aacap.metrics.java import pycocoevalcap_dir
from aacap.metrics.wordnet import WordNet, wordnet

ALPHA, BETA, GAMMA, DELTA = 0.85, 0.20, 0.60, 0.75  # METEOR 1.5 English, task "rank"
WEIGHTS = (1.0, 0.6, 0.8, 0.6)  # exact, stem, synonym, paraphrase
BEAM_SIZE = 40


class MeteorUnavailable(RuntimeError):
    """METEOR's resources (pycocoevalcap wheel) or the Snowball stemmer are missing."""


def _resource_dir() -> Path:
    root = pycocoevalcap_dir()
    if root is None or not (root / "meteor" / "meteor-1.5.jar").is_file():
        raise MeteorUnavailable("METEOR's resources not found: `pip install pycocoevalcap==1.2`")
    return root / "meteor"


@lru_cache(maxsize=200_000)
def _java_hash(s: str) -> int:
    """Java's String.hashCode (METEOR compares words and stems by it)."""
    data = s.encode("utf-16-le")
    h = 0
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] | (data[i + 1] << 8))) & 0xFFFFFFFF
    return h


# ---- text normalisation (-norm: METEOR's tokenizer + lower-casing) ----

_ALPHA = "A-Za-z\u0160\u017d\u0161\u017e\u0178\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017e\u0400-\u04ff\u0500-\u0527\ua640-\ua66e\ua67e-\ua697\u1d00-\u1d7f"
_ALNUM = "0-9" + _ALPHA
_SEP_OTHER = re.compile(f"([^{_ALNUM} \t\n\x0b\x0c\r\\.'`,\\-\u2018\u2019])")
_MULTI_DOT = re.compile(r"\.([\.]+)")
_MULTI_DOT2 = re.compile(r"DOTMULTI\.([^\.])")
_COMMA = [re.compile(r"([^0-9]),([^0-9])"), re.compile(r"([0-9]),([^0-9])"), re.compile(r"([^0-9]),([0-9])")]
_QUOTE = re.compile("[`\u2018\u2019]")
_QUOTE2 = re.compile("[\u201c\u201d]|''")
_RM_DASH = re.compile(f"([{_ALNUM}\\.])-([{_ALNUM}])")
_CONT = [(re.compile(f"([^{_ALPHA}])'([^{_ALPHA}])"), r"\1 ' \2"),
         (re.compile(f"([^{_ALPHA}0-9])'([{_ALPHA}])"), r"\1 ' \2"),
         (re.compile(f"([{_ALPHA}])'([^{_ALPHA}])"), r"\1 ' \2"),
         (re.compile(f"([{_ALPHA}])'([{_ALPHA}])"), r"\1 '\2"),
         (re.compile(r"([0-9])'(s)"), r"\1 '\2")]
_NBP_ALPHA = re.compile(f"[{_ALPHA}]")
_WHITE = re.compile("[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\t\n\x0b\x0c\r]+")
_SIMPLE = re.compile(r"[a-z0-9 ]*")
_JAVA_WS = re.compile(r"[ \t\n\r\f]+")


def _tokens(text: str) -> list[str]:
    """Java StringTokenizer's split (ASCII whitespace only)."""
    return [t for t in _JAVA_WS.split(text) if t]


class Normalizer:
    """METEOR's ``-norm`` tokenisation for English (punctuation split, contractions,
    non-breaking prefixes), followed by lower-casing."""

    def __init__(self, jar: Path) -> None:
        with zipfile.ZipFile(jar) as zf:
            lines = zf.read("nonbreaking/english.prefixes").decode("utf-8").splitlines()
        self.nbp: dict[str, bool] = {}  # prefix -> numeric only
        for line in lines:
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            self.nbp[parts[0]] = len(parts) > 1 and parts[1] == "#NUMERIC_ONLY#"

    @lru_cache(maxsize=100_000)
    def __call__(self, line: str) -> str:
        if _SIMPLE.fullmatch(line):
            return " ".join(line.split())
        w = " " + line + " "
        w = _SEP_OTHER.sub(r" \1 ", w)
        w = _MULTI_DOT.sub(r" DOTMULTI\1", w)
        while "DOTMULTI." in w:
            w = _MULTI_DOT2.sub(r"DOTDOTMULTI \1", w)
            w = w.replace("DOTMULTI.", "DOTDOTMULTI")
        for pattern in _COMMA:
            w = pattern.sub(r"\1 , \2", w)
        w = _QUOTE.sub("'", w)
        w = _QUOTE2.sub(' " ', w)
        w = w.replace("\u2013", "-").replace("--", "-")
        w = _RM_DASH.sub(r"\1 \2", w)
        for pattern, repl in _CONT:
            w = pattern.sub(repl, w)
        words = _tokens(w)
        out = []
        for i, word in enumerate(words):
            if len(word) > 1 and word.endswith("."):
                pre = word[:-1]
                numeric_only = self.nbp.get(pre)
                nxt = words[i + 1] if i < len(words) - 1 else None
                if "." in pre and _NBP_ALPHA.search(pre):
                    out.append(word.replace(".", ""))
                elif numeric_only is False or (nxt is not None and "a" <= nxt[0] <= "z"):
                    out.append(word)
                elif numeric_only and nxt is not None and "0" <= nxt[0] <= "9":
                    out.append(word)
                else:
                    out.append(pre + " .")
            else:
                out.append(word)
        w = " ".join(out) + " "
        while "DOTDOTMULTI" in w:
            w = w.replace("DOTDOTMULTI", "DOTMULTI.")
        w = w.replace("DOTMULTI", ".")
        return _WHITE.sub(" ", w).strip().lower()


# ---- paraphrase table ----


class Paraphrases:
    """METEOR's English paraphrase table (``paraphrase-en.gz``: 5.3M phrase pairs).

    Scanning the table takes several seconds, so it is converted once into an SQLite index in
    the cache (``$AACAP_CACHE/meteor/paraphrase-en-v2.sqlite`` plus a sorted array of 64-bit
    phrase hashes; about 1 minute; ``make metrics-meteor`` does it ahead); each evaluation then
    loads only the entries whose phrase occurs in its sentences, keeping the table's order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        self.known: set[tuple[str, ...]] = set()  # phrases whose entries are loaded
        self.prefixes: set[tuple[str, ...]] = set()  # every prefix of a loaded phrase
        self.max_len = 1

    @staticmethod
    def index_path() -> Path:
        return cache_dir("meteor") / "paraphrase-en-v2.sqlite"

    @staticmethod
    def _hashes(phrases: Iterable[str]) -> np.ndarray:
        return np.array([int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest(), "little")
                         for p in phrases], dtype=np.uint64)

    def build_index(self) -> Path:
        """Convert the gzipped table into the SQLite index (idempotent)."""
        target = self.index_path()
        hashes = target.with_suffix(".refhash.npy")
        if target.is_file() and hashes.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        print(f"aacap: indexing METEOR's paraphrase table into {target} (once, about a minute)", file=sys.stderr)
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE para (ord INTEGER PRIMARY KEY, ref TEXT, par TEXT)")
        with gzip.open(self.path, "rt", encoding="utf-8") as f:
            lines = iter(f)

            def rows():
                for n, _prob in enumerate(lines):
                    yield n, " ".join(_tokens(next(lines))), " ".join(_tokens(next(lines)))

            db.executemany("INSERT INTO para VALUES (?, ?, ?)", rows())
        db.execute("CREATE INDEX para_ref ON para (ref)")
        db.execute("CREATE TABLE meta (max_len INTEGER)")
        db.execute("INSERT INTO meta SELECT MAX(LENGTH(ref) - LENGTH(REPLACE(ref, ' ', '')) + 1) FROM para")
        db.commit()
        refs = (r for (r,) in db.execute("SELECT DISTINCT ref FROM para"))
        np.save(hashes.with_suffix(".tmp.npy"), np.unique(self._hashes(refs)))
        db.close()
        os.replace(hashes.with_suffix(".tmp.npy"), hashes)
        os.replace(tmp, target)
        return target

    def load_for(self, sentences: Sequence[list[str]]) -> None:
        """Load the entries of every n-gram of these sentences not loaded before."""
        index = self.build_index()
        db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        try:
            self.max_len = db.execute("SELECT max_len FROM meta").fetchone()[0]
            wanted = {tuple(s[i:j]) for s in sentences for i in range(len(s))
                      for j in range(i + 1, min(len(s), i + self.max_len) + 1)}
            wanted = list(wanted - self.known)
            if not wanted:
                return
            # keep the n-grams whose hash is among the table's phrases (a few false positives
            # are harmless: the query below finds no entry for them)
            known_hashes = np.load(index.with_suffix(".refhash.npy"), mmap_mode="r")
            texts = [" ".join(g) for g in wanted]
            h = self._hashes(texts)
            pos = np.searchsorted(known_hashes, h).clip(max=len(known_hashes) - 1)
            present = [t for t, hit in zip(texts, known_hashes[pos] == h) if hit]
            rows = []
            for start in range(0, len(present), 500):
                chunk = present[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += db.execute(f"SELECT ord, ref, par FROM para WHERE ref IN ({marks})", chunk).fetchall()
            for _, ref, par in sorted(rows):
                self.table.setdefault(tuple(ref.split(" ")), []).append(tuple(par.split(" ")))
            new = {tuple(ref.split(" ")) for _, ref, _ in rows}  # only the rows loaded now
            self.prefixes.update(k[:i] for k in new for i in range(1, len(k) + 1))
            self.known.update(wanted)
            self.paths.cache_clear()
        finally:
            db.close()

    @lru_cache(maxsize=100_000)
    def paths(self, words: tuple[str, ...]) -> list[list[tuple[int, list[tuple[str, ...]]]]]:
        """Per start position: (phrase length, its paraphrases in file order) of the phrases
        starting there, shortest first (as METEOR's transducer walks them)."""
        out = []
        table, prefixes = self.table, self.prefixes
        for start in range(len(words)):
            here = []
            for end in range(start + 1, min(len(words), start + self.max_len) + 1):
                phrase = words[start:end]
                if phrase not in prefixes:  # no loaded phrase starts so: none longer either
                    break
                pars = table.get(phrase)
                if pars:
                    here.append((end - start, pars))
            out.append(here)
        return out


# ---- alignment ----


class Match:
    """A match of reference words [start, start+length) with candidate words
    [match_start, match_start+match_length), found by module 0-3."""

    __slots__ = ("start", "length", "match_start", "match_length", "module", "mask1", "mask2")

    def __init__(self, start: int, length: int, match_start: int, match_length: int, module: int) -> None:
        self.start, self.length, self.match_start, self.match_length = start, length, match_start, match_length
        self.module = module
        self.mask1 = ((1 << match_length) - 1) << match_start  # candidate words used
        self.mask2 = ((1 << length) - 1) << start  # reference words used


class _Path:
    """A partial alignment in METEOR's beam search (words used kept as bit masks)."""

    __slots__ = ("matches", "matches1", "matches2", "chunks", "idx", "last_end", "distance", "used1", "used2")

    def __init__(self, n2: int) -> None:
        self.matches: list[Match | None] = [None] * n2
        self.matches1 = self.matches2 = self.chunks = self.idx = self.distance = 0
        self.last_end = -1
        self.used1 = self.used2 = 0

    def copy(self) -> "_Path":
        p = _Path.__new__(_Path)
        p.matches, p.used1, p.used2 = self.matches[:], self.used1, self.used2
        p.matches1, p.matches2, p.chunks = self.matches1, self.matches2, self.chunks
        p.idx, p.last_end, p.distance = self.idx, self.last_end, self.distance
        return p

    def take(self, m: Match) -> None:
        """Account for match m (METEOR adds weighted lengths to int counters: truncation)."""
        self.matches1 = int(self.matches1 + m.match_length * WEIGHTS[m.module])
        self.matches2 = int(self.matches2 + m.length * WEIGHTS[m.module])
        if self.last_end != -1 and m.match_start != self.last_end:
            self.chunks += 1
        self.idx = m.start + m.length
        self.last_end = m.match_start + m.match_length

    def key(self) -> tuple[int, int, int]:
        return (-(self.matches1 + self.matches2), self.chunks, self.distance)


@dataclass
class Stats:
    """METEOR sufficient statistics of one segment (or a sum of segments)."""

    test_len: int = 0
    ref_len: int = 0
    test_fn: int = 0
    ref_fn: int = 0
    test_content: list[float] = field(default_factory=lambda: [0.0] * 4)
    ref_content: list[float] = field(default_factory=lambda: [0.0] * 4)
    test_function: list[float] = field(default_factory=lambda: [0.0] * 4)
    ref_function: list[float] = field(default_factory=lambda: [0.0] * 4)
    chunks: float = 0.0
    test_words: float = 0.0
    ref_words: float = 0.0

    @property
    def test_total(self) -> float:
        return sum(self.test_content) + sum(self.test_function)

    @property
    def ref_total(self) -> float:
        return sum(self.ref_content) + sum(self.ref_function)

    def perfect(self) -> bool:
        return self.test_total == self.test_len and self.ref_total == self.ref_len and self.chunks == 1

    def add(self, o: "Stats") -> None:
        """Sum as METEOR's aggregate does (a perfect segment's single chunk is not counted)."""
        self.test_len += o.test_len
        self.ref_len += o.ref_len
        self.test_fn += o.test_fn
        self.ref_fn += o.ref_fn
        for mine, theirs in ((self.test_content, o.test_content), (self.ref_content, o.ref_content),
                             (self.test_function, o.test_function), (self.ref_function, o.ref_function)):
            for i in range(4):
                mine[i] += theirs[i]
        if not o.perfect():
            self.chunks += o.chunks
        self.test_words += o.test_words
        self.ref_words += o.ref_words

    def score(self) -> float:
        test_w = DELTA * (self.test_len - self.test_fn) + (1 - DELTA) * self.test_fn
        ref_w = DELTA * (self.ref_len - self.ref_fn) + (1 - DELTA) * self.ref_fn
        tm = sum(self.test_content[i] * WEIGHTS[i] * DELTA for i in range(4))
        rm = sum(self.ref_content[i] * WEIGHTS[i] * DELTA for i in range(4))
        tm += sum(self.test_function[i] * WEIGHTS[i] * (1 - DELTA) for i in range(4))
        rm += sum(self.ref_function[i] * WEIGHTS[i] * (1 - DELTA) for i in range(4))
        try:
            precision, recall = tm / test_w, rm / ref_w
            fmean = 1.0 / ((1 - ALPHA) / precision + ALPHA / recall)
            if self.perfect():
                frag = 0.0
            else:
                frag = self.chunks / ((self.test_words + self.ref_words) / 2)
            score = fmean * (1 - GAMMA * frag**BETA)
        except ZeroDivisionError:
            return 0.0
        return 0.0 if math.isnan(score) else max(score, 0.0)


class Meteor:
    """METEOR 1.5 (``-l en -norm``) without Java. ``score(candidates, mult_references)``."""

    def __init__(self) -> None:
        try:
            import snowballstemmer
        except ImportError:
            raise MeteorUnavailable("METEOR's pure-Python port needs `pip install snowballstemmer`") from None
        root = _resource_dir()
        jar = root / "meteor-1.5.jar"
        with zipfile.ZipFile(jar) as zf:
            self.function_words = set(zf.read("function/english.words").decode("utf-8").split())
        self.normalize = Normalizer(jar)
        self.wordnet: WordNet = wordnet()
        self.paraphrases = Paraphrases(root / "data" / "paraphrase-en.gz")
        self._stemmer = snowballstemmer.stemmer("english")

    @lru_cache(maxsize=100_000)
    def _stem_hash(self, word: str) -> int:
        return _java_hash(self._stemmer.stemWord(word))

    def _matches(self, w1: list[str], w2: list[str], modules: int) -> tuple[list[list[Match]], list[int], list[int]]:
        """Candidate matches per reference position (modules in order, candidate positions
        ascending, as METEOR's matchers loop), and how many matches cover each word."""
        h1, h2 = [_java_hash(w) for w in w1], [_java_hash(w) for w in w2]
        matches: list[list[Match]] = [[] for _ in w2]
        cov1, cov2 = [0] * len(w1), [0] * len(w2)

        def add(m: Match) -> None:
            matches[m.start].append(m)
            for k in range(m.match_start, m.match_start + m.match_length):
                cov1[k] += 1
            for k in range(m.start, m.start + m.length):
                cov2[k] += 1

        def positions(keys: list) -> dict:
            index: dict = {}
            for i, k in enumerate(keys):
                index.setdefault(k, []).append(i)
            return index

        exact = positions(h1)
        for j in range(len(w2)):
            for i in exact.get(h2[j], ()):
                add(Match(j, 1, i, 1, 0))
        if modules == 1:
            return matches, cov1, cov2
        s1 = [self._stem_hash(w) for w in w1]
        stems = positions(s1)
        for j, w in enumerate(w2):
            for i in stems.get(self._stem_hash(w), ()):
                if h1[i] != h2[j]:
                    add(Match(j, 1, i, 1, 1))
        by_synset = self._synset_positions(tuple(w1))
        for j, w in enumerate(w2):
            found = {i for sid in self.wordnet.lookup(w) for i in by_synset.get(sid, ())}
            for i in sorted(found):
                if h1[i] != h2[j]:
                    add(Match(j, 1, i, 1, 2))
        t1, t2 = tuple(w1), tuple(w2)
        first1, first2 = self._word_positions(t1), self._word_positions(t2)
        # a paraphrase can only occur where its first word does: one dict look-up rules most out
        for j, here in enumerate(self.paraphrases.paths(t2)):  # reference phrase -> candidate
            for length, pars in here:
                for words in pars:
                    if words[0] in first1:
                        for i in _phrase_positions(t1, first1, words):
                            add(Match(j, length, i, len(words), 3))
        for i, here in enumerate(self.paraphrases.paths(t1)):  # candidate phrase -> reference
            for length, pars in here:
                for words in pars:
                    if words[0] in first2:
                        for j in _phrase_positions(t2, first2, words):
                            add(Match(j, len(words), i, length, 3))
        return matches, cov1, cov2

    @lru_cache(maxsize=50_000)
    def _synset_positions(self, words: tuple[str, ...]) -> dict[int, list[int]]:
        index: dict[int, list[int]] = {}
        for i, w in enumerate(words):
            for sid in self.wordnet.lookup(w):
                index.setdefault(sid, []).append(i)
        return index

    @staticmethod
    @lru_cache(maxsize=50_000)
    def _word_positions(words: tuple[str, ...]) -> dict[str, list[int]]:
        """Positions of each word, ascending."""
        index: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            index.setdefault(w, []).append(i)
        return index

    def align(self, w1: list[str], w2: list[str]) -> Stats:
        """Statistics of candidate words w1 aligned with reference words w2."""
        h1, h2 = [_java_hash(w) for w in w1], [_java_hash(w) for w in w2]
        modules = 1 if h1 == h2 else 4
        matches, cov1, cov2 = self._matches(w1, w2, modules)
        start = _Path(len(w2))
        ambiguous = False
        for j, ms in enumerate(matches):  # matches without competitors are fixed from the start
            if len(ms) == 1:
                m = ms[0]
                if all(cov2[j + k] == 1 for k in range(m.length)) and \
                        all(cov1[m.match_start + k] == 1 for k in range(m.match_length)):
                    start.matches[j] = m
                    start.used1 |= m.mask1
                    start.used2 |= m.mask2
                    continue
            ambiguous = ambiguous or bool(ms)
        # without competing matches the search can only keep the fixed ones
        best = self._resolve(matches, start) if ambiguous else start
        stats = Stats(test_len=len(w1), ref_len=len(w2))
        fn1 = [w.lower() in self.function_words for w in w1]
        fn2 = [w.lower() in self.function_words for w in w2]
        stats.test_fn, stats.ref_fn = sum(fn1), sum(fn2)
        for m in best.matches:
            if m is None:
                continue
            for k in range(m.match_start, m.match_start + m.match_length):
                (stats.test_function if fn1[k] else stats.test_content)[m.module] += 1
            for k in range(m.start, m.start + m.length):
                (stats.ref_function if fn2[k] else stats.ref_content)[m.module] += 1
        stats.test_words, stats.ref_words, stats.chunks = _count_chunks(best.matches)
        return stats

    def _resolve(self, matches: list[list[Match]], start: _Path) -> _Path:
        """METEOR's beam search over the reference positions (including its quirks: the
        distance of a path is charged to its parent, counters truncate to int)."""
        next_paths = [start]
        n = len(matches)
        for current in range(n + 1):
            paths = sorted(next_paths, key=_Path.key) if len(next_paths) > 1 else next_paths
            next_paths = []
            for path in paths[:BEAM_SIZE]:
                if current == n:
                    if path.last_end != -1:
                        path.chunks += 1
                    next_paths.append(path)
                    continue
                if path.used2 >> current & 1:
                    if current < path.idx:
                        next_paths.append(path)
                    elif path.matches[path.idx] is not None:
                        m = path.matches[path.idx]
                        path.take(m)
                        path.distance += abs(m.start - m.match_start)
                        next_paths.append(path)
                    continue
                for m in matches[current]:
                    if path.used1 & m.mask1 or path.used2 & m.mask2:
                        continue
                    new = path.copy()
                    new.used1 |= m.mask1
                    new.used2 |= m.mask2
                    new.matches[current] = m
                    new.take(m)
                    path.distance += abs(m.start - m.match_start)
                    next_paths.append(new)
                if path.last_end != -1:
                    path.chunks += 1
                    path.last_end = -1
                path.idx += 1
                next_paths.append(path)
            if not next_paths:
                next_paths.append(paths[0])
        return sorted(next_paths, key=_Path.key)[0]

    def segment(self, candidate: str, references: Sequence[str]) -> Stats:
        """Best statistics of a candidate over its references (by segment score)."""
        test = _tokens(self.normalize(candidate.replace("|||", "").replace("  ", " ").strip()))
        best, best_score = Stats(), -1.0
        for ref in references:
            stats = self.align(test, _tokens(self.normalize(ref.strip())))
            score = stats.score()
            if score > best_score:
                best, best_score = stats, score
        return best

    def score(self, candidates: Sequence[str], mult_references: Sequence[Sequence[str]]
              ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        """METEOR of tokenised candidates (N) against their references (N lists):
        ``({"meteor": corpus}, {"meteor": per_item[N]})``."""
        sentences = [_tokens(self.normalize(c.replace("|||", "").replace("  ", " ").strip())) for c in candidates]
        sentences += [_tokens(self.normalize(r.strip())) for refs in mult_references for r in refs]
        self.paraphrases.load_for(sentences)
        total = Stats()
        per_item = np.zeros(len(candidates))
        for i, (cand, refs) in enumerate(zip(candidates, mult_references)):
            stats = self.segment(cand, refs)
            per_item[i] = stats.score()
            total.add(stats)
        return {"meteor": total.score()}, {"meteor": per_item}


def _phrase_positions(words: tuple[str, ...], first: dict[str, list[int]], phrase: tuple[str, ...]) -> list[int]:
    """Start positions (ascending) where `phrase` occurs in `words`; first: _word_positions(words)."""
    n = len(phrase)
    return [i for i in first.get(phrase[0], ()) if words[i : i + n] == phrase]


def _count_chunks(matches: list[Match | None]) -> tuple[int, int, int]:
    """(candidate words matched, reference words matched, chunks) of a final alignment."""
    m1 = m2 = chunks = idx = 0
    last_end = -1
    while idx < len(matches):
        m = matches[idx]
        if m is None:
            if last_end != -1:
                chunks += 1
                last_end = -1
            idx += 1
        else:
            m1 += m.match_length
            m2 += m.length
            if last_end != -1 and m.match_start != last_end:
                chunks += 1
            idx = m.start + m.length
            last_end = m.match_start + m.match_length
    if last_end != -1:
        chunks += 1
    return m1, m2, chunks


@lru_cache(maxsize=1)
def default_meteor() -> Meteor:
    return Meteor()
