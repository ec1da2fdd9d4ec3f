"""Pure-Python SPICE: SPICE's parser rules, scene-graph scoring, agreement with the official values."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from aacap.metrics import spice as sp
from aacap.metrics import spice_graph as sg


def graph(text: str, tags: str, edges: list[tuple[int, str, int]], root: int, lemmas: str = "") -> sg.DepGraph:
    """A hand-made parse with spaCy's labels: words and tags by position (from 1)."""
    words, tag_list = text.split(), tags.split()
    lemma_list = lemmas.split() if lemmas else words
    g = sg.DepGraph({i + 1: sg.Word(i + 1, w, lemma_list[i], t) for i, (w, t) in enumerate(zip(words, tag_list))})
    g.roots.append(root)
    for gov, rel, dep in edges:
        g.add(gov, rel, dep)
    return g


def tuples(g: sg.DepGraph) -> set[tuple[str, ...]]:
    sg.to_corenlp(g)
    sg.enhance(g)
    return set(sg.spice_tuples(g))


def test_cc_processing_shares_subjects_and_governors() -> None:
    # a dog and a cat bark: the second conjunct receives nsubj(bark, .)
    g = graph("a dog and a cat bark", "DT NN CC DT NN VBP",
              [(2, "det", 1), (6, "nsubj", 2), (2, "cc", 3), (2, "conj", 5), (5, "det", 4)], 6,
              "a dog and a cat bark")
    assert tuples(g) == {("dog", "bark"), ("cat", "bark"), ("dog",), ("cat",)}
    # a dog barks and growls: a conjoined verb without a subject takes the first one's
    g = graph("a dog barks and growls", "DT NN VBZ CC VBZ",
              [(2, "det", 1), (3, "nsubj", 2), (3, "cc", 4), (3, "conj", 5)], 3, "a dog bark and growl")
    assert tuples(g) == {("dog", "bark"), ("dog", "growl"), ("dog",)}


def test_quantifiers_and_pronouns_follow_the_scene_graph_enhancer() -> None:
    # "a lot of birds": birds takes lot's place and gets qmod "a"; "lot" stays a noun
    g = graph("a lot of birds are chirping", "DT NN IN NNS VBP VBG",
              [(2, "det", 1), (6, "nsubj", 2), (2, "prep", 3), (3, "pobj", 4), (6, "aux", 5)], 6,
              "a lot of bird be chirp")
    assert tuples(g) == {("bird", "chirp"), ("bird", "a"), ("lot",), ("bird",)}
    # a pronoun takes the first noun of a breadth-first search from the root
    g = graph("a man is talking while it rains", "DT NN VBZ VBG IN PRP VBZ",
              [(2, "det", 1), (4, "nsubj", 2), (4, "aux", 3), (7, "mark", 5), (7, "nsubj", 6), (4, "advcl", 7)], 4,
              "a man be talk while it rain")
    assert tuples(g) == {("man", "talk"), ("man", "rain"), ("man",)}
    # a possessive pronoun too: (dog, tail, have)
    g = graph("a dog wags its tail", "DT NN VBZ PRP$ NN",
              [(2, "det", 1), (3, "nsubj", 2), (5, "poss", 4), (3, "dobj", 5)], 3, "a dog wag its tail")
    assert tuples(g) == {("dog", "tail", "wag"), ("dog", "tail", "have"), ("dog",), ("tail",)}


def test_copula_prepositions_and_fragments() -> None:
    g = graph("the man is tall", "DT NN VBZ JJ", [(2, "det", 1), (3, "nsubj", 2), (3, "acomp", 4)], 3,
              "the man be tall")
    assert tuples(g) == {("man", "tall"), ("man",)}
    g = graph("a dog is in the house", "DT NN VBZ IN DT NN",
              [(2, "det", 1), (3, "nsubj", 2), (3, "prep", 4), (4, "pobj", 6), (6, "det", 5)], 3,
              "a dog be in the house")
    assert tuples(g) == {("dog", "house", "in"), ("dog",), ("house",)}
    # a verb after "be" (a progressive spaCy first tagged as an adjective) keeps "be" as its aux:
    # its prepositional phrases are relations of the subject, not a copular pair
    g = graph("water is dripping from a faucet", "NN VBZ VBG IN DT NN",
              [(2, "nsubj", 1), (2, "acomp", 3), (3, "prep", 4), (4, "pobj", 6), (6, "det", 5)], 2,
              "water be drip from a faucet")
    assert tuples(g) == {("water", "faucet", "drip from"), ("water",), ("faucet",)}
    # "in front of" is one relation; "front" is still a noun, so an object
    g = graph("a man stands in front of a car", "DT NN VBZ IN NN IN DT NN",
              [(2, "det", 1), (3, "nsubj", 2), (3, "prep", 4), (4, "pobj", 5), (5, "prep", 6), (6, "pobj", 8),
               (8, "det", 7)], 3, "a man stand in front of a car")
    assert tuples(g) == {("man", "car", "stand in front of"), ("man",), ("front",), ("car",)}
    # no finite verb: a noun phrase with a participial modifier, no (birds, chirp) pair
    g = graph("birds chirping", "NNS VBG", [(2, "nsubj", 1)], 2, "bird chirp")
    assert tuples(g) == {("bird",)}
    g = graph("birds chirping in trees", "NNS VBG IN NNS", [(2, "nsubj", 1), (2, "prep", 3), (3, "pobj", 4)], 2,
              "bird chirp in tree")
    assert tuples(g) == {("bird", "tree", "chirp in"), ("bird",), ("tree",)}


def test_passives_compounds_numbers() -> None:
    g = graph("a door is opened", "DT NN VBZ VBN", [(2, "det", 1), (4, "nsubjpass", 2), (4, "auxpass", 3)], 4,
              "a door be open")
    assert tuples(g) == {("door",)}  # SPICE only reads passives with an agent
    g = graph("a door is opened by a man", "DT NN VBZ VBN IN DT NN",
              [(2, "det", 1), (4, "nsubjpass", 2), (4, "auxpass", 3), (4, "agent", 5), (5, "pobj", 7), (7, "det", 6)],
              4, "a door be open by a man")
    assert tuples(g) == {("man", "door", "open"), ("door",), ("man",)}
    # nested compounds hang flat from the head; neither noun is an object
    g = graph("a car alarm sound starts", "DT NN NN NN VBZ",
              [(4, "det", 1), (3, "compound", 2), (4, "compound", 3), (5, "nsubj", 4)], 5,
              "a car alarm sound start")
    assert tuples(g) == {("sound", "car"), ("sound", "alarm"), ("sound", "start")}
    # spaCy's parser makes "wind" a compound of "blows", its tagger calls "blows" a verb: the head
    # of a noun compound is a noun (NNS, so an object with the attribute "wind")
    g = graph("a strong wind blows during the clip", "DT JJ NN VBZ IN DT NN",
              [(4, "det", 1), (4, "amod", 2), (4, "compound", 3), (4, "prep", 5), (5, "pobj", 7), (7, "det", 6)],
              4, "a strong wind blow during the clip")
    assert tuples(g) == {("blow", "wind"), ("blow", "strong"), ("blow", "clip", "during"), ("clip",)}
    g = graph("two dogs bark", "CD NNS VBP", [(2, "nummod", 1), (3, "nsubj", 2)], 3, "two dog bark")
    assert tuples(g) == {("dog", "two"), ("dog", "bark"), ("dog",)}
    # SpiceParser's plural patterns report one match per predicate: the first plural subject and
    # object get their numbers, a second conjoined subject ("three cats") gets none
    g = graph("two dogs and three cats chase four birds", "CD NNS CC CD NNS VBP CD NNS",
              [(2, "nummod", 1), (6, "nsubj", 2), (2, "cc", 3), (2, "conj", 5), (5, "nummod", 4),
               (6, "dobj", 8), (8, "nummod", 7)], 6, "two dog and three cat chase four bird")
    assert tuples(g) == {("dog", "bird", "chase"), ("cat", "bird", "chase"), ("dog", "two"), ("bird", "four"),
                         ("dog",), ("cat",), ("bird",)}


def test_flat_verb_coordination_and_noun_phrase_adverbials() -> None:
    # "chirping and singing in the trees": one flat verb phrase headed by the first verb, so the
    # prepositional phrase spaCy hangs from "singing" depends on "chirping"; "singing" gets the subject
    g = graph("birds are chirping and singing in trees", "NNS VBP VBG CC VBG IN NNS",
              [(3, "nsubj", 1), (3, "aux", 2), (3, "cc", 4), (3, "conj", 5), (5, "prep", 6), (6, "pobj", 7)], 3,
              "bird be chirp and sing in tree")
    assert tuples(g) == {("bird", "tree", "chirp in"), ("bird", "sing"), ("bird",), ("tree",)}
    # a conjunct with its own subject is a clause of its own: nothing moves
    g = graph("birds chirp and dogs bark in trees", "NNS VBP CC NNS VBP IN NNS",
              [(2, "nsubj", 1), (2, "cc", 3), (2, "conj", 5), (5, "nsubj", 4), (5, "prep", 6), (6, "pobj", 7)], 2,
              "bird chirp and dog bark in tree")
    assert tuples(g) == {("dog", "tree", "bark in"), ("bird", "chirp"), ("bird",), ("dog",), ("tree",)}
    # spaCy's npadvmod (renamed nmod:npmod by from_spacy): a direct object for CoreNLP ("barks three
    # times"), nmod:tmod for one of CoreNLP's time words
    g = graph("a dog barks three times", "DT NN VBZ CD NNS",
              [(2, "det", 1), (3, "nsubj", 2), (5, "nummod", 4), (3, "nmod:npmod", 5)], 3, "a dog bark three time")
    assert tuples(g) == {("dog", "time", "bark"), ("time", "three"), ("dog",), ("time",)}
    g = graph("a dog barks every night", "DT NN VBZ DT NN",
              [(2, "det", 1), (3, "nsubj", 2), (5, "det", 4), (3, "nmod:npmod", 5)], 3, "a dog bark every night")
    assert tuples(g) == {("dog", "night", "bark tmod"), ("dog",), ("night",)}


@pytest.fixture(scope="module")
def graphs():
    pytest.importorskip("spacy", reason="spaCy (metrics extra) not installed")
    try:
        sp._parser()
        sp.wordnet()
    except (sp.SpiceUnavailable, sp.WordNetUnavailable) as e:
        pytest.skip(str(e))
    cache = sp.SceneGraphCache()
    return lambda captions: cache.get(captions)


def test_spacy_parse_gives_spice_tuples(graphs) -> None:
    (t,) = graphs(["A small dog is barking at the red car, in the street."])  # PTB-tokenised first
    assert set(t) == {("dog", "car", "bark at"), ("dog", "small"), ("car", "red"), ("car", "street", "in"),
                      ("dog",), ("car",), ("street",)}
    (t,) = graphs(["a cat sitting on a chair"])
    assert set(t) == {("cat", "chair", "sit on"), ("cat",), ("chair",)}
    (t,) = graphs(["the tennis court"])
    assert t == [("court", "tennis")]
    # lemmas as CoreNLP's Morphology gives them: comparatives keep their form, verbs by their tag
    (t,) = graphs(["a louder dog barks"])
    assert ("dog", "louder") in t
    # spaCy tags this "dripping" JJ; a Penn parse has the progressive verb
    (t,) = graphs(["water is dripping from a faucet into a tub"])
    assert set(t) == {("water", "faucet", "drip from"), ("water", "tub", "drip into"), ("water",), ("faucet",),
                      ("tub",)}
    # the parse runs on the PTB tokens, so a hyphenated word stays one word, as for CoreNLP
    (t,) = graphs(["A high-pitched whine."])
    assert set(t) == {("whine", "high-pitched"), ("whine",)}
    assert graphs(["...", ""]) == [[], []]  # nothing left after tokenisation: no tuples, no error


def test_scene_graph_merges_synonyms_and_scores() -> None:
    wn = sp.wordnet()
    assert wn.lookup("dogs") == wn.lookup("dog") != frozenset()
    g = sp.SceneGraph(wn)
    for t in [("car",), ("automobile", "red"), ("road",), ("car", "road", "drive on")]:
        g.add(t)
    assert len(g.nodes) == 2  # car and automobile share a synset: one node
    cand = sp.SceneGraph(wn)
    cand.add(("car",))
    # 4 reference tuples (car+automobile, its attribute red, road, the relation): P = 1, R = 1/4
    assert len(g.tuples()) == 4
    assert sp.graph_f1(cand, g) == pytest.approx(2 * 1 * 0.25 / 1.25)
    assert sp.graph_f1(g, g) == 1.0
    assert sp.graph_f1(sp.SceneGraph(wn), g) == 0.0


def test_cache_roundtrip(tmp_path, graphs) -> None:
    path = tmp_path / "g.json"
    cache = sp.SceneGraphCache(path)
    a = sp.spice(["a dog barks"], [["a dog is barking", "the cat sleeps"]], cache)
    b = sp.spice(["a dog barks"], [["a dog is barking", "the cat sleeps"]], sp.SceneGraphCache(path))
    assert path.is_file() and a[0] == b[0]


def split_half(fname: str) -> str:
    """The split of benchmarks/spice_split.py: parity of the last byte of sha256(fname)."""
    return "tune" if hashlib.sha256(fname.encode()).digest()[-1] % 2 == 0 else "test"


def test_agreement_on_the_test_half(clotho: list[dict], graphs) -> None:
    """The test half of Clotho eval (531 items, never looked at while writing the rules):
    corpus 0.1402 vs official 0.1335 (|d| 0.0067), per-caption Pearson 0.915, MAE 0.0239
    (benchmarks/spice_split.py prints both halves)."""
    items = [d for d in clotho if split_half(d["fname"]) == "test"]
    assert len(items) == 531
    corpus, per_item = sp.spice([d["candidate"] for d in items], [d["references"] for d in items],
                                sp.SceneGraphCache())
    official = np.array([d["scores"]["spice"] for d in items])
    assert abs(corpus["spice"] - official.mean()) == pytest.approx(0.0067, abs=0.0005)
    assert np.corrcoef(per_item["spice"], official)[0, 1] == pytest.approx(0.9155, abs=0.0005)
    assert np.abs(per_item["spice"] - official).mean() == pytest.approx(0.0239, abs=0.0005)


def test_attribute_rules_equal_spacy_ruler(graphs) -> None:
    """The lookup version of the model's attribute_ruler sets the same tags, parts of speech,
    morphology and lemmas as spaCy's own (the Clotho agreement test covers 5,980 more captions)."""
    texts = sp.tokenize([
        "A man is speaking while cars pass by on a wet road.", "Birds chirp and a dog barks twice",
        "Someone is hammering nails into the wall; then it stops.", "The children's voices echo in a hall",
        "Water was dripping and they were laughing", "A lot of people are clapping their hands",
        "An engine idles, revs up and then it's turned off", "I can't hear what he's saying"])
    texts += ["gon na go", "got ta run", "let 's go", "there is a dog", "there 's nothin ' here", "y' all came"]
    nlp = sp._parser()

    def attrs(doc) -> list[tuple]:
        return [(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]

    assert sp._attribute_rules() is not None
    # on the PTB tokens themselves, as _parse feeds them ("y'" stays one token)
    from spacy.tokens import Doc

    docs = [Doc(nlp.vocab, words=t.split(), spaces=[True] * (len(t.split()) - 1) + [False]) for t in texts]
    # _parse's own corrections (verb lemmas, the progressive "was dripping") on both sides
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert [attrs(d) for d in sp._parse(texts)] == [attrs(sp._verb_lemmas(d, lemmatizer)) for d in nlp.pipe(docs)]


# Feeds the same tuples to SPICE 1.0's own scene-graph and scoring classes (spice-1.0.jar from the
# pycocoevalcap wheel; CoreNLP 3.4.1's graph classes stand in for 3.6.0's, which these use only
# for DirectedMultiGraph): one "ITEM" line per item, then "C"/"R" lines of tab-separated tuples.
_SPICE_GRAPH_SCORER = """
import edu.anu.spice.*;
import edu.cmu.meteor.aligner.SynonymDictionary;
import java.io.*;
import java.net.URL;
import java.nio.file.*;
import java.util.*;

public class GraphScore {
  public static void main(String[] args) throws Exception {
    String syn = "jar:file:" + args[0] + "!/synonym/english.";
    SynonymDictionary dict = new SynonymDictionary(new URL(syn + "exceptions"), new URL(syn + "synsets"),
                                                   new URL(syn + "relations"));
    List<List<String[]>> items = new ArrayList<>();
    for (String line : Files.readAllLines(Paths.get(args[1]))) {
      if (line.equals("ITEM")) { items.add(new ArrayList<>()); } else { items.get(items.size() - 1).add(line.split("\\t")); }
    }
    for (List<String[]> item : items) {
      SceneGraph cand = new SceneGraph(dict, true), ref = new SceneGraph(dict, true);
      for (String[] t : item) {
        ArrayList<String> tuple = new ArrayList<>(Arrays.asList(t).subList(1, t.length));
        (t[0].equals("C") ? cand : ref).addTuple(tuple);
      }
      TupleSet c = new TupleSet(cand), r = new TupleSet(ref);
      Evaluation e = new Evaluation(c, r, false, true);
      System.out.println(e.f + " " + c.size() + " " + r.size());
    }
  }
}
"""


def spice_graph_scores(items: list[tuple[list[sg.Tuple], list[sg.Tuple]]], tmp_path) -> list[tuple[float, int, int]]:
    """(F, candidate tuples, reference tuples) of each (candidate tuples, reference tuples) item,
    computed by SPICE 1.0's own classes; skips without javac or the jars."""
    import shutil
    import subprocess

    from aacap.metrics.java import pycocoevalcap_dir

    root, javac, java = pycocoevalcap_dir(), shutil.which("javac"), shutil.which("java")
    jars = [root / p for p in ("spice/spice-1.0.jar", "spice/lib/Meteor-1.5.jar",
                               "tokenizer/stanford-corenlp-3.4.1.jar")] if root else []
    if not (javac and java and jars and all(j.is_file() for j in jars)):
        pytest.skip("needs javac, java and pycocoevalcap's spice-1.0.jar, Meteor-1.5.jar, stanford-corenlp-3.4.1.jar")
    classpath = ":".join(map(str, jars))
    (tmp_path / "GraphScore.java").write_text(_SPICE_GRAPH_SCORER)
    subprocess.run([javac, "-cp", classpath, "-d", str(tmp_path), str(tmp_path / "GraphScore.java")], check=True)
    lines = []
    for cand, refs in items:
        lines.append("ITEM")
        lines += ["\t".join(("C", *t)) for t in cand] + ["\t".join(("R", *t)) for t in refs]
    (tmp_path / "tuples.txt").write_text("\n".join(lines) + "\n")
    out = subprocess.run([java, "-cp", f"{classpath}:{tmp_path}", "GraphScore", str(jars[1]), str(tmp_path / "tuples.txt")],
                         check=True, capture_output=True, text=True, timeout=300).stdout.split("\n")
    return [(float(f), int(c), int(r)) for f, c, r in (line.split() for line in out if line)]


def ours(cand: list[sg.Tuple], refs: list[sg.Tuple]) -> tuple[float, int, int]:
    wn = sp.wordnet()
    c, r = sp.SceneGraph(wn), sp.SceneGraph(wn)
    for t in cand:
        c.add(t)
    for t in refs:
        r.add(t)
    return sp.graph_f1(c, r), len(c.tuples()), len(r.tuples())


def test_scene_graphs_and_scores_equal_spice_classes(tmp_path) -> None:
    """Merging of synonyms, attributes and relations, tuple counts and F: the same as SPICE's."""
    items = [
        ([("car",), ("car", "red"), ("car", "road", "drive on")],
         [("automobile",), ("automobile", "crimson"), ("car", "road", "be drive on"), ("road",), ("road",)]),
        ([("dog", "bark"), ("dog",), ("dogs",)], [("puppy", "bark"), ("puppy", "yap"), ("cat", "mat", "on")]),
        ([("man", "woman", "talk to"), ("man",)], [("person", "speak"), ("man", "woman", "speak to"), ("man", "loud")]),
        ([("water",)], [("bird", "chirp"), ("bird", "chirping"), ("birds",), ("bird", "two")]),
    ]
    assert np.array([ours(c, r) for c, r in items]) == pytest.approx(np.array(spice_graph_scores(items, tmp_path)),
                                                                    abs=1e-12)


def test_clotho_scene_graphs_equal_spice_classes(clotho: list[dict], graphs, tmp_path) -> None:
    """On the tuples of all 1,045 Clotho-eval items (candidate and its 5 references), SPICE's own
    classes give our per-item F and tuple counts: any gap to the official values is the parse."""
    items = [(graphs([d["candidate"]])[0], [t for ts in graphs(d["references"]) for t in ts]) for d in clotho]
    assert np.array([ours(c, r) for c, r in items]) == pytest.approx(np.array(spice_graph_scores(items, tmp_path)),
                                                                    abs=1e-12)
