"""Batch captioning throughput: clips/s with 1 and 2 workers, local processes and on Ray.

Writes noise clips to temporary folders and times `run_batch` end to end on --clips and on
half as many; the difference gives the steady rate and the start-up (model loading, worker
processes or actors; the Ray cluster's own start is reported apart).

    .venv/bin/python benchmarks/batch.py                        # tiny untrained las2020
    .venv/bin/python benchmarks/batch.py --preset cnn14-trans2022 --full-size --clips 32
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from aacap.batch import run_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="checkpoint (default: an untrained --preset)")
    parser.add_argument("--preset", default="las2020")
    parser.add_argument("--full-size", action="store_true", help="the preset's published size")
    parser.add_argument("--clips", type=int, default=64)
    parser.add_argument("--clip-seconds", type=float, default=5.0)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=None, help="decoding max_length")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.model is None:
            from aacap.cli import main as cli
            from aacap.presets import tiny_overrides

            model = root / "m.pt"
            sets = [] if args.full_size else [
                a for o in tiny_overrides(args.preset) for a in ("--set", o)]
            assert cli(["init", args.preset, str(model), *sets]) == 0
        else:
            model = args.model
        rng = np.random.default_rng(0)
        for folder, count in (("half", args.clips // 2), ("all", args.clips)):
            (root / folder).mkdir()
            for i in range(count):
                x = 0.1 * rng.standard_normal(int(args.clip_seconds * 32000))
                sf.write(root / folder / f"{i:04d}.wav", x.astype(np.float32), 32000)
        options = {} if args.max_length is None else {"max_length": args.max_length}
        size = "full size" if args.full_size else "tiny"
        print(f"model: {model if args.model else f'untrained {args.preset} ({size})'}; "
              f"{args.clips} clips of {args.clip_seconds:g} s, batch {args.batch_size}, "
              f"max_length {args.max_length or 'default'}, {args.threads} torch thread(s) per "
              "worker; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

        rows = []

        def timed(name: str, workers: int, ray: str | None = None) -> None:
            seconds = {}
            for folder in ("half", "all"):
                out = root / f"{name}-{workers}-{folder}.jsonl"
                summary = run_batch(root / folder, out, str(model), workers=workers,
                                    batch_size=args.batch_size, options=options, ray=ray,
                                    threads=args.threads, progress=False)
                seconds[folder] = summary.seconds
            # steady rate from the difference of the two runs; start-up is what remains
            half = args.clips // 2
            extra = seconds["all"] - seconds["half"]
            steady = (args.clips - half) / extra if extra > 0 else float("nan")  # nan: too noisy
            startup = seconds["all"] - args.clips / steady
            rows.append((name, workers, startup, steady, seconds["all"],
                         args.clips / seconds["all"]))

        for workers in (1, 2):
            timed("local", workers)
        if not args.no_ray:
            import ray

            t0 = time.perf_counter()
            ray.init(num_cpus=2 * args.threads, include_dashboard=False, log_to_driver=False)
            print(f"ray local cluster ({2 * args.threads} CPUs) started in "
                  f"{time.perf_counter() - t0:.1f} s")
            try:
                for workers in (1, 2):
                    timed("ray", workers, ray="auto")
            finally:
                ray.shutdown()

    print(f"\n| where | workers | start-up s | steady clips/s | {args.clips} clips: wall s "
          "| clips/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| {} | {} | {:.1f} | {:.2f} | {:.1f} | {:.2f} |".format(*row))


if __name__ == "__main__":
    main()
