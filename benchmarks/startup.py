"""Start-up time of the `aacap` command: wall seconds of `aacap --version`, `aacap --help`
and `aacap models`, each run in a fresh process, and whether torch was loaded.

    .venv/bin/python benchmarks/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = [["--version"], ["--help"], ["caption", "--help"], ["models"]]
# runs `aacap ARGS` like the console script, then says whether torch got imported
PROBE = ("import sys; from aacap.cli import main\ntry:\n    main(sys.argv[1:])\n"
         "except SystemExit:\n    pass\nprint('TORCH', 'torch' in sys.modules, file=sys.stderr)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"| command | min s | median s | max s | torch loaded |\n|---|---:|---:|---:|---|")
    for argv in COMMANDS:
        times, torch_loaded = [], False
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            run = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True,
                                 text=True, check=True)
            times.append(time.perf_counter() - t0)
            torch_loaded = "TORCH True" in run.stderr
        print(f"| aacap {' '.join(argv)} | {min(times):.2f} | {statistics.median(times):.2f} "
              f"| {max(times):.2f} | {'yes' if torch_loaded else 'no'} |")


if __name__ == "__main__":
    main()
