"""SBERT-sim with all-MiniLM-L6-v2 run in plain torch."""

from __future__ import annotations

import numpy as np
import pytest

from aacap.metrics import MetricError, evaluate
from aacap.metrics import sbert


@pytest.fixture(scope="module")
def ready() -> None:
    try:
        sbert.model_dir()
    except sbert.SbertUnavailable as e:
        pytest.skip(str(e))


SENTENCES = ["a dog barks loudly.", "rain falls on the roof", "Caf\u00e9 na\u00efve \u2014 \u201cquoted\u201d!!", "",
             "x" * 150 + " unbelievable tokenization 12345"]


def test_embeddings_match_reference_values(ready) -> None:
    # First dimensions as computed by Hugging Face transformers' BertModel + mean pooling on the
    # same weights (our port agreed with it to 2.4e-7 on SENTENCES).
    e = sbert.embed(SENTENCES[:2])
    np.testing.assert_allclose(e[:, :4], [[0.05417, -0.05284, 0.02072, 0.08641],
                                          [0.00133, 0.09345, 0.09542, 0.04503]], atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)


def test_matches_transformers_when_installed(ready) -> None:
    transformers = pytest.importorskip("transformers", reason="transformers (optional cross-check) not installed")
    import torch

    tok = transformers.AutoTokenizer.from_pretrained(str(sbert.model_dir()))
    model = transformers.AutoModel.from_pretrained(str(sbert.model_dir())).eval()
    enc = tok(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    assert [sbert._encoder().tokenizer.encode(s, 256) for s in SENTENCES] == tok(SENTENCES, truncation=True, max_length=256)["input_ids"]
    with torch.no_grad():
        h = model(**enc).last_hidden_state
    m = enc["attention_mask"][..., None].float()
    ref = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy()
    np.testing.assert_allclose(sbert.embed(SENTENCES), ref, atol=2.4e-6)  # 10x the 2.4e-7 measured


def test_sbert_sim_through_evaluate(ready) -> None:
    s = evaluate(["a dog barks", "rain falls"], [["a dog barks", "a dog barks"], ["a dog barks"]], ["sbert_sim"])
    assert s.per_item["sbert_sim"][0] == pytest.approx(1.0, abs=1e-5)
    assert s.per_item["sbert_sim"][1] < 0.5
    assert s.backends["sbert_sim"] == "python:all-MiniLM-L6-v2"


def test_fense_family_reported_unavailable() -> None:
    with pytest.raises(MetricError, match="FENSE"):
        evaluate(["a"], [["a"]], ["spider_fl"])
