"""`aacap` itself: every subcommand's help, and a start-up that does not load torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aacap.cli import COMMANDS, main

# Runs `aacap ARGS` in a fresh interpreter and prints whether torch got imported.
PROBE = """
import sys
from aacap.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("torch loaded:", "torch" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["caption", "--help"],
                                  ["serve", "--help"], ["train", "--help"]])
def test_start_up_does_not_import_torch(args: list[str]) -> None:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         timeout=120)
    assert "torch loaded: False" in run.stderr, run.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0 and f"aacap {command}" in capsys.readouterr().out
