"""Caption -> SPICE tuples: SPICE 1.0's parser rules on a spaCy parse converted to Stanford's
Universal Dependencies.

The official SPICE parses each caption with Stanford CoreNLP 3.6.0 (constituency parse converted
to collapsed, CC-processed Universal Dependencies v1), applies four of the scene-graph parser's
graph enhancements (quantifier collapsing, compound and particle collapsing, pronoun
resolution; *not* plural resolution) and then matches a fixed list of dependency patterns.
This module does the same in three steps:

1. :func:`from_spacy` and :func:`to_corenlp` (:mod:`aacap.metrics.spice_deps`) turn a spaCy
   parse into the graph CoreNLP would build.
2. :func:`enhance` collapses quantifiers (``a lot of birds`` -> ``birds`` with a ``qmod``) and
   resolves pronouns (the first noun of a breadth-first search from the root, singular nouns for
   singular pronouns, when it precedes the pronoun). Compound and particle collapsing only set
   annotations that SPICE's tuples never read (SPICE uses each word's own lemma), so they change
   nothing here.
3. :func:`spice_tuples` matches SPICE's patterns, in SPICE's order: subject-predicate-object,
   participial modifiers (``acl``), subject-predicate and copula, adjectival modifiers and
   predicates, prepositional modifiers of nouns, possessives, passive agents, numeric and
   quantifier attributes of plural nouns, compounds (the modifier an attribute, neither noun an
   object), and every other noun as an object. SpiceParser's rule that would share relations
   between conjoined nouns compares a string with a word object and so never adds a tuple; it
   is left out.
"""

from __future__ import annotations

from aacap.metrics.spice_deps import NOUN_TAGS, PLURAL_TAGS, DepGraph, Word, from_spacy, reattach, to_corenlp

__all__ = ["DepGraph", "Tuple", "Word", "enhance", "from_spacy", "propose_tuples", "spice_tuples",
           "to_corenlp"]

Tuple = tuple[str, ...]

# SemanticGraphEnhancer's quantifier expressions
QUANT_A = frozenset("lot assortment number couple bunch handful litany sheaf slew dozen series variety multitude "
                    "wad clutch wave mountain array spate string ton range plethora heap sort form kind type "
                    "version bit pair triple total".split())
QUANT_PLURAL = frozenset("lots many several plenty tons dozens multitudes mountains loads pairs tens hundreds "
                         "thousands millions billions trillions".split())
QUANT_OF = frozenset("some all both neither everyone nobody one two three four five six seven eight nine ten "
                     "hundred thousand million billion trillion".split())
# dcoref's singular pronouns: they only take singular antecedents
SINGULAR_PRONOUNS = frozenset("i me myself mine my yourself he him himself his she her herself hers it its "
                              "itself one".split())

# ---- 2. SemanticGraphEnhancer: quantifiers and pronouns ----


def enhance(g: DepGraph) -> None:
    """The enhancements SPICE applies that change its tuples (see module docstring)."""
    _collapse_quantifiers(g)
    _resolve_pronouns(g)


def _of_noun(g: DepGraph, w: int) -> int | None:
    """The noun of ``w``'s nmod:of when "of" directly follows w ("lot of birds" -> birds)."""
    for rel, gov in g.children(w):
        if rel == "nmod:of" and (g.words[gov].noun or g.words[gov].tag.startswith("PRP")):
            case = g.child(gov, "case")
            if case is not None and case == w + 1:
                return gov
    return None


def _collapse_quantifiers(g: DepGraph) -> None:
    """"a lot of birds", "dozens of birds", "some of the birds": the noun takes the quantifier's
    place in the graph and gets a ``qmod`` whose head is the expression's first word."""
    for w, word in sorted(g.words.items()):
        if not (word.word in QUANT_A or word.word in QUANT_PLURAL or word.word in QUANT_OF or word.word.isdigit()):
            continue
        gov = _of_noun(g, w)
        if gov is None:
            continue
        det = g.child(w, "det")
        if word.word in QUANT_A and det is not None and g.words[det].word in ("a", "an"):
            extra = [det] + [d for r, d in g.children(w, "amod") if d < w]
        elif word.word in QUANT_PLURAL:
            extra = [d for _, d in g.children(w) if d < w]
        elif (word.word in QUANT_OF or word.word.isdigit()) and (
                not g.words[gov].noun or g.child(gov, "det") is not None):  # "some of *the* birds"
            extra = [d for _, d in g.children(w) if d < w]
        else:
            continue
        of = g.child(gov, "case")
        g.remove((w, "nmod:of", gov))
        if w in g.roots:
            g.roots[g.roots.index(w)] = gov
        else:
            for pg, pr, _ in g.incoming(w)[:1]:
                g.remove((pg, pr, w))
                g.add(pg, pr, gov)
        mwe = sorted({w, of, *extra})
        for m in mwe:
            for e in g.incoming(m):
                g.remove(e)
        g.add(gov, "qmod", mwe[0])
        for m in mwe[1:]:
            g.add(mwe[0], "mwe", m)


def _bfs_noun(g: DepGraph, start: int, singular: bool) -> int | None:
    seen: set[int] = set()
    while start is not None and start not in seen:
        queue = [start]
        while queue:
            cur = queue.pop(0)
            if cur in seen:
                continue
            seen.add(cur)
            tag = g.words[cur].tag
            if tag in ("NN", "NNP") or (not singular and tag in NOUN_TAGS):
                return cur
            queue.extend(d for _, d in g.children(cur))
        start = g.parent(start)
    return None


def _resolve_pronouns(g: DepGraph) -> None:
    """SimplePronounResolution: a pronoun (not the first word) with a governor takes the first
    noun of a breadth-first search from the root, when that noun comes before it."""
    if not g.roots:
        return
    pairs = {}
    for i, w in sorted(g.words.items()):
        if i > 1 and w.tag.startswith("PRP") and g.parent(i) is not None:
            ante = _bfs_noun(g, g.roots[0], w.word in SINGULAR_PRONOUNS)
            if ante is not None and ante < i:
                pairs[i] = ante
    for pron, mention in pairs.items():
        reattach(g, pron, mention)


# ---- 3. SPICE's patterns ----

_OBJ_RELS = ("iobj", "dobj")


def _is_obj_rel(rel: str) -> bool:
    return rel in _OBJ_RELS or rel.startswith("nmod:")


def _predicate(g: DepGraph, pred: int) -> str:
    """The predicate's lemma with its particle ("go off"); "be" gives way to the particle."""
    prt = g.child(pred, "compound:prt")
    lemma = g.words[pred].lemma
    if prt is not None:
        return f"{'' if lemma == 'be' else lemma} {g.words[prt].word}"
    return lemma


def _with_prep(predicate: str, rel: str) -> str:
    if rel.startswith("nmod:") and rel not in ("nmod:poss", "nmod:agent"):
        return predicate + rel.replace("nmod:", " ").replace("_", " ")
    return predicate


def spice_tuples(g: DepGraph) -> list[Tuple]:
    """SPICE's proposed tuples of one enhanced graph: (object,), (object, attribute) and
    (subject, object, relation), in the order SpiceParser adds them."""
    return [*_predicate_tuples(g), *_modifier_tuples(g), *_object_tuples(g)]


def _with_subject(g: DepGraph, rel: str = "nsubj") -> list[int]:
    """Words with a noun dependent ``rel``, in word order."""
    return sorted({gov for gov, r, dep in g.edges if r == rel and g.words[dep].noun})


def _predicate_tuples(g: DepGraph) -> list[Tuple]:
    """Subject-predicate-object ("a man rides a horse"), participial modifiers ("a cat sitting
    in a chair"), subject-predicate ("a woman smiles") and copula ("the man is a rider")."""
    words, out = g.words, []
    has_cop = {gov for gov, rel, _ in g.edges if rel == "cop"}
    with_subject = _with_subject(g)
    for pred in with_subject:
        if pred in has_cop:
            continue
        kids = g.children(pred)
        for _, subj in g.children(pred, "nsubj"):
            if words[subj].noun:
                out.extend((words[subj].lemma, words[obj].lemma, _with_prep(_predicate(g, pred), rel))
                           for rel, obj in kids if _is_obj_rel(rel) and words[obj].noun)
    for subj, rel, pred in list(g.edges):
        if rel == "acl" and words[pred].tag.startswith("V"):
            out.extend((words[subj].lemma, words[obj].lemma, _with_prep(_predicate(g, pred), orel))
                       for orel, obj in g.children(pred) if _is_obj_rel(orel) and words[obj].noun)
    for copular in (False, True):
        for pred in with_subject:
            if (pred in has_cop) != copular:
                continue
            if not copular and any(_is_obj_rel(r) and words[d].noun for r, d in g.children(pred)):
                continue
            case = g.child(pred, "case")
            for _, subj in g.children(pred, "nsubj"):
                if not words[subj].noun:
                    continue
                if case is not None:
                    prep = " ".join([words[case].word] + [words[m].word for _, m in g.children(case, "mwe")])
                    out.append((words[subj].lemma, words[pred].lemma, prep))
                elif words[pred].lemma != "be":
                    out.append((words[subj].lemma, words[pred].lemma))
    return out


def _modifier_tuples(g: DepGraph) -> list[Tuple]:
    """Adjectival modifiers ("a smart woman") and predicates ("the man is tall"), prepositional
    modifiers of nouns ("a woman in the house"), possessives ("his watch" -> (he, watch, have))
    and passives with an agent ("a door opened by a man")."""
    words, out = g.words, []
    lem = {i: w.lemma for i, w in words.items()}
    out.extend((lem[obj], lem[adj]) for obj, rel, adj in g.edges if rel == "amod")
    out.extend((lem[obj], lem[adj]) for adj, rel, obj in g.edges if rel == "nsubj" and words[adj].tag.startswith("J"))
    out.extend((lem[gov], lem[mod], rel[5:].replace("_", " ")) for gov, rel, mod in g.edges
               if rel.startswith("nmod:") and words[gov].noun and rel not in ("nmod:poss", "nmod:agent"))
    out.extend((lem[mod], lem[gov], "have") for gov, rel, mod in g.edges
               if rel == "nmod:poss" and words[gov].noun and words[mod].noun)
    for pred in _with_subject(g, "nmod:agent"):
        if words[pred].tag.startswith("V"):
            out.extend((lem[subj], lem[obj], _predicate(g, pred)) for _, subj in g.children(pred, "nmod:agent")
                       for _, obj in g.children(pred, "nsubjpass") if words[subj].noun and words[obj].noun)
    return out


def _object_tuples(g: DepGraph) -> list[Tuple]:
    """Numbers and quantifiers of plural nouns ("two dogs" -> (dog, two)), compounds ("tennis
    court" -> (court, tennis), neither noun an object), and every other noun as an object."""
    words, out = g.words, []
    for w in _plurals_with_numbers(g):
        out.extend(_numeric_attribute(g, w))
    compound_nouns = set()
    for tail, rel, head in g.edges:
        if rel == "compound" and words[tail].noun and words[head].noun:
            compound_nouns.update((tail, head))
            out.append((words[tail].lemma, words[head].lemma))
    out.extend((words[w].lemma,) for w in sorted(words) if words[w].noun and w not in compound_nouns)
    return out


def _plurals_with_numbers(g: DepGraph) -> list[int]:
    """The plural nouns whose number or quantifier SpiceParser checks, in its order: its three
    plural patterns, each reporting one match per anchor word (``findNextMatchingNode``).

    1. a predicate's first plural subject, with its first plural object (``dobj``/``iobj``, else
       a non-agent ``nmod`` carrying a case marker);
    2. a plural root, or a plural subject of a predicate with no such plural object;
    3. any other plural noun: neither root, nor a subject, nor an object or ``nmod`` of a
       predicate with a plural subject.
    A plural noun that matches none (a second conjoined subject of a verb with a plural object)
    gets no number attribute, as in SPICE."""
    words = g.words

    def plural(w: int) -> bool:
        return words[w].tag in PLURAL_TAGS

    def is_obj(rel: str) -> bool:  # SPICE's /.obj/
        return len(rel) == 4 and rel.endswith("obj")

    def plural_case_nmod(rel: str, dep: int) -> bool:  # /nmod:((?!agent).)*$/ to a plural with a case
        return rel.startswith("nmod:") and "agent" not in rel and plural(dep) and g.child(dep, "case") is not None

    def first_plural_object(pred: int) -> int | None:
        kids = g.children(pred)
        objs = [d for r, d in kids if is_obj(r) and plural(d)] or [d for r, d in kids if plural_case_nmod(r, d)]
        return objs[0] if objs else None

    out: list[int] = []
    for pred in sorted(words):
        subjects = [d for _, d in g.children(pred, "nsubj") if plural(d)]
        obj = first_plural_object(pred) if subjects else None
        if obj is not None:
            out.extend((subjects[0], obj))
    for w in sorted(words):
        if plural(w) and (w in g.roots or any(
                r == "nsubj" and first_plural_object(gov) is None for gov, r, _ in g.incoming(w))):
            out.append(w)
    for w in sorted(words):
        if not plural(w) or w in g.roots:
            continue
        incoming = g.incoming(w)
        if any(r == "nsubj" for _, r, _ in incoming):
            continue
        if any((is_obj(r) or r.startswith("nmod")) and any(plural(s) for _, s in g.children(gov, "nsubj"))
               for gov, r, _ in incoming):
            continue
        out.append(w)
    return out


def _numeric_attribute(g: DepGraph, w: int) -> list[Tuple]:
    num = g.child(w, "nummod")
    if num is not None:
        return [(g.words[w].lemma, g.words[num].lemma)] if num < w else []
    q = g.child(w, "qmod")
    return [(g.words[w].lemma, g.words[q].lemma)] if q is not None else []


def propose_tuples(doc) -> list[Tuple]:
    """SPICE's tuples of a parsed caption (a spaCy ``Doc``). The caption is one sentence, as
    for CoreNLP on PTB-tokenised text without punctuation, even where spaCy sees several."""
    g = from_spacy(doc[:])
    to_corenlp(g)
    enhance(g)
    return spice_tuples(g)
