"""The one torch-file reader (the atomic writer: tests/test_atomic.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from aacap.checkpoint import CheckpointError
from aacap.fileio import read_torch_file


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
