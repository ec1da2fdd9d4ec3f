"""Load test of `aacap serve` on loopback: N concurrent clients for a fixed time.

For each --max-batch value, starts `aacap serve` as its own process, lets --clients clients
post the same clip in a loop for --seconds, and prints throughput, p50/p99 latency and errors,
the mean batch the server formed, and the server's CPU time per clip (which, unlike wall-clock
figures, does not depend on what else the machine runs). Goal: zero errors, and dynamic batching at least 2x the
throughput of `--max-batch 1` (one request at a time).

    .venv/bin/python benchmarks/serve_load.py                       # tiny untrained las2020
    .venv/bin/python benchmarks/serve_load.py --preset cnn14-trans2022 --full-size
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile as sf


def make_checkpoint(preset: str, full_size: bool, out: Path) -> Path:
    from aacap.cli import main
    from aacap.presets import tiny_overrides

    sets = [] if full_size else [a for o in tiny_overrides(preset) for a in ("--set", o)]
    assert main(["init", preset, str(out), *sets]) == 0
    return out


def clip_bytes(seconds: float, rate: int = 32000) -> bytes:
    x = 0.1 * np.random.default_rng(0).standard_normal(int(seconds * rate))
    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), rate, format="WAV")
    return buf.getvalue()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: Path, max_batch: int, max_wait_ms: float, threads: int | None,
                 log_level: str = "warning", log: Any = subprocess.DEVNULL
                 ) -> tuple[subprocess.Popen, str]:
    """`aacap serve` in a child process (its output to `log`), once /healthz answers."""
    port = free_port()
    extra = [] if threads is None else ["--threads", str(threads)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "aacap.cli", "serve", "--model", str(model), "--port", str(port),
         "--max-batch", str(max_batch), "--max-wait-ms", str(max_wait_ms),
         "--log-level", log_level, *extra], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("aacap serve did not start")


async def load(url: str, body: bytes, clients: int, seconds: float, params: dict
               ) -> tuple[list[float], int, float]:
    """Each client posts `body` back to back until `seconds` pass: (latencies s, errors, wall)."""
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                response = await http.post("/v1/captions", content=body, params=params)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - t0)
            else:
                errors += 1

    limits = httpx.Limits(max_connections=clients)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="checkpoint (default: an untrained --preset)")
    parser.add_argument("--preset", default="las2020")
    parser.add_argument("--full-size", action="store_true", help="the preset's published size")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="load duration per setting")
    parser.add_argument("--clip-seconds", type=float, default=5.0)
    parser.add_argument("--max-batch", default="1,16", help="comma-separated settings to compare")
    parser.add_argument("--max-wait-ms", type=float, default=10.0)
    parser.add_argument("--max-length", type=int, default=None, help="decoding max_length")
    parser.add_argument("--threads", type=int, default=None, help="the server's torch threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or make_checkpoint(args.preset, args.full_size, Path(tmp) / "m.pt")
        body = clip_bytes(args.clip_seconds)
        params = {} if args.max_length is None else {"max_length": args.max_length}
        size = "full size" if args.full_size else "tiny"
        print(f"model: {model if args.model else f'untrained {args.preset} ({size})'}; "
              f"{args.clients} clients x {args.seconds:g} s; {args.clip_seconds:g} s clips; "
              f"max_length {args.max_length or 'default'}; torch threads {args.threads or 'default'}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        rows = []
        for max_batch in [int(b) for b in args.max_batch.split(",")]:
            proc, url = start_server(model, max_batch, args.max_wait_ms, args.threads)
            try:
                asyncio.run(load(url, body, min(args.clients, 4), 2.0, params))  # warm-up
                before, cpu0 = httpx.get(f"{url}/healthz").json(), cpu_seconds(proc.pid)
                lat, errors, wall = asyncio.run(load(url, body, args.clients, args.seconds,
                                                     params))
                after, cpu1 = httpx.get(f"{url}/healthz").json(), cpu_seconds(proc.pid)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            batches = after["batches"] - before["batches"]
            mean_batch = (after["clips"] - before["clips"]) / batches if batches else 0.0
            ms = np.percentile(np.array(lat) * 1000, [50, 99]) if lat else [np.nan, np.nan]
            cpu_ms = 1000 * (cpu1 - cpu0) / max(1, after["clips"] - before["clips"])
            rows.append((max_batch, len(lat), len(lat) / wall, ms[0], ms[1], errors, mean_batch,
                         cpu_ms))

    # server CPU ms per clip: the cost of a request whatever else runs on the machine
    print("\n| max_batch | requests | req/s | p50 ms | p99 ms | errors | mean batch "
          "| server CPU ms/clip |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| {} | {} | {:.2f} | {:.0f} | {:.0f} | {} | {:.1f} | {:.0f} |".format(*row))
    if len(rows) > 1 and rows[0][2] > 0:
        print(f"\nmax_batch={rows[-1][0]} vs {rows[0][0]}: throughput "
              f"{rows[-1][2] / rows[0][2]:.2f}x, server CPU per clip "
              f"{rows[0][7] / rows[-1][7]:.2f}x less")


if __name__ == "__main__":
    main()
