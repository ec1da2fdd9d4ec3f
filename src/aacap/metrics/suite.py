"""``evaluate``: the DCASE metric suite over a corpus of candidates and references.

Score names follow aac-metrics (``bleu_1`` .. ``bleu_4``, ``meteor``, ``rouge_l``, ``cider_d``,
``spice``, ``spider``, ``spider_max``, ``sbert_sim``, ``fer``, ``fense``, ``spider_fl``, the
``vocab.*`` statistics; ``vocab_len`` = ``vocab.cands``); the presets are aac-metrics 0.6.0's
metric sets, with the outputs they produce. As in aac-metrics, every metric reads the
PTB-tokenized captions (SPICE reads the raw ones and parses them itself). Captions longer than
MAX_CAPTION_WORDS words are cut to their first MAX_CAPTION_WORDS words, so that no metric's cost
grows with one runaway caption (METEOR's alignment is quadratic in its length).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from aacap.metrics import ngram
from aacap.metrics.tokenizer import tokenize

BLEU = ["bleu_1", "bleu_2", "bleu_3", "bleu_4"]
# aac-metrics 0.6.0's METRICS_SETS, each listed with what it outputs ("spider" includes cider_d
# and spice, "spider_fl" cider_d, spice, spider and fer, "fense" sbert_sim and fer).
METRIC_SETS: dict[str, list[str]] = {
    "dcase2020": [*BLEU, "meteor", "rouge_l", "cider_d", "spice", "spider"],
    "dcase2023": ["meteor", "cider_d", "spice", "spider", "fer", "spider_fl"],
    "dcase2024": ["meteor", "cider_d", "spice", "spider", "fer", "spider_fl", "sbert_sim", "fense", "vocab"],
    "all": [*BLEU, "meteor", "rouge_l", "cider_d", "spice", "spider", "spider_max", "sbert_sim", "fer",
            "fense", "spider_fl", "vocab", "vocab_len"],
}
METRICS = METRIC_SETS["all"]
FENSE_FAMILY = {"fer", "fense", "spider_fl"}  # need FENSE's error detector
# group -> the groups whose scores it reads: they are computed first
READS = {"spider": ("cider_d", "spice"), "fense": ("sbert_sim", "fer"), "spider_fl": ("spider", "fer")}
# group -> groups whose backend it runs again on other inputs (SPIDEr-max: SPICE on each
# candidate); with READS: when one of them cannot run here, neither can it
RUNS_AGAIN = {"spider_max": ("spice",)}
MAX_CAPTION_WORDS = 256


class MetricError(ValueError):
    """Bad input to a metric, or a metric that cannot run here; the message says what to do."""


@dataclass
class Scores:
    """Result of :func:`evaluate`.

    corpus: metric name -> corpus score. per_item: metric name -> float64 array of shape (N,)
    (``vocab_len`` has no per-item value). backends: metric name -> what computed it, e.g.
    ``"python"`` or ``"java:meteor-1.5.jar"``.
    """

    corpus: dict[str, float]
    per_item: dict[str, np.ndarray]
    backends: dict[str, str] = field(default_factory=dict)
    truncated: int = 0  # captions cut to MAX_CAPTION_WORDS words

    def __getitem__(self, name: str | int) -> float | dict:
        if isinstance(name, int):  # scores[0], scores[1] like aac-metrics' (corpus, sents) tuple
            return (self.corpus, self.per_item)[name]
        return self.corpus[name]

    def __iter__(self):
        """``corpus, sents = evaluate(...)``, as with aac-metrics."""
        return iter((self.corpus, self.per_item))

    def __len__(self) -> int:
        return 2


def resolve_metrics(metrics: str | Sequence[str]) -> list[str]:
    """A preset name, a comma-separated list, or a list of names -> metric names in order."""
    if isinstance(metrics, str):
        if metrics in METRIC_SETS:
            return list(METRIC_SETS[metrics])
        metrics = [m.strip() for m in metrics.split(",") if m.strip()]
    names: list[str] = []
    for m in metrics:
        if m in METRIC_SETS:
            names.extend(x for x in METRIC_SETS[m] if x not in names)
        elif m in METRICS:
            if m not in names:
                names.append(m)
        else:
            raise MetricError(f"unknown metric or preset {m!r}: choose from {sorted(METRIC_SETS)} or {METRICS}")
    if not names:
        raise MetricError("no metric requested")
    return names


def check_inputs(candidates: Sequence[str], mult_references: Sequence[Sequence[str]]) -> None:
    """Raise MetricError (one line) unless the inputs are a non-empty corpus of strings."""
    if isinstance(candidates, str) or isinstance(mult_references, str):
        raise MetricError("candidates must be a list of strings and mult_references a list of lists of strings")
    if len(candidates) != len(mult_references):
        raise MetricError(f"{len(candidates)} candidates but {len(mult_references)} reference lists: "
                          "give one list of references per candidate")
    if len(candidates) == 0:
        raise MetricError("empty corpus: give at least one candidate with its references")
    for i, (cand, refs) in enumerate(zip(candidates, mult_references)):
        if not isinstance(cand, str):
            raise MetricError(f"candidate {i} is a {type(cand).__name__}, not a string")
        if isinstance(refs, str) or len(refs) == 0:
            raise MetricError(f"item {i} has no list of references: give at least one reference string")
        if not all(isinstance(r, str) for r in refs):
            raise MetricError(f"item {i} has a reference that is not a string")


def check_available(metrics: str | Sequence[str]) -> None:
    """Raise MetricError (one line naming the missing files and the download command) when a
    requested metric needs model files that are not here; cheap, so callers check before work."""
    if FENSE_FAMILY & set(resolve_metrics(metrics)):
        from aacap.metrics.fense_files import FenseFilesMissing, check_fense_files

        try:
            check_fense_files()
        except FenseFilesMissing as e:
            raise MetricError(str(e)) from None


def cap_words(text: str, limit: int = MAX_CAPTION_WORDS) -> tuple[str, bool]:
    """(text cut to its first `limit` whitespace-separated words, whether it was cut)."""
    words = text.split(maxsplit=limit)
    if len(words) <= limit:
        return text, False
    return " ".join(words[:limit]), True


def evaluate(
    candidates: Sequence[str],
    mult_references: Sequence[Sequence[str]],
    metrics: str | Sequence[str] = "dcase2020",
    *,
    mult_candidates: Sequence[Sequence[str]] | None = None,
    meteor_backend: str = "auto",
    spice_backend: str = "python",
    progress: bool = False,
    on_unavailable: Callable[[str, str], None] | None = None,
) -> Scores:
    """Score N candidate captions against their references.

    candidates: N strings. mult_references: N lists of reference strings (any number >= 1).
    metrics: a preset (``dcase2020``, ``dcase2023``, ``dcase2024``, ``all``), a comma-separated
    string or a list of names. mult_candidates: N lists of candidates (e.g. beam outputs) for
    ``spider_max``; defaults to ``[[c] for c in candidates]``. meteor_backend: ``python`` (the
    pure-Python port, equal to the jar; ``auto`` = python) or ``java`` (the official jar in one
    JVM started for this call). spice_backend: ``python`` (scene graphs from
    spaCy, see ``spice.py``) or ``java`` (the official SPICE 1.0 with the CoreNLP jars of
    ``aacap metrics download spice``, see ``spice_java.py``).
    Returns a :class:`Scores` with corpus and per-item values and the backend of each metric;
    it unpacks as ``corpus, per_item = evaluate(...)``. progress: a bar over the metric groups
    on stderr, naming the one being computed (a terminal only, ``aacap.progress``).
    on_unavailable: None raises the ``MetricError`` of a metric that cannot run here (e.g.
    METEOR's Java backend without Java); given, each requested metric that cannot run (or
    reads one that cannot: ``spider`` without SPICE) is left out and passed to it with why,
    as ``on_unavailable(name, why)``, and every other group is computed once.
    """
    check_inputs(candidates, mult_references)
    names = resolve_metrics(metrics)
    unavailable: dict[str, str] = {}  # metric group -> why it cannot run here
    try:
        check_available(names)
    except MetricError as err:
        if on_unavailable is None:
            raise
        unavailable["fer"] = str(err)  # the FENSE files: fer, and the groups that read it
    need = set(names) | ({"bleu"} if set(names) & set(BLEU) else set())  # the group of BLEU-n
    while reads := {g for group in need for g in READS.get(group, ())} - need:
        need |= reads
    capped = [cap_words(c) for c in candidates]
    candidates, cut_c = [c for c, _ in capped], [cut for _, cut in capped]
    capped_refs = [[cap_words(r) for r in refs] for refs in mult_references]
    mult_references = [[r for r, _ in refs] for refs in capped_refs]
    truncated = sum(cut_c) + sum(cut for refs in capped_refs for _, cut in refs)
    if mult_candidates is not None:  # SPIDEr-max's candidates: the same cap (`truncated` counts the others)
        mult_candidates = [[cap_words(c)[0] for c in cands] for cands in mult_candidates]
    corpus: dict[str, float] = {}
    per_item: dict[str, np.ndarray] = {}
    backends: dict[str, str] = {}
    from aacap.metrics import fense
    from aacap.metrics.vocab import vocab
    from aacap.progress import bar as progress_bar  # here: tqdm only when evaluating

    cands_tok = tokenize(candidates)
    refs_tok = [tokenize(refs) for refs in mult_references]
    steps: dict[str, Callable[[], tuple[tuple[dict[str, float], dict[str, np.ndarray]], str]]] = {
        # metric group -> ((corpus, per-item scores), backend), in the order they are computed
        "bleu": lambda: (ngram.bleu(cands_tok, refs_tok), "python"),
        "rouge_l": lambda: (ngram.rouge_l(cands_tok, refs_tok), "python"),
        "cider_d": lambda: (ngram.cider_d(cands_tok, refs_tok), "python"),
        "meteor": lambda: _meteor(cands_tok, refs_tok, meteor_backend),
        "spice": lambda: _spice(candidates, mult_references, spice_backend),
        "spider": lambda: (({"spider": (corpus["cider_d"] + corpus["spice"]) / 2},
                            {"spider": (per_item["cider_d"] + per_item["spice"]) / 2}),
                           f"cider_d:{backends['cider_d']}+spice:{backends['spice']}"),
        "spider_max": lambda: (_spider_max(mult_candidates or [[c] for c in candidates],
                                           mult_references, spice_backend), f"spice:{spice_backend}"),
        "vocab": lambda: (vocab(cands_tok, refs_tok), "python"),
        "sbert_sim": lambda: _sbert_sim(cands_tok, refs_tok),
        "fer": lambda: _fer(cands_tok),
        "fense": lambda: (fense.fense(per_item["sbert_sim"], per_item["fer"]),
                          f"fer:{backends['fer']}+sbert:{backends['sbert_sim']}"),
        "spider_fl": lambda: (fense.spider_fl(per_item["spider"], per_item["fer"]),
                              f"fer:{backends['fer']}+{backends['spider']}"),
    }
    todo = [g for g in steps if g in need]
    groups = [g for g in todo if g != "spider"]  # the bar's (SPIDEr is a mean of two)
    bar = progress_bar(total=len(groups), desc="metrics", unit="metric", enabled=progress,
                       leave=False)
    for group in todo:
        if group in groups:
            bar.set_postfix_str(group)  # the group being computed
        missing = [g for g in (group, *READS.get(group, ()), *RUNS_AGAIN.get(group, ()))
                   if g in unavailable]
        if missing:  # it, or a group it reads, cannot run here
            unavailable[group] = unavailable[missing[0]]
        else:
            try:
                (scores, items), backend = steps[group]()
            except MetricError as err:
                if on_unavailable is None:
                    raise
                unavailable[group] = str(err)
            else:
                corpus.update(scores)
                per_item.update(items)
                backends.update({k: backend for k in scores})
        if group in groups:
            bar.update()
    if "vocab_len" in need:
        corpus["vocab_len"] = float(len({w for c in cands_tok for w in c.split()}))
        backends["vocab_len"] = "python"
    bar.close()
    if on_unavailable is not None:
        for name in names:
            why = unavailable.get("bleu" if name in BLEU else name)
            if why is not None:
                on_unavailable(name, why)
    order = [n for n in names if n in corpus]
    order += [n for n in corpus if n.startswith("vocab.") and "vocab" in names]
    return Scores({n: corpus[n] for n in order}, {n: per_item[n] for n in order if n in per_item},
                  {n: backends[n] for n in order}, truncated)


def _sbert_sim(cands_tok: list[str], refs_tok: list[list[str]]
               ) -> tuple[tuple[dict[str, float], dict[str, np.ndarray]], str]:
    """FENSE's encoder (paraphrase-TinyBERT-L6-v2) when its files are here, else all-MiniLM-L6-v2
    from PyPI, labelled so: the two give different values."""
    from aacap.metrics import fense
    from aacap.metrics.fense_files import FenseFilesMissing, sbert_dir

    try:
        folder = sbert_dir()
    except FenseFilesMissing as missing:
        from aacap.metrics.sbert import SbertUnavailable, sbert_sim

        try:
            return sbert_sim(cands_tok, refs_tok), "python:all-MiniLM-L6-v2"
        except SbertUnavailable as e:
            raise MetricError(f"{missing}; {e}") from None
    return fense.sbert_sim(cands_tok, refs_tok, fense.load_sentence_encoder(folder)), "python:paraphrase-TinyBERT-L6-v2"


def _fer(cands_tok: list[str]) -> tuple[tuple[dict[str, float], dict[str, np.ndarray]], str]:
    from aacap.metrics import fense
    from aacap.metrics.bert import ModelFilesError
    from aacap.metrics.fense_files import FenseFilesMissing

    try:
        return fense.fer(cands_tok), f"python:{fense.fense_files.ECHECKER}"
    except (FenseFilesMissing, ModelFilesError) as e:
        raise MetricError(str(e)) from None


def _meteor(cands_tok: list[str], refs_tok: list[list[str]], backend: str
            ) -> tuple[tuple[dict[str, float], dict[str, np.ndarray]], str]:
    if backend in ("auto", "python"):
        from aacap.metrics.meteor import MeteorUnavailable, default_meteor

        try:
            return default_meteor().score(cands_tok, refs_tok), "python:meteor-1.5-port"
        except MeteorUnavailable as e:
            raise MetricError(str(e)) from None
    if backend != "java":
        raise MetricError(f"unknown METEOR backend {backend!r}: use 'python', 'java' or 'auto'")
    from aacap.metrics.java import JavaUnavailable
    from aacap.metrics.meteor_java import MeteorJava

    try:
        with MeteorJava() as meteor:
            return meteor.score(cands_tok, refs_tok), "java:meteor-1.5.jar"
    except JavaUnavailable as e:
        raise MetricError(f"METEOR's Java backend: {e}") from None


def _spice(candidates: Sequence[str], mult_references: Sequence[Sequence[str]], backend: str
           ) -> tuple[tuple[dict[str, float], dict[str, np.ndarray]], str]:
    if backend == "java":
        from aacap.metrics.java import JavaUnavailable
        from aacap.metrics.spice_java import spice_official

        try:
            return spice_official(candidates, mult_references), "java:spice-1.0.jar"
        except JavaUnavailable as e:
            raise MetricError(str(e)) from None
    if backend != "python":
        raise MetricError(f"unknown SPICE backend {backend!r}: use 'python' or 'java'")
    from aacap.metrics.spice import SpiceUnavailable, spice

    try:
        return spice(candidates, mult_references), "python:spacy-scene-graph"
    except SpiceUnavailable as e:
        raise MetricError(str(e)) from None


def _spider_max(mult_candidates: Sequence[Sequence[str]], mult_references: Sequence[Sequence[str]],
                spice_backend: str) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Best SPIDEr over each clip's candidates. CIDEr-D is computed on the flattened corpus
    (each candidate paired with its clip's references), as aac-metrics does."""
    if len(mult_candidates) != len(mult_references):
        raise MetricError(f"{len(mult_candidates)} candidate lists but {len(mult_references)} reference lists")
    flat_c = [c for cands in mult_candidates for c in cands]
    flat_r = [refs for cands, refs in zip(mult_candidates, mult_references) for _ in cands]
    if any(len(cands) == 0 for cands in mult_candidates):
        raise MetricError("spider_max: every clip needs at least one candidate")
    cider = ngram.cider_d(tokenize(flat_c), [tokenize(r) for r in flat_r])[1]["cider_d"]
    spice = _spice(flat_c, flat_r, spice_backend)[0][1]["spice"]
    spider = (cider + spice) / 2
    bounds = np.cumsum([0] + [len(c) for c in mult_candidates])
    best = np.array([spider[a:b].max() for a, b in zip(bounds[:-1], bounds[1:])])
    return {"spider_max": float(best.mean())}, {"spider_max": best}
