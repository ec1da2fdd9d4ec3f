"""Peak memory of `aacap caption` on long recordings: is it independent of the length?

Writes a recording of N minutes at 16 kHz (noise with tones and silences, written block by
block), then runs `aacap caption FILE --json` as a child process for each model, whole-file
and with `--segment-seconds 10`, and reports the child's peak resident memory (ru_maxrss) and
wall time. The presets run untrained at their published sizes (`aacap init`): memory and time
do not depend on the weights. Goal: peak RSS <= 1.5 GB for a 1-hour file, any model.

    .venv/bin/python benchmarks/long_memory.py                         # 60 min, every model
    .venv/bin/python benchmarks/long_memory.py --minutes 5,60 --models default,las2020
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000  # Hz, the file's rate (each model resamples it to its own)
MODELS = ["default", "las2020", "cnn14-rnn2021", "cnn14-trans2022", "cnext-trans2023"]


def write_recording(path: Path, minutes: float, seed: int = 0) -> None:
    """N minutes of 16-bit mono at 16 kHz: alternating 20 s of noise, tone and silence."""
    rng = np.random.default_rng(seed)
    block = 20 * RATE
    with sf.SoundFile(path, "w", RATE, 1, "PCM_16") as f:
        for i in range(int(minutes * 60 * RATE) // block):
            t = np.arange(block) / RATE
            kind = i % 3
            x = (0.1 * rng.standard_normal(block) if kind == 0
                 else 0.3 * np.sin(2 * np.pi * (220 + 40 * i % 800) * t) if kind == 1
                 else np.zeros(block))
            f.write(x.astype(np.float32))


def run(cmd: list[str]) -> tuple[float, float, int]:
    """(peak RSS in MB of the child, wall seconds, exit status)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if status:
        sys.stderr.write(proc.stderr.read().decode()[-2000:])
    return usage.ru_maxrss / 1024, wall, os.waitstatus_to_exitcode(status)  # kB -> MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", default="60", help="comma-separated recording lengths")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--modes", default="whole,segments", help="whole and/or segments")
    parser.add_argument("--threads", type=int, default=2, help="torch threads of the child")
    args = parser.parse_args()
    aacap = [sys.executable, "-m", "aacap.cli"]
    env_threads = {"OMP_NUM_THREADS": str(args.threads)}
    os.environ.update(env_threads)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"{args.threads} torch threads; file at {RATE} Hz, 16-bit WAV", flush=True)
    print("| model | mode | minutes | peak RSS (MB) | wall (s) | exit |", flush=True)
    print("|---|---|---:|---:|---:|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoints = {}
        for name in args.models.split(","):
            if name == "default":
                checkpoints[name] = "default"
                continue
            out = Path(tmp) / f"{name}.pt"
            subprocess.run([*aacap, "init", name, str(out)], check=True,
                           stdout=subprocess.DEVNULL)
            checkpoints[name] = str(out)
        for minutes in [float(m) for m in args.minutes.split(",")]:
            wav = Path(tmp) / f"long_{minutes:g}min.wav"
            write_recording(wav, minutes)
            for name, model in checkpoints.items():
                for mode in args.modes.split(","):
                    extra = ["--segment-seconds", "10"] if mode == "segments" else []
                    rss, wall, code = run([*aacap, "caption", str(wav), "--model", model,
                                           "--json", *extra])
                    print(f"| {name} | {mode} | {minutes:g} | {rss:.0f} | {wall:.1f} | {code} |",
                          flush=True)
            wav.unlink()


if __name__ == "__main__":
    main()
