"""Caption -> SPICE tuples: SPICE 1.0's parser rules on a spaCy parse converted to Stanford's
Universal Dependencies.

The official SPICE parses each caption with Stanford CoreNLP 3.6.0 (constituency parse converted
to collapsed, CC-processed Universal Dependencies v1), applies four of the scene-graph parser's
graph enhancements (quantifier collapsing, compound and particle collapsing, pronoun
resolution; *not* plural resolution) and then matches a fixed list of dependency patterns.
This module does the same in three steps:

1. :func:`from_spacy` and :func:`to_corenlp` turn a spaCy parse into the graph CoreNLP would build:
   prepositions collapsed into ``nmod:<prep>`` edges (multi-word prepositions such as
   ``in front of`` joined), ``agent``/``poss`` as ``nmod:agent``/``nmod:poss``, the copula made a
   dependent of its predicate (adjective, noun or prepositional phrase), a caption without a
   finite verb read as a noun phrase with a participial modifier (``birds chirping`` ->
   acl(birds, chirping), as the constituency parser reads it), all conjuncts attached to the
   first, and CoreNLP's CC processing (a conjunct receives the incoming edges of the first
   conjunct; a conjoined verb or adjective without a subject receives its subject).
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

from dataclasses import dataclass, field

Tuple = tuple[str, ...]

NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS"})
PLURAL_TAGS = frozenset({"NNS", "NNPS"})

# CoreNLP's multi-word prepositions (UniversalEnglishGrammaticalStructure: the regular and complex
# two-word lists, whose "depending on" and "prior to" carry a stray space there and never match,
# and the three-word list), each collapsed into one nmod ("nmod:next_to")
TWO_WORD_PREPS = frozenset(p.replace("_", " ") for p in (
    "across_from along_with alongside_of apart_from as_for as_from as_of as_per as_to aside_from away_from "
    "based_on close_by close_to contrary_to compared_to compared_with except_for exclusive_of far_from "
    "followed_by inside_of irrespective_of next_to near_to off_of out_of outside_of owing_to preliminary_to "
    "preparatory_to previous_to pursuant_to regardless_of subsequent_to thanks_to together_with").split())
THREE_WORD_PREPS = frozenset(p.replace("_", " ") for p in (
    "by_means_of in_accordance_with in_addition_to in_case_of in_front_of in_lieu_of in_place_of in_spite_of "
    "on_account_of on_behalf_of on_top_of with_regard_to with_respect_to").split())

_TWO_WORD_FIRST = frozenset(p.split()[0] for p in TWO_WORD_PREPS)
_THREE_WORD_FIRST = frozenset(p.split()[0] for p in THREE_WORD_PREPS)

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

# spaCy (ClearNLP) labels that are renamed one to one into Universal Dependencies v1
_RENAME = {"relcl": "acl:relcl", "dative": "iobj", "prt": "compound:prt", "oprd": "xcomp", "intj": "discourse",
           "npadvmod": "nmod:npmod", "quantmod": "advmod", "predet": "det:predet", "preconj": "cc:preconj"}


@dataclass
class Word:
    """One token: 1-based index (CoreNLP's), surface form, lemma and PTB tag."""

    index: int
    word: str
    lemma: str
    tag: str

    @property
    def noun(self) -> bool:
        return self.tag in NOUN_TAGS


@dataclass
class DepGraph:
    """A dependency graph with several parents allowed (CC processing adds edges)."""

    words: dict[int, Word]
    edges: dict[tuple[int, str, int], None] = field(default_factory=dict)  # (governor, relation, dependent)
    roots: list[int] = field(default_factory=list)

    _kids: dict[int, list[tuple[str, int]]] | None = field(default=None, repr=False, compare=False)

    def add(self, gov: int, rel: str, dep: int) -> None:
        if gov != dep:
            self.edges[(gov, rel, dep)] = None
            self._kids = None  # the children index is rebuilt on the next read

    def remove(self, edge: tuple[int, str, int]) -> None:
        if edge in self.edges:
            del self.edges[edge]
            self._kids = None

    def children(self, gov: int, rel: str | None = None) -> list[tuple[str, int]]:
        """(relation, dependent) of gov, in word order; only relation ``rel`` when given."""
        if self._kids is None:
            self._kids = {}
            for g, r, d in sorted(self.edges, key=lambda e: e[2]):
                self._kids.setdefault(g, []).append((r, d))
        kids = self._kids.get(gov, [])
        return list(kids) if rel is None else [k for k in kids if k[0] == rel]

    def child(self, gov: int, rel: str) -> int | None:
        kids = self.children(gov, rel)
        return kids[0][1] if kids else None

    def incoming(self, dep: int) -> list[tuple[int, str, int]]:
        return [e for e in self.edges if e[2] == dep]

    def parent(self, dep: int) -> int | None:
        inc = self.incoming(dep)
        return inc[0][0] if inc else None


# ---- 1. spaCy parse -> CoreNLP's collapsed, CC-processed Universal Dependencies ----


def from_spacy(span) -> DepGraph:
    """A spaCy ``Span`` (one caption) as a graph with spaCy's labels, renamed where a label has
    a one-to-one Universal Dependencies name; punctuation left out."""
    off = span.start - 1  # CoreNLP indexes words from 1
    g = DepGraph({})
    for t in span:
        i, head, dep = t.i - off, t.head.i - off, t.dep_
        # CoreNLP's Morphology strips only noun and verb inflections: "louder" stays "louder"
        lemma = t.lower_ if t.tag_.startswith(("JJ", "RB")) else t.lemma_.strip().lower()
        g.words[i] = Word(i, t.lower_, lemma, t.tag_)
        if dep == "ROOT" or head == i:
            g.roots.append(i)
        elif dep != "punct":
            g.add(head, _RENAME.get(dep, dep), i)
    return g


def to_corenlp(g: DepGraph) -> None:
    """Turn a graph with spaCy's labels into the collapsed, CC-processed UD v1 graph CoreNLP
    3.6.0 would give the caption (in place)."""
    _flat_verb_coordination(g)
    _noun_phrase_adverbials(g)
    _collapse_prepositions(g)
    _fragment_as_modifier(g)
    _flatten_compounds(g)
    _copula_as_dependent(g)
    _conjuncts_to_first(g)
    _cc_process(g)


def _flat_verb_coordination(g: DepGraph) -> None:
    """Two bare verbs joined by a conjunction ("chirping and singing in the background") form one
    flat verb phrase in a Penn Treebank parse, whose head is the first verb: what follows the
    second verb (prepositional phrases, adverbs, a shared object) depends on the first. spaCy hangs
    it from the nearer second verb; move it: prep(singing, in) -> prep(chirping, in)."""
    words = g.words
    for v, rel, d in list(g.edges):
        if rel != "conj" or d != v + 2 or not (words[v].tag.startswith("VB") and words[d].tag.startswith("VB")) \
                or (v, "cc", v + 1) not in g.edges:
            continue
        kids = g.children(d)
        if any(k < d or r in ("nsubj", "nsubjpass", "aux", "auxpass") for r, k in kids):
            continue
        for r, k in kids:
            if r in ("prep", "advmod", "nmod:npmod", "dobj"):
                g.remove((d, r, k))
                g.add(v, r, k)


# CoreNLP's time words (EnglishPatterns.timeWordRegex): a noun phrase headed by one of these in a
# verb phrase is a temporal modifier (nmod:tmod), any other one a direct object
TIME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday year month week day morning evening night "
    "january february march april may june july august september october november december today yesterday "
    "tomorrow spring summer fall autumn winter".split())


def _is_time_word(word: str) -> bool:
    return word in TIME_WORDS or (word.endswith("s") and word[:-1] in TIME_WORDS
                                  and word[:-1] not in ("today", "yesterday", "tomorrow"))


def _noun_phrase_adverbials(g: DepGraph) -> None:
    """spaCy's npadvmod after a verb ("chimes three times") has no counterpart in a Penn parse,
    which has no function tags: CoreNLP reads a noun phrase in a verb phrase as its direct object
    (dobj(chimes, times)), or as nmod:tmod when its head is one of CoreNLP's time words."""
    for gov, rel, dep in list(g.edges):
        if rel == "nmod:npmod" and dep > gov and g.words[gov].tag.startswith("VB") and g.words[dep].noun:
            g.remove((gov, rel, dep))
            g.add(gov, "nmod:tmod" if _is_time_word(g.words[dep].word) else "dobj", dep)


def _collapse_prepositions(g: DepGraph) -> None:
    """prep(head, p) + pobj(p, n) -> nmod:p(head, n) + case(n, p); agent(v, by) -> nmod:agent;
    the multi-word prepositions of CoreNLP's lists become one relation (``nmod:in_front_of``),
    the first word the case marker and the others its ``mwe`` dependents."""
    for gov, rel, p in list(g.edges):  # "next to": p hangs from gov, "to" from p
        if g.words[p].word not in _TWO_WORD_FIRST:
            continue
        for _, p2 in g.children(p, "prep"):
            if f"{g.words[p].word} {g.words[p2].word}" in TWO_WORD_PREPS and g.children(p2, "pobj"):
                g.remove((gov, rel, p))
                g.remove((p, "prep", p2))
                _to_nmod(g, gov, [p, p2], [n for _, n in g.children(p2, "pobj")])
                break
    for gov, rel, p in list(g.edges):  # "in front of": the pobj "front" carries the prep "of"
        if rel != "prep" or g.words[p].word not in _THREE_WORD_FIRST or len(g.children(p, "pobj")) != 1:
            continue
        mid = g.children(p, "pobj")[0][1]
        for _, p3 in g.children(mid, "prep"):
            if f"{g.words[p].word} {g.words[mid].word} {g.words[p3].word}" in THREE_WORD_PREPS \
                    and g.children(p3, "pobj"):
                g.remove((gov, rel, p))
                g.remove((p, "pobj", mid))
                g.remove((mid, "prep", p3))
                _to_nmod(g, gov, [p, mid, p3], [n for _, n in g.children(p3, "pobj")])
                break
    for gov, rel, p in list(g.edges):
        if not (rel in ("prep", "agent") or (rel == "iobj" and g.words[p].tag in ("IN", "TO"))):
            continue
        pobjs = [n for _, n in g.children(p, "pobj")]
        if pobjs:
            g.remove((gov, rel, p))
            _to_nmod(g, gov, [p], pobjs, "agent" if rel == "agent" else None)
    for gov, rel, dep in list(g.edges):  # possessives and noun modifiers
        if rel == "poss":
            g.remove((gov, rel, dep))
            g.add(gov, "nmod:poss", dep)
        elif rel == "nmod" and g.words[dep].noun and g.words[gov].noun and dep < gov:
            g.remove((gov, rel, dep))
            g.add(gov, "compound", dep)


def _to_nmod(g: DepGraph, head: int, preps: list[int], nouns: list[int], name: str | None = None) -> None:
    name = name or "_".join(g.words[w].word for w in preps)
    for n in nouns:
        g.remove((preps[-1], "pobj", n))
        g.add(head, f"nmod:{name}", n)
        g.add(n, "case", preps[0])
    for w in preps[1:]:
        g.add(preps[0], "mwe", w)


def _fragment_as_modifier(g: DepGraph) -> None:
    """A caption without a finite verb ("birds chirping in the trees") is a noun phrase for a
    constituency parser, the participle its modifier: acl(birds, chirping), not nsubj."""
    for r in list(g.roots):
        w = g.words[r]
        kids = g.children(r)
        if w.tag in ("VBG", "VBN") and not any(k in ("aux", "auxpass") for k, _ in kids):
            subj = [d for k, d in kids if k == "nsubj" and g.words[d].noun]
            if subj:
                g.remove((r, "nsubj", subj[0]))
                g.roots[g.roots.index(r)] = subj[0]
                g.add(subj[0], "acl", r)


def _flatten_compounds(g: DepGraph) -> None:
    """Nested noun compounds (spaCy: compound(alarm, car), compound(sound, alarm)) hang flat
    from the last noun, as CoreNLP's conversion of a flat PTB noun phrase gives them."""
    changed = True
    while changed:
        changed = False
        for gov, rel, dep in list(g.edges):
            if rel != "compound" or not g.words[dep].noun:
                continue
            up = [e for e in g.incoming(gov) if e[1] == "compound"]
            if up and g.words[up[0][0]].noun:
                g.remove((gov, rel, dep))
                g.add(up[0][0], "compound", dep)
                changed = True


def _reattach(g: DepGraph, old: int, new: int) -> None:
    """Move old's incoming edges (or its place as a root) and its children (but ``new``) to new."""
    if old in g.roots:
        g.roots[g.roots.index(old)] = new
    for gov, rel, dep in g.incoming(old):
        g.remove((gov, rel, dep))
        g.add(gov, rel, new)
    for rel, dep in g.children(old):
        if dep != new:
            g.remove((old, rel, dep))
            g.add(new, rel, dep)


def _copula_as_dependent(g: DepGraph) -> None:
    """UD makes the predicate the head of a copular clause: "the man is tall" -> nsubj(tall,
    man), cop(tall, is); "a dog is in the house" -> nsubj(house, dog), case(house, in),
    cop(house, is). With ``there``, the noun is the subject: expl(is, there), nsubj(is, dog)."""
    for b, w in list(g.words.items()):
        if w.lemma != "be":
            continue
        kids = g.children(b)
        if any(r == "expl" for r, _ in kids):
            for r, d in kids:
                if r == "attr":
                    g.remove((b, r, d))
                    g.add(b, "nsubj", d)
            continue
        preds = [(r, d) for r, d in kids if r in ("acomp", "attr")]
        if not preds and any(r == "nsubj" for r, _ in kids):  # "is in the house": the noun heads
            preds = [(r, d) for r, d in kids if r.startswith("nmod:")
                     and r not in ("nmod:poss", "nmod:agent", "nmod:npmod", "nmod:tmod")]
        if not preds:
            continue
        rel, pred = preds[0]
        g.remove((b, rel, pred))
        _reattach(g, b, pred)
        g.add(pred, "cop", b)
    for gov, rel, dep in list(g.edges):  # acomp/attr of other verbs ("sounds loud") are xcomp
        if rel in ("acomp", "attr"):
            g.remove((gov, rel, dep))
            g.add(gov, "xcomp", dep)


def _conjuncts_to_first(g: DepGraph) -> None:
    """spaCy chains conjuncts (a -> b -> c); UD attaches every conjunct to the first."""
    changed = True
    while changed:
        changed = False
        for gov, rel, dep in list(g.edges):
            if rel != "conj":
                continue
            up = [e for e in g.incoming(gov) if e[1] == "conj"]
            if up:
                g.remove((gov, rel, dep))
                g.add(up[0][0], "conj", dep)
                changed = True


def _cc_process(g: DepGraph) -> None:
    """CoreNLP's CC processing: each conjunct gets the incoming edges of the first conjunct; a
    conjoined verb or adjective without a subject gets the first conjunct's subject."""
    original = list(g.edges)
    subject = {gov: (rel, dep) for gov, rel, dep in original if rel in ("nsubj", "nsubjpass", "csubj")}
    relcl_heads = {dep for _, rel, dep in original if rel == "acl:relcl"}  # heads of relative clauses
    new = []
    for gov, rel, dep in original:
        if rel != "conj":
            continue
        for g2, r2, d2 in original:
            if d2 == gov and g2 != dep:
                if gov in relcl_heads and dep in relcl_heads and r2 in ("dobj", "nsubj"):
                    continue
                new.append((g2, r2, dep))
        tag = g.words[dep].tag
        if dep not in subject and gov in subject and (tag.startswith("VB") or tag.startswith("JJ")):
            srel, sdep = subject[gov]
            if srel == "nsubj" and any(r == "auxpass" for r, _ in g.children(dep)):
                srel = "nsubjpass"
            new.append((dep, srel, sdep))
    for e in new:
        g.add(*e)


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
        _reattach(g, pron, mention)


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
