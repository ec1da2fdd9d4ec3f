"""`aacap train` and `aacap evaluate-model` end to end on the tiny corpus, and the frame cache."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from aacap.checkpoint import load_checkpoint
from aacap.cli import main
from aacap.train import load_recipe, train
from aacap.train.data import encode_captions, load_clips

from .conftest import tiny_settings


def sets(*args: str) -> list[str]:
    return [a for s in args for a in ("--set", s)]


@pytest.fixture(scope="module")
def trained(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    overrides = tiny_settings(corpus, epochs=2, encoder_weights=None, freeze_encoder=False)
    assert main(["train", "synth-tiny", "--out", str(out), *sets(*overrides)]) == 0
    return out


def test_train_writes_checkpoints_and_logs(trained: Path, corpus: Path) -> None:
    rows = list(csv.DictReader((trained / "log.csv").open()))
    assert [r["epoch"] for r in rows] == ["1", "2"] and rows[0]["val_metric"] == "cider_d"
    assert float(rows[1]["train_loss"]) < float(rows[0]["train_loss"])
    assert json.loads((trained / "config.json").read_text())["epochs"] == 2
    model = load_checkpoint(trained / "best.pt")  # a plain aacap checkpoint
    assert "<bos_clotho>" in model.vocab.index and "hum" in model.vocab.index
    last = load_checkpoint(trained / "last.pt")  # the training state is an aacap checkpoint too
    assert last.state_dict().keys() == model.state_dict().keys()
    wav = next(corpus.parent.glob("*.wav"))
    assert main(["caption", str(wav), "--model", str(trained / "best.pt"), "--task", "clotho"]) == 0


def test_evaluate_model_scores_and_writes_items(trained: Path, corpus: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    items = tmp_path / "items.csv"
    code = main(["evaluate-model", str(trained / "best.pt"), str(corpus), "--split", "val",
                 "--metrics", "bleu_1,cider_d", "--out", str(items), "--method", "greedy"])
    assert code == 0
    printed = capsys.readouterr().out
    rows = list(csv.DictReader(items.open()))
    assert len(rows) == 3 and {"caption_predicted", "caption_1", "bleu_1", "cider_d"} <= set(rows[0])
    corpus_cider = float(next(l for l in printed.splitlines() if "cider_d" in l).split()[1])
    assert corpus_cider == pytest.approx(np.mean([float(r["cider_d"]) for r in rows]), abs=1e-4)
    # what evaluate-model writes, aacap evaluate reads, with the same corpus values
    assert main(["evaluate", str(items), "-m", "bleu_1,cider_d", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)["scores"]
    assert again["cider_d"] == pytest.approx(corpus_cider, abs=1e-4)


def test_evaluate_model_takes_every_model_spec(corpus: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    # not only checkpoint files: the default model (retrieval) too, by name
    items = tmp_path / "default.csv"
    assert main(["evaluate-model", "default", str(corpus), "--split", "val", "--metrics", "bleu_1",
                 "--out", str(items)]) == 0
    assert "default on" in capsys.readouterr().out
    rows = list(csv.DictReader(items.open()))
    assert len(rows) == 3 and all(r["caption_predicted"] for r in rows)
    assert main(["evaluate-model", "no-such-model", str(corpus)]) == 2
    assert "no such model or checkpoint" in capsys.readouterr().err


def test_resume_refuses_other_settings(trained: Path, corpus: Path, capsys: pytest.CaptureFixture) -> None:
    overrides = tiny_settings(corpus, epochs=2, encoder_weights=None, freeze_encoder=False, lr=0.1)
    assert main(["train", "synth-tiny", "--out", str(trained), *sets(*overrides)]) == 2
    err = capsys.readouterr().err
    assert "other settings (lr" in err and len(err.strip().splitlines()) == 1
    assert main(["train", "synth-tiny", "--set", "learning_rate=1"]) == 2


def test_frozen_encoder_frames_are_cached_once(corpus: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    base = tiny_settings(corpus, epochs=1, freeze_encoder=True, encoder_weights=None,
                         cache_dir=str(cache), specaug_time_masks=1, mixup_alpha=0.4)
    train(load_recipe("synth-tiny", base), tmp_path / "a")
    files = sorted(cache.glob("*.npy"))
    assert len(files) == 12  # every train and validation clip
    stamps = [f.stat().st_mtime_ns for f in files]
    model = load_checkpoint(tmp_path / "a" / "best.pt").eval()
    from aacap.audio import load_audio

    clip = load_clips([{"manifest": str(corpus)}], Path)[0]
    wave = torch.from_numpy(load_audio(clip.audio, model.sample_rate))[None]
    with torch.inference_mode():
        frames, n = model.encoder(wave, torch.tensor([wave.shape[1]]))
    cached = np.load(next(f for f in files if "low0" in f.name))
    assert np.allclose(cached, frames[0, : int(n[0])].numpy(), atol=1e-6)
    train(load_recipe("synth-tiny", base), tmp_path / "b")  # same encoder: frames reused
    assert [f.stat().st_mtime_ns for f in files] == stamps
    with pytest.raises(ValueError, match="another encoder"):  # other weights, same cache folder
        train(load_recipe("synth-tiny", base + ["seed=4"]), tmp_path / "c")


def test_several_datasets_get_their_task_tokens(corpus: Path) -> None:
    clips = load_clips([{"manifest": str(corpus), "split": "dev", "task": "clotho"},
                        {"manifest": str(corpus), "split": "val", "task": "audiocaps"}], Path)
    from aacap.vocab import Vocabulary

    vocab = Vocabulary.from_captions(c for clip in clips for c in clip.captions)
    tokens = encode_captions(vocab, [clips[0].captions[0], clips[-1].captions[0]],
                             [clips[0].task, clips[-1].task], 50)
    assert tokens[:, 0].tolist() == [vocab.index["<bos_clotho>"], vocab.index["<bos_audiocaps>"]]


def test_tensorboard_events_or_a_clean_skip(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture) -> None:
    base = tiny_settings(corpus, epochs=1, freeze_encoder=True, encoder_weights=None,
                         cache_dir=str(tmp_path / "cache"), tensorboard=True)
    try:
        import torch.utils.tensorboard  # noqa: F401
    except ImportError:
        pass
    else:
        train(load_recipe("synth-tiny", base), tmp_path / "with")
        assert list((tmp_path / "with" / "tb").glob("events.out.tfevents.*"))
    monkeypatch.setitem(__import__("sys").modules, "torch.utils.tensorboard", None)  # not installed
    summary = train(load_recipe("synth-tiny", base), tmp_path / "without")
    assert summary["epochs"] == 1 and not (tmp_path / "without" / "tb").exists()
    assert "tensorboard is not installed" in capsys.readouterr().out


def test_a_recipe_naming_panns_loads_the_published_file(corpus: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`encoder_weights = "panns"` resolves as `aacap init --encoder-weights panns` does, to the
    checksummed file in ~/panns_data (here a tiny aacap checkpoint made the 'published' one; an
    unreachable URL, so nothing is downloaded)."""
    from aacap.encoders import panns_weights as pw
    from aacap.presets import tiny_overrides

    source = tmp_path / "source.pt"
    assert main(["init", "cnn14-trans2022", str(source), "--seed", "5", *sets(*tiny_overrides("cnn14-trans2022"))]) == 0
    published = tmp_path / "home" / "panns_data" / pw.FILE_NAME
    published.parent.mkdir(parents=True)
    published.write_bytes(source.read_bytes())
    monkeypatch.setattr(pw, "MD5", hashlib.md5(published.read_bytes()).hexdigest())
    monkeypatch.setattr(pw, "SIZE", published.stat().st_size)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AACAP_PANNS_URL", "http://127.0.0.1:9/Cnn14_mAP=0.431.pth")
    monkeypatch.chdir(tmp_path)  # no file named `panns` here
    want = load_checkpoint(source).encoder.state_dict()

    model = load_checkpoint(source).config.to_dict()
    recipe = tiny_settings(corpus, model=model, epochs=1, freeze_encoder=True, encoder_weights="panns")
    train(load_recipe("synth-tiny", recipe), tmp_path / "run")
    assert main(["init", "cnn14-trans2022", "init.pt", "--encoder-weights", "panns",
                 *sets(*tiny_overrides("cnn14-trans2022"))]) == 0
    for path in (tmp_path / "run" / "best.pt", tmp_path / "init.pt"):
        got = load_checkpoint(path).encoder.state_dict()
        assert got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in want), path


def test_evaluate_model_skips_an_unreadable_clip(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A clip that does not read is named on stderr and left out; the others are scored."""
    import soundfile as sf

    from helpers import tiny_checkpoint, tone

    ckpt = tiny_checkpoint("las2020", tmp_path / "tiny.pt")
    lines = []
    for i in range(3):
        path = tmp_path / f"c{i}.wav"
        sf.write(path, tone(1.0, 32000, 300.0 * (i + 1)), 32000)
        lines.append({"id": f"c{i}", "audio": str(path), "dataset": "clotho", "split": "eval",
                      "duration_s": 1.0, "captions": ["a tone plays", "a beep sounds"]})
    (tmp_path / "c1.wav").write_bytes(b"not audio")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    items = tmp_path / "items.csv"
    assert main(["evaluate-model", str(ckpt), str(manifest), "--metrics", "bleu_1",
                 "--max-length", "4", "--out", str(items), "--quiet"]) == 1  # 1: a clip failed
    err = capsys.readouterr().err
    assert "aacap evaluate-model: skipped" in err and "c1.wav" in err
    rows = list(csv.DictReader(items.open()))
    assert [r["id"] for r in rows] == ["c0", "c2"]
