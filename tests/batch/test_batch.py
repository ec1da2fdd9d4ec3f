"""`aacap batch`: inputs, the same lines as `aacap caption --json`, errors file, resuming after
a cut line and after a killed process, 2 local workers, and a local Ray cluster of 2 workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.batch import errors_path, find_inputs, read_keys, run_batch
from aacap.cli import main

RATE = 32000  # the tiny model's rate: clips need no resampling


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from aacap.presets import tiny_overrides

    ckpt = tmp_path_factory.mktemp("batch") / "tiny.pt"
    sets = [a for o in tiny_overrides("las2020") for a in ("--set", o)]
    assert main(["init", "las2020", str(ckpt), *sets]) == 0
    return ckpt


def make_clips(folder: Path, n: int, seconds: float = 1.0) -> list[Path]:
    """n noise clips of equal length (so batching pads nothing), in two sub-folders."""
    paths = []
    for i in range(n):
        path = folder / ("a" if i % 2 else "b") / f"clip{i:03d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        x = 0.1 * np.random.default_rng(i).standard_normal(int(seconds * RATE))
        sf.write(path, x.astype(np.float32), RATE, subtype="FLOAT")
        paths.append(path)
    return sorted(paths)


def read_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def assert_same_captions(a: list[dict], b: list[dict]) -> None:
    by_path = {row["path"]: row for row in b}
    assert sorted(by_path) == sorted(row["path"] for row in a)
    for row in a:
        other = by_path[row["path"]]
        assert set(row) - {"source"} == set(other) - {"source"}
        assert row["caption"] == other["caption"]
        assert row["duration_s"] == other["duration_s"]
        assert [c["caption"] for c in row["candidates"]] == [c["caption"] for c in other["candidates"]]
        np.testing.assert_allclose([c["logprob"] for c in row["candidates"]],
                                   [c["logprob"] for c in other["candidates"]], rtol=1e-5)


def test_import_does_not_load_torch() -> None:
    """torch loads when a worker loads its model, not at `import aacap.batch` (which lists
    inputs and reads outputs without it)."""
    code = "import sys, aacap.batch; print('torch loaded:', 'torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "torch loaded: False"


def test_find_inputs(tmp_path: Path) -> None:
    clips = make_clips(tmp_path / "clips", 4)
    (tmp_path / "clips" / "notes.txt").write_text("not audio")
    assert [i.path for i in find_inputs(tmp_path / "clips")] == [str(p) for p in clips]
    pattern = str(tmp_path / "clips" / "a" / "*.wav")
    assert [i.path for i in find_inputs(pattern)] == [str(p) for p in clips if p.parent.name == "a"]
    manifest = tmp_path / "clips" / "m.jsonl"
    manifest.write_text('{"id": "x1", "audio": "a/clip001.wav", "caption": "ignored"}\n\n'
                        f'{{"id": 7, "audio": "{clips[2]}"}}\n')  # clips: a/1 a/3 b/0 b/2
    items = find_inputs(manifest)
    assert [(i.id, i.source) for i in items] == [("x1", str(clips[0].resolve())),
                                                 ("7", str(clips[2].resolve()))]
    with pytest.raises(ValueError, match="no such folder"):
        find_inputs(tmp_path / "missing")
    with pytest.raises(ValueError, match="no audio files"):
        find_inputs(str(tmp_path / "*.flac"))
    manifest.write_text('{"id": 1}\n')
    with pytest.raises(ValueError, match="m.jsonl:1: not a manifest line"):
        find_inputs(manifest)


def test_batch_writes_caption_json_lines_and_errors(
    tiny_ckpt: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    clips = make_clips(tmp_path / "clips", 5)
    bad = tmp_path / "clips" / "b" / "broken.flac"
    bad.write_bytes(b"fLaC and then nothing")
    out = tmp_path / "out" / "captions.jsonl"
    code = main(["batch", str(tmp_path / "clips"), "--out", str(out), "--model", str(tiny_ckpt),
                 "--max-length", "5", "--batch-size", "2", "--no-progress"])
    assert code == 1  # one input failed
    capsys.readouterr()
    assert main(["caption", *map(str, clips), "--model", str(tiny_ckpt), "--json",
                 "--max-length", "5"]) == 0
    reference = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert_same_captions(read_lines(out), reference)
    errors = read_lines(errors_path(out))
    assert errors_path(out).name == "captions.errors.jsonl"
    assert [e["path"] for e in errors] == [str(bad)] and "not audio" in errors[0]["error"]
    # a rerun has nothing left to do: the failed input is remembered too
    summary = run_batch(tmp_path / "clips", out, str(tiny_ckpt), progress=False,
                        options={"max_length": 5})
    assert (summary.captioned, summary.failed, summary.skipped) == (0, 0, 6)
    summary = run_batch(tmp_path / "clips", out, str(tiny_ckpt), progress=False,
                        options={"max_length": 5}, retry_errors=True)
    assert (summary.captioned, summary.failed, summary.skipped) == (0, 1, 5)
    assert len(read_lines(errors_path(out))) == 1


def test_rerun_repairs_a_cut_line_and_adds_new_inputs(tiny_ckpt: Path, tmp_path: Path) -> None:
    make_clips(tmp_path / "clips", 3)
    out = tmp_path / "captions.jsonl"
    opts = {"max_length": 4, "method": "greedy"}
    assert run_batch(tmp_path / "clips", out, str(tiny_ckpt), options=opts,
                     progress=False).captioned == 3
    first = out.read_text()
    with open(out, "a") as f:  # what a kill in the middle of a write leaves
        f.write('{"path": "half a li')
    assert len(read_keys(out)) == 3 and out.read_text() == first
    make_clips(tmp_path / "clips", 5)  # two more clips appear
    summary = run_batch(tmp_path / "clips", out, str(tiny_ckpt), options=opts, progress=False)
    assert (summary.captioned, summary.skipped) == (2, 3)
    paths = [row["path"] for row in read_lines(out)]
    assert len(paths) == len(set(paths)) == 5 and out.read_text().startswith(first)


def test_killed_run_resumes_without_duplicates(tiny_ckpt: Path, tmp_path: Path) -> None:
    n = 24
    make_clips(tmp_path / "clips", n, seconds=3.0)
    out = tmp_path / "captions.jsonl"
    cmd = [sys.executable, "-m", "aacap.cli", "batch", str(tmp_path / "clips"), "--out",
           str(out), "--model", str(tiny_ckpt), "--batch-size", "1", "--method", "greedy",
           "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (out.exists() and out.read_text().count("\n") >= 3):
        assert proc.poll() is None and time.monotonic() < deadline, "batch never got going"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = out.read_text().count("\n")
    assert 3 <= written < n, "the run ended before it could be interrupted"
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    paths = [row["path"] for row in read_lines(out)]
    assert len(paths) == n and len(set(paths)) == n
    assert f"{n - written} captioned, 0 failed, {written} already done" in rerun.stdout


def test_two_local_workers_give_the_same_lines(tiny_ckpt: Path, tmp_path: Path) -> None:
    make_clips(tmp_path / "clips", 6)
    opts = {"max_length": 6}
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    run_batch(tmp_path / "clips", one, str(tiny_ckpt), options=opts, batch_size=2, progress=False)
    run_batch(tmp_path / "clips", two, str(tiny_ckpt), options=opts, batch_size=2, workers=2,
              progress=False)
    assert_same_captions(read_lines(one), read_lines(two))


def test_manifest_ids_are_kept_and_resumed(tiny_ckpt: Path, tmp_path: Path) -> None:
    clips = make_clips(tmp_path / "clips", 3)
    manifest = tmp_path / "clips" / "m.jsonl"
    manifest.write_text("".join(json.dumps({"id": f"c{i}", "audio": str(p.relative_to(
        manifest.parent))}) + "\n" for i, p in enumerate(clips)))
    out = tmp_path / "captions.jsonl"
    run_batch(manifest, out, str(tiny_ckpt), options={"max_length": 3}, progress=False)
    rows = read_lines(out)
    assert [r["id"] for r in rows] == ["c0", "c1", "c2"]
    assert [r["path"] for r in rows] == [str(manifest.parent / p.relative_to(manifest.parent))
                                         for p in clips]
    assert run_batch(manifest, out, str(tiny_ckpt), progress=False).skipped == 3


def test_ray_local_cluster_with_two_workers(tiny_ckpt: Path, tmp_path: Path) -> None:
    """A local Ray cluster of 2 CPUs started here; 2 actors each hold the model."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed (aacap[ray])")
    make_clips(tmp_path / "clips", 6)
    (tmp_path / "clips" / "bad.wav").write_text("junk")
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    opts = ["--max-length", "6", "--batch-size", "2", "--no-progress"]
    assert main(["batch", str(tmp_path / "clips"), "--out", str(local), "--model",
                 str(tiny_ckpt), *opts]) == 1
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert ray.cluster_resources()["CPU"] == 2
        assert main(["batch", str(tmp_path / "clips"), "--out", str(on_ray), "--model",
                     str(tiny_ckpt), "--ray", "auto", "--workers", "2", *opts]) == 1
    finally:
        ray.shutdown()
    assert_same_captions(read_lines(local), read_lines(on_ray))
    assert read_lines(errors_path(on_ray)) == read_lines(errors_path(local))


def test_a_worker_that_cannot_start_fails_the_run_once(tiny_ckpt: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool worker whose model refuses an option keeps the error for its first chunk (raised
    in the pool's initializer, it made the pool start new workers forever: a hang)."""
    from aacap.batch import run

    monkeypatch.setattr(run, "_WORKER", {})
    run._init_worker(str(tiny_ckpt), 2, 1, {"task": "no-such-task"})  # does not raise
    with pytest.raises(ValueError, match="no-such-task"):
        run._work([])
