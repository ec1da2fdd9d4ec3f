"""DDP: 2 processes under torchrun (gloo, CPU) match one process on the same global batch."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import TINY_MODEL, tiny_settings

HERE = Path(__file__).resolve().parent


def test_two_processes_match_one(corpus: Path, tmp_path: Path) -> None:
    # Frozen (random) encoder with cached frames; no dropout or random augmentation, which
    # each process draws for itself.
    model = copy.deepcopy(TINY_MODEL)
    model["projection_dropout"] = model["decoder_args"]["dropout"] = 0.0
    sets = tiny_settings(corpus, model=model, epochs=2, freeze_encoder=True, encoder_weights=None,
                         cache_dir=str(tmp_path / "cache"))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--standalone",
           str(HERE / "ddp_check.py"), str(tmp_path), *sets]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["grad_diff"] < 1e-6, result
    assert result["steps"][0] == result["steps"][1] > 0
    assert result["weight_diff"] < 1e-5, result
    for a, b in zip(*result["losses"]):
        assert abs(a - b) < 1e-5
