"""evaluate(): presets, bad input, SPIDEr/SPIDEr-max/vocab_len, and the `aacap evaluate` command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aacap.metrics import MetricError, evaluate, resolve_metrics

FAST = ["bleu_1", "bleu_4", "rouge_l", "cider_d"]


def test_presets() -> None:
    assert resolve_metrics("dcase2020") == ["bleu_1", "bleu_2", "bleu_3", "bleu_4", "meteor", "rouge_l",
                                            "cider_d", "spice", "spider"]
    # aac-metrics 0.6.0's sets, with the outputs each metric brings along
    assert resolve_metrics("dcase2023") == ["meteor", "cider_d", "spice", "spider", "fer", "spider_fl"]
    assert resolve_metrics("dcase2024") == ["meteor", "cider_d", "spice", "spider", "fer", "spider_fl",
                                            "sbert_sim", "fense", "vocab"]
    assert resolve_metrics("bleu_1, cider_d") == ["bleu_1", "cider_d"]
    with pytest.raises(MetricError, match="unknown metric"):
        resolve_metrics("bleu_5")


@pytest.mark.parametrize("cands, refs, message", [
    ([], [], "empty corpus"),
    (["a"], [], "1 candidates but 0 reference lists"),
    (["a", "b"], [["a"]], "2 candidates but 1"),
    (["a"], [[]], "no list of references"),
    (["a"], ["a dog"], "no list of references"),
    ([None], [["a"]], "not a string"),
    (["a"], [["a", 3]], "not a string"),
])
def test_bad_input_is_one_clear_error(cands, refs, message) -> None:
    with pytest.raises(MetricError, match=message):
        evaluate(cands, refs, FAST)


def test_hard_captions_score_without_error() -> None:
    cands = ["", "caf\u00e9 na\u00efve \u201cquoted\u201d", "line\nbreak\tand tab", "?!...,", "a dog barks"]
    refs = [["a dog"], ["cafe naive quoted"], ["line break and tab"], ["punctuation only"],
            [f"ref {i} a dog barks" for i in range(50)]]
    s = evaluate(cands, refs, FAST)
    for name in FAST:
        assert s.per_item[name].shape == (5,) and np.isfinite(s.per_item[name]).all()
    assert s.per_item["bleu_1"][0] < 1e-6 and s.per_item["rouge_l"][3] == 0.0
    assert s.per_item["rouge_l"][2] == 1.0
    assert s.backends == {n: "python" for n in FAST}


def test_spider_spider_max_vocab() -> None:
    pytest.importorskip("spacy", reason="spaCy (metrics extra) not installed")
    cands = ["a dog barks loudly", "rain falls on a roof", "a man speaks"]
    refs = [["a dog is barking", "dogs bark"], ["rain falls on the roof", "heavy rain"], ["a man talks", "a person speaks"]]
    multi = [[c, "birds chirp"] for c in cands]
    s = evaluate(cands, refs, ["spider", "spider_max", "vocab_len", "cider_d", "spice"], mult_candidates=multi)
    np.testing.assert_allclose(s.per_item["spider"], (s.per_item["cider_d"] + s.per_item["spice"]) / 2)
    single = evaluate(cands, refs, ["spider_max"], mult_candidates=[[c] for c in cands])
    np.testing.assert_allclose(single.per_item["spider_max"], s.per_item["spider"])
    # aac-metrics scores the flattened corpus (each candidate with its clip's references), then
    # takes the best per clip; with 2 candidates per clip that is the max over pairs of rows.
    flat = evaluate([c for m in multi for c in m], [r for r, m in zip(refs, multi) for _ in m], ["spider"])
    np.testing.assert_allclose(s.per_item["spider_max"], flat.per_item["spider"].reshape(3, 2).max(1))
    assert s.corpus["vocab_len"] == len(set(" ".join(cands).split()))
    assert s.backends["spice"].startswith("python")


def test_fense_family_is_reported_unavailable(monkeypatch, tmp_path) -> None:
    for var in ("AACAP_FENSE_DIR", "HF_HUB_CACHE", "FENSE_DATA", "TORCH_HOME", "HF_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(MetricError, match="FENSE.*aacap metrics download fense"):
        evaluate(["a"], [["a"]], ["fense"])


def test_results_unpack_like_aac_metrics() -> None:
    corpus, sents = evaluate(["a dog barks"], [["a dog is barking"]], FAST)
    assert set(corpus) == set(sents) == set(FAST)
    assert evaluate(["a dog barks"], [["a dog is barking"]], FAST)[0] == corpus


def test_cli_csv_jsonl_json_and_per_item(tmp_path, capsys) -> None:
    from aacap.cli import main

    csv_path = tmp_path / "c.csv"
    csv_path.write_text('caption_predicted,caption_1,caption_2\na dog barks,"a dog, barking",dogs bark\n'
                        'rain falls,rain is falling,\n')
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"candidate": "a dog barks", "references": ["a dog, barking", "dogs bark"]}\n'
                     '{"candidate": "rain falls", "references": ["rain is falling"]}\n')
    out = tmp_path / "per.csv"
    assert main(["evaluate", str(csv_path), "--metrics", ",".join(FAST), "--json", "--per-item", str(out)]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    assert main(["evaluate", "-i", str(jsonl), "-m", ",".join(FAST), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == from_csv
    assert from_csv["scores"] == evaluate(
        ["a dog barks", "rain falls"], [["a dog, barking", "dogs bark"], ["rain is falling"]], FAST).corpus
    assert from_csv["backends"] == {n: "python" for n in FAST}
    assert out.read_text().splitlines()[0] == "id,caption_predicted," + ",".join(f"{n} (python)" for n in FAST)
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    assert main(["evaluate", str(bad)]) == 2
    assert "caption_predicted" in capsys.readouterr().err


def test_official_spice_explains_what_is_missing(tmp_path, monkeypatch) -> None:
    import shutil

    monkeypatch.setenv("AACAP_SPICE_DIR", str(tmp_path))
    with pytest.raises(MetricError, match="spice-1.0.jar not found.*aacap metrics download spice"):
        evaluate(["a dog"], [["a dog"]], ["spice"], spice_backend="java")
    (tmp_path / "spice-1.0.jar").touch()
    (tmp_path / "lib").mkdir()
    with pytest.raises(MetricError, match="stanford-corenlp-3.6.0.jar"):
        evaluate(["a dog"], [["a dog"]], ["spice"], spice_backend="java")
    java = shutil.which("java")
    if java is None:
        pytest.skip("no java to check the version test against")
    from aacap.metrics.java import java_major_version

    if java_major_version(java) <= 14:
        pytest.skip("this java still has its JavaScript engine")
    for jar in ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar"):
        (tmp_path / "lib" / jar).touch()
    with pytest.raises(MetricError, match="no JavaScript engine"):
        evaluate(["a dog"], [["a dog"]], ["spice"], spice_backend="java")


def test_import_is_light_and_offline() -> None:
    """`import aacap.metrics` loads no parser, encoder or JVM (they load when a metric needs them)."""
    import subprocess
    import sys

    code = ("import sys, aacap.metrics; heavy = {'spacy', 'torch', 'snowballstemmer', 'sqlite3'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
