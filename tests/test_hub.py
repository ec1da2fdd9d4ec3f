"""Models by hub name (`aacap.hub`): `aacap caption --model Labbeti/conette` against a stand-in
hub on 127.0.0.1 (HF_ENDPOINT) serving a random-weight CoNeTTE directory built here.

huggingface_hub reads HF_ENDPOINT / HF_HOME / HF_HUB_OFFLINE when it is imported, so each case
runs the CLI in a fresh process with its own environment, as a user would.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.hub import HUB_MODELS, HubError, HubSpec, cached_snapshot, parse_hub_spec, with_revision
from standin_servers import StandInHub
from test_conette import tiny_model, write_conette_dir

pytest.importorskip("huggingface_hub", reason="models by hub name need huggingface_hub (aacap[hub])")

REPO_ID = "Labbeti/conette"


@pytest.fixture(scope="module")
def conette_dir(tmp_path_factory) -> Path:
    model = tiny_model(seed=3)
    return write_conette_dir(model, tmp_path_factory.mktemp("hub") / "conette", list(model.vocab.tokens))


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    """A 32 kHz mono clip and a 44.1 kHz stereo one."""
    root = tmp_path_factory.mktemp("clips")
    rng = np.random.default_rng(0)
    mono, stereo = root / "mono32k.wav", root / "stereo44k.wav"
    sf.write(mono, (0.1 * rng.standard_normal(32000)).astype(np.float32), 32000, subtype="PCM_16")
    sf.write(stereo, (0.1 * rng.standard_normal((44100, 2))).astype(np.float32), 44100, subtype="PCM_16")
    return [mono, stereo]


def caption(model: str, clips: list[Path], env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    return subprocess.run(
        [sys.executable, "-m", "aacap.cli", "caption", *map(str, clips), "--model", model, "--json", *extra],
        env={**base, **env}, capture_output=True, text=True, timeout=300,
    )


def captions(run: subprocess.CompletedProcess) -> list[str]:
    assert run.returncode == 0, run.stderr
    return [json.loads(line)["caption"] for line in run.stdout.splitlines()]


def one_line_error(run: subprocess.CompletedProcess) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_then_cache_then_offline(conette_dir, clips, tmp_path):
    import aacap

    expected = [r.caption for r in aacap.load_model(conette_dir).caption(clips)]
    cache = tmp_path / "hub-cache"  # HF_HUB_CACHE wins over HF_HOME/hub
    env = {"HF_HOME": str(tmp_path / "home"), "HF_HUB_CACHE": str(cache)}
    with StandInHub.from_dirs({REPO_ID: conette_dir}) as hub:
        env["HF_ENDPOINT"] = hub.url
        assert captions(caption(REPO_ID, clips, env)) == expected
        # (huggingface_hub also GETs /api/agent-harnesses, its user-agent registry: not ours)
        fetched = [(m, p) for m, p, _ in hub.log if m == "GET" and "/resolve/" in p]
        assert sorted(fetched) == [("GET", f"/{REPO_ID}/resolve/main/config.json"),
                                   ("GET", f"/{REPO_ID}/resolve/main/pytorch_model.bin")]
        assert ("HEAD", f"/{REPO_ID}/resolve/main/model.safetensors", None) in hub.log  # preferred, absent
    snapshot = cache / "models--Labbeti--conette" / "snapshots" / hub.commits[REPO_ID]
    assert sorted(p.name for p in snapshot.iterdir()) == ["config.json", "pytorch_model.bin"]
    assert not (tmp_path / "home" / "hub").exists()
    assert cached_snapshot(HubSpec(REPO_ID, "main"), cache) == snapshot  # what `aacap models` shows
    assert cached_snapshot(HubSpec(REPO_ID, "main"), tmp_path / "empty") is None
    # the hub is gone: the cache answers (the short name means the same repository)
    assert captions(caption("hf://Labbeti/conette", clips, env)) == expected
    assert captions(caption("conette", clips, {**env, "HF_HUB_OFFLINE": "1"})) == expected


def test_interrupted_download_is_retried(conette_dir, clips, tmp_path):
    with StandInHub.from_dirs({REPO_ID: conette_dir}) as hub:
        hub.cut = {"pytorch_model.bin"}
        run = caption(REPO_ID, clips[:1], {"HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf")})
        assert run.returncode == 0, run.stderr
        ranges = [r for m, p, r in hub.log if m == "GET" and p.endswith("pytorch_model.bin")]
    # The cut drops the connection half-way; the download is tried again (by huggingface_hub
    # >= 1.0 itself, by aacap for 0.x) and the second try completes the file. A mid-file resume
    # is tested on the PANNs path (tests/encoders/test_panns_weights.py): the hub client writes
    # in 10 MB chunks, so for this 5 MB file it restarts from byte 0.
    assert len(ranges) == 2 and ranges[0] is None
    blob = next((tmp_path / "hf" / "hub" / "models--Labbeti--conette" / "snapshots").glob("*/pytorch_model.bin"))
    assert blob.read_bytes() == (conette_dir / "pytorch_model.bin").read_bytes()


def test_missing_weights_in_the_repository(conette_dir, clips, tmp_path):
    hub = StandInHub({REPO_ID: {"config.json": (conette_dir / "config.json").read_bytes()}})
    with hub:
        run = caption(REPO_ID, clips[:1], {"HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf")})
    line = one_line_error(run)
    assert "Labbeti/conette@main" in line and "has no model.safetensors or pytorch_model.bin" in line


def test_unknown_repository_and_revision(conette_dir, clips, tmp_path):
    env = {"HF_HOME": str(tmp_path / "hf")}
    with StandInHub.from_dirs({REPO_ID: conette_dir}) as hub:
        env["HF_ENDPOINT"] = hub.url
        assert "no such repository" in one_line_error(caption("someone/nothing", clips[:1], env))
        assert "no such revision" in one_line_error(caption(REPO_ID, clips[:1], env, "--revision", "v9"))


def test_no_cache_and_no_hub_is_one_line(clips, tmp_path):
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    line = one_line_error(caption(REPO_ID, clips[:1], env))
    assert line.startswith("aacap caption: error: Labbeti/conette@main: could not reach http://127.0.0.1:")
    assert "Connection refused" in line
    assert "--model DIR" in line
    line = one_line_error(caption("conette", clips[:1], {**env, "HF_HUB_OFFLINE": "1"}))
    assert "HF_HUB_OFFLINE=1" in line and "--model DIR" in line


# --- names, in process (no network) ------------------------------------------------------------

def test_names_that_mean_a_hub_repository(tmp_path, monkeypatch):
    pinned = HUB_MODELS["conette"].revision
    assert parse_hub_spec("conette") == HubSpec(REPO_ID, pinned)
    assert parse_hub_spec(REPO_ID) == HubSpec(REPO_ID, pinned)
    assert parse_hub_spec("hf://Labbeti/conette@abc123") == HubSpec(REPO_ID, "abc123")
    assert parse_hub_spec("conette", revision="v2") == HubSpec(REPO_ID, "v2")
    assert parse_hub_spec("hf://someone/model") == HubSpec("someone/model", None)
    for local in ("default", "cnn14-rnn2021", "runs/best.pt", "model.pt", "a/b/c"):
        assert parse_hub_spec(local) is None
    folder = tmp_path / "Labbeti"
    (folder / "conette").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)  # an existing local folder named like a repository stays a folder
    assert parse_hub_spec(REPO_ID) is None
    with pytest.raises(HubError, match="not a hub repository id"):
        parse_hub_spec("hf://not-a-repo")
    assert with_revision("conette", "v3") == "conette@v3"
    assert with_revision("model.pt", "v3") == "model.pt"


def test_cached_snapshot_follows_the_hub_cache_layout(tmp_path):
    """A branch or tag is looked up through `refs/`, a commit directly; a ref to a snapshot
    that is gone, or a snapshot without its config, is not a cached model."""
    root = tmp_path / "models--org--m"
    a, b = "a" * 40, "b" * 40
    for commit in (a, b):
        (root / "snapshots" / commit).mkdir(parents=True)
    (root / "snapshots" / a / "config.json").write_text("{}")
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text(a)
    (root / "refs" / "v1").write_text(b)  # a tag whose snapshot lacks config.json
    (root / "refs" / "gone").write_text("c" * 40)
    assert cached_snapshot(HubSpec("org/m", None), tmp_path) == root / "snapshots" / a
    assert cached_snapshot(HubSpec("org/m", a), tmp_path) == root / "snapshots" / a
    assert cached_snapshot(HubSpec("org/m", "v1"), tmp_path) is None
    assert cached_snapshot(HubSpec("org/m", "gone"), tmp_path) is None
    assert cached_snapshot(HubSpec("org/m", b), tmp_path) is None
    assert cached_snapshot(HubSpec("org/other", None), tmp_path) is None
