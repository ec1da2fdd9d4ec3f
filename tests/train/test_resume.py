"""`kill -9` a training run at arbitrary moments, run the same command again: the resumed run
ends with exactly the weights of a run that was never interrupted (same seed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from aacap.train import load_recipe, train

from .conftest import tiny_settings

TIMEOUT_S = 240


def settings(manifest: Path) -> list[str]:
    # From audio (encoder trained too: BatchNorm, LSTMs), with dropout, SpecAugment on the
    # log-mel and mixup, so every random draw of the loop takes part; a checkpoint every step.
    # Six epochs of ~0.3 s each: the second kill (after epoch 1) lands with epochs to spare,
    # even where the run outpaces the test's polling.
    return tiny_settings(manifest, epochs=6, save_every_steps=1, mixup_alpha=0.4,
                         specaug_time_masks=1, specaug_freq_masks=1, encoder_weights=None,
                         freeze_encoder=False, threads=1)


def command(manifest: Path, out: Path) -> list[str]:
    args = [sys.executable, "-m", "aacap.cli", "train", "synth-tiny", "--out", str(out)]
    return args + [a for s in settings(manifest) for a in ("--set", s)]


def env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


def kill_when(proc: subprocess.Popen, ready: callable, delay_s: float) -> bool:
    """SIGKILL `proc` `delay_s` after `ready()` holds; False if it ended first."""
    deadline = time.time() + TIMEOUT_S
    while not ready():
        if proc.poll() is not None or time.time() > deadline:
            return False
        time.sleep(0.02)
    time.sleep(delay_s)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, map_location="cpu", weights_only=True)["state_dict"]


def train_state(run: Path) -> dict:
    return torch.load(run / "last.pt", weights_only=True)["extra"]["train_state"]


def done_steps(run: Path) -> int:
    return train_state(run)["global_step"]


def steps_saved(run: Path) -> int:
    """Steps in the run's last checkpoint; -1 before the first one."""
    try:
        return done_steps(run)
    except (FileNotFoundError, RuntimeError, EOFError):
        return -1


def test_kill_and_resume_gives_the_uninterrupted_result(corpus: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    ref, run = tmp_path / "ref", tmp_path / "run"
    train(load_recipe("synth-tiny", settings(corpus)), ref)  # uninterrupted, in this process

    # 1st kill: shortly after the first step's checkpoint; 2nd: after the first epoch's
    # validation and log, once the resumed run has saved a step of its own; then the
    # same command runs to the end. Each kill must land while training is still unfinished.
    killed_at: list[int] = []
    for ready, delay in ((lambda: steps_saved(run) >= 1, 0.15),
                         (lambda: (run / "log.csv").exists() and steps_saved(run) > killed_at[0],
                          0.0)):
        proc = subprocess.Popen(command(corpus, run), env=env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        assert kill_when(proc, ready, delay), "the run ended before it could be killed"
        state = train_state(run)
        assert not state["finished"], "killed after training ended: nothing was resumed"
        killed_at.append(state["global_step"])
    assert len(killed_at) == 2 and killed_at[0] < killed_at[1] <= done_steps(ref)
    done = subprocess.run(command(corpus, run), env=env(), timeout=TIMEOUT_S, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]

    a, b = weights(ref / "last.pt"), weights(run / "last.pt")
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), f"{name} differs after resuming"
    best_a, best_b = weights(ref / "best.pt"), weights(run / "best.pt")
    assert all(torch.equal(best_a[k], best_b[k]) for k in best_a)
    drop_time = lambda text: [line.rsplit(",", 1)[0] for line in text.splitlines()]  # noqa: E731
    assert drop_time((ref / "log.csv").read_text()) == drop_time((run / "log.csv").read_text())

    again = train(load_recipe("synth-tiny", settings(corpus)), run)  # nothing left to do
    assert again["steps"] == done_steps(run) and "already finished" in capsys.readouterr().out
