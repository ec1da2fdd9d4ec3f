"""Caption files read with real CSV rules, types checked, the same rules for CSV and JSONL, and
`aacap evaluate`'s output path checked before any work; long captions capped."""

from __future__ import annotations

import json
import time

import pytest

from aacap.metrics import evaluate
from aacap.metrics.files import CaptionFileError, read_captions
from aacap.metrics.suite import MAX_CAPTION_WORDS

FAST = "bleu_1,rouge_l,cider_d"


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return path


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\u0085", "\x0c", "\x0b", "\x1c", "\r\n"])
def test_line_breaks_inside_cells_stay_in_the_cell(tmp_path, odd) -> None:
    text = f'caption_predicted,caption_1\r\n"a dog{odd} barks","a dog{odd} is barking"\r\nrain,rain falls\r\n'
    data = read_captions(_write(tmp_path, "c.csv", text))
    assert data.candidates == [f"a dog{odd} barks", "rain"]
    assert data.references == [[f"a dog{odd} is barking"], ["rain falls"]]


def test_unquoted_unicode_separators_do_not_split_rows(tmp_path) -> None:
    # Python's csv writer does not quote U+2028: the reader must not split on it either
    text = "caption_predicted,caption_1\na dog\u2028barks,a\u0085dog\x0cbarking\n"
    data = read_captions(_write(tmp_path, "c.csv", text))
    assert len(data.candidates) == 1 and data.references == [["a\u0085dog\x0cbarking"]]


def test_bom_from_spreadsheets(tmp_path) -> None:
    data = read_captions(_write(tmp_path, "c.csv", "\ufeffcaption_predicted,caption_1\na,b\n"))
    assert data.candidates == ["a"]
    jl = read_captions(_write(tmp_path, "c.jsonl", '\ufeff{"candidate": "a", "references": ["b"]}\n'))
    assert jl.candidates == ["a"]


def test_aac_metrics_list_column_and_evaluate_model_layout(tmp_path) -> None:
    data = read_captions(_write(tmp_path, "c.csv", 'caption_predicted,captions\n'
                                "a dog,\"['a dog barks', \"\"it's a dog\"\"]\"\n"))
    assert data.references == [["a dog barks", "it's a dog"]]
    data = read_captions(_write(tmp_path, "m.csv", "id,audio,caption_predicted,caption_1,caption_2,bleu_1\n"
                                "x1,a.wav,a dog,a dog barks,,0.5\n"))
    assert data.ids == ["x1"] and data.references == [["a dog barks"]]


@pytest.mark.parametrize("name, text, message", [
    ("s.jsonl", '{"candidate": "a", "candidates": "a dog barks", "references": ["b"]}\n', '"candidates" must be'),
    ("s.jsonl", '{"candidate": ["a"], "references": ["b"]}\n', '"candidate" must be a string'),
    ("s.jsonl", '{"candidate": "a", "references": "b"}\n', '"references" must be a list of strings'),
    ("s.jsonl", '{"candidate": "a", "references": ["b", 3]}\n', "a list holding a int"),
    ("e.jsonl", '{"candidate": "a", "references": ["", "  "]}\n', "line 1 has no reference"),
    ("e.csv", "caption_predicted,caption_1,caption_2\na,,  \n", "line 2 has no reference"),
    ("l.csv", "caption_predicted,captions\na,a dog barks\n", "'captions' cell must be a list"),
    ("x.csv", "x,y\n1,2\n", "needs a candidate column"),
    ("w.csv", "caption_predicted,caption_1\na,b,c\n", "more cells than the header"),
    ("n.csv", "caption_predicted,caption_1\n", "no rows"),
])
def test_bad_files_one_line_error(tmp_path, name, text, message) -> None:
    with pytest.raises(CaptionFileError, match=message) as err:
        read_captions(_write(tmp_path, name, text))
    assert str(tmp_path) in str(err.value) and "\n" not in str(err.value)


def test_empty_references_same_rule_in_csv_and_jsonl(tmp_path) -> None:
    a = read_captions(_write(tmp_path, "a.csv", "caption_predicted,caption_1,caption_2\nx,,a dog\n"))
    b = read_captions(_write(tmp_path, "b.jsonl", '{"candidate": "x", "references": ["", "a dog"]}\n'))
    assert a.references == b.references == [["a dog"]]


def test_cli_checks_output_path_before_work(tmp_path, capsys, monkeypatch) -> None:
    from aacap.cli import main
    from aacap.metrics import suite

    called = []
    monkeypatch.setattr(suite, "tokenize", lambda *a: called.append(1) or [])
    path = _write(tmp_path, "c.csv", "caption_predicted,caption_1\na,b\n")
    (tmp_path / "dir").mkdir()
    for out in (tmp_path / "dir", tmp_path / "missing" / "x.csv"):
        assert main(["evaluate", str(path), "-m", FAST, "--per-item", str(out)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and str(out) in err
    assert not called
    assert not (tmp_path / "missing").exists()


def test_cli_string_candidates_is_an_error_not_characters(tmp_path, capsys) -> None:
    from aacap.cli import main

    path = _write(tmp_path, "s.jsonl", '{"candidate": "a", "candidates": "a dog barks", "references": ["b"]}\n')
    assert main(["evaluate", str(path), "-m", "spider_max"]) == 2
    assert '"candidates" must be' in capsys.readouterr().err


def test_runaway_caption_is_capped_and_stays_fast() -> None:
    """One 10,000-word candidate: every metric, METEOR included, sees its first 256 words."""
    long = " ".join(["dog barks loudly"] * 3400)
    refs = [["a dog barks", "a dog is barking loudly"]]
    t = time.perf_counter()
    s = evaluate([long], refs, "bleu_4,meteor,rouge_l,cider_d")
    assert time.perf_counter() - t < 30
    assert s.truncated == 1
    capped = " ".join(long.split()[:MAX_CAPTION_WORDS])
    assert s.corpus == evaluate([capped], refs, "bleu_4,meteor,rouge_l,cider_d").corpus


def test_cli_json_lines_with_odd_separators(tmp_path, capsys) -> None:
    from aacap.cli import main

    path = _write(tmp_path, "c.jsonl", json.dumps({"candidate": "a dog\u2028barks", "references": ["a dog barks"]},
                                                  ensure_ascii=False) + "\n")
    assert main(["evaluate", str(path), "-m", FAST, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scores"]["bleu_1"] > 0.9
