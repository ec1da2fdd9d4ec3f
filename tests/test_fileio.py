"""The one torch-file reader and strict weight loader (the atomic writer: tests/test_atomic.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from aacap.checkpoint import CheckpointError, load_checkpoint
from aacap.fileio import load_strict, read_torch_file
from helpers import tiny_checkpoint


class Code:
    """A pickled object: loading it may run code, so only a trusted file may hold one."""


def test_torch_files_read_with_one_line_errors(tmp_path: Path) -> None:
    good = tmp_path / "w.pt"
    torch.save({"w": torch.arange(3)}, good)
    assert torch.equal(read_torch_file(good, "state dict")["w"], torch.arange(3))
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a torch file")
    with pytest.raises(CheckpointError) as err:
        read_torch_file(junk, "checkpoint", error=CheckpointError, hint="; try another")
    text = str(err.value)
    assert text.startswith(f"{junk}: not a readable checkpoint (") and text.endswith("; try another")
    assert "\n" not in text

    torch.save({"obj": Code()}, tmp_path / "code.pt")  # an object: refused unless trusted
    with pytest.raises(ValueError, match="not a readable weights file"):
        read_torch_file(tmp_path / "code.pt", "weights file")
    assert isinstance(read_torch_file(tmp_path / "code.pt", "weights file", trusted=True)["obj"], Code)


def test_weights_load_strictly_with_one_line_errors() -> None:
    """Missing, unexpected and misshapen tensors are named; nothing loads; BatchNorm counters
    may be missing."""
    module = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    bias = module[0].bias.detach().clone()
    state = {k: v + 1 for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    for bad, message in [
        ({k: v for k, v in state.items() if k != "0.bias"}, r"missing \['0\.bias'\]"),
        ({**state, "2.weight": torch.zeros(1)}, r"unexpected \['2\.weight'\]"),
        ({**state, "0.weight": torch.zeros(4, 2)}, r"0\.weight has shape \(4, 2\), the config makes \(3, 2\)"),
    ]:
        with pytest.raises(CheckpointError, match=f"^w.pt: weights do not match the Sequential config: .*{message}.*; hint$") as err:
            load_strict(module, bad, "w.pt", error=CheckpointError, hint="; hint")
        assert "[]" not in str(err.value)  # only what is wrong is listed
        assert torch.equal(module[0].bias, bias)  # nothing loaded
    load_strict(module, state, "w.pt")
    assert torch.equal(module[0].bias, bias + 1)


def test_checkpoint_with_a_missing_tensor_is_refused_in_one_line(tmp_path: Path) -> None:
    """`load_checkpoint` checks names with the same loader as it checks shapes."""
    tiny_checkpoint("cnn14-trans2022", tmp_path / "m.pt")
    data = torch.load(tmp_path / "m.pt", weights_only=True)
    key = next(k for k in data["state_dict"] if not k.endswith("num_batches_tracked"))
    del data["state_dict"][key]
    torch.save(data, tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match=f"weights do not match its config and vocabulary of .*missing \\['{key}'\\]"):
        load_checkpoint(tmp_path / "m.pt")
