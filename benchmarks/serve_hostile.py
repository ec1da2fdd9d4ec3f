"""Bounded load test of `aacap serve` under hostile traffic: good and bad requests at once,
plus slow and vanishing clients, for a fixed time.

Starts `aacap serve` as its own process (its default limits: 30 s budget, 10 s header and body
timeouts), then for --seconds runs concurrently:
- good clients posting a 5 s clip in a loop;
- bad clients cycling through hostile requests (options beyond every maximum or non-finite,
  NaN / empty / truncated / text files, and a 1e30-amplitude WAV that must be captioned);
- slow clients that stall their headers, stall their body, or disconnect mid-upload.
Prints, per kind of client: requests, throughput, p50/p99 latency, the status codes and the 5xx
count; then the server's log: tracebacks, error lines, and disconnects logged as info.
Goal: 0 5xx, 0 tracebacks, every good request answered 200.

    .venv/bin/python benchmarks/serve_hostile.py                    # tiny untrained las2020
    .venv/bin/python benchmarks/serve_hostile.py --full-size --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve_load import make_checkpoint, start_server  # noqa: E402


def wav(x: np.ndarray, rate: int = 16000, subtype: str = "FLOAT") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), rate, format="WAV", subtype=subtype)
    return buf.getvalue()


def hostile_requests(rate: int = 16000) -> list[tuple[str, bytes, dict]]:
    """(name, body, query) of the bad requests, cycled by the bad clients."""
    x = 0.1 * np.random.default_rng(1).standard_normal(2 * rate)
    nan = x.copy()
    nan[5] = np.nan
    good = wav(x)
    flac = io.BytesIO()
    sf.write(flac, x.astype(np.float32), rate, format="FLAC")
    return [
        ("beam_size=1000", good, {"beam_size": 1000}),
        ("beam_size=1e20", good, {"beam_size": "99999999999999999999"}),
        ("temperature=inf", good, {"method": "sample", "temperature": "inf"}),
        ("length_penalty=1e308", good, {"length_penalty": "1e308"}),
        ("min/max_length=3000", good, {"min_length": 3000, "max_length": 3000}),
        ("segment_seconds=1e-4", good, {"segment_seconds": "0.0001"}),
        ("1e30 samples", wav(x / np.abs(x).max() * 1e30), {}),
        ("NaN sample", wav(nan), {}),
        ("0-sample WAV", wav(np.zeros(0)), {}),
        ("cut WAV", wav(x, subtype="PCM_16")[: rate], {}),
        ("cut FLAC", flac.getvalue()[: len(flac.getvalue()) // 3], {}),
        ("text as .mp3", b"not audio at all\n" * 50, {}),
    ]


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.codes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

    def add(self, kind: str, code: int | str, seconds: float) -> None:
        self.codes[kind][code] += 1
        self.latencies[kind].append(seconds)


async def good_client(http: httpx.AsyncClient, body: bytes, stop: float, stats: Stats) -> None:
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        try:
            code: int | str = (await http.post("/v1/captions", content=body)).status_code
        except httpx.HTTPError as err:
            code = type(err).__name__
        stats.add("good", code, time.perf_counter() - t0)


async def bad_client(http: httpx.AsyncClient, offset: int, stop: float, stats: Stats) -> None:
    cases = hostile_requests()
    i = offset
    while time.perf_counter() < stop:
        _, body, params = cases[i % len(cases)]
        i += 1
        t0 = time.perf_counter()
        try:
            response = await http.post("/v1/captions", content=body, params=params)
            code: int | str = response.status_code
            response.json()  # always JSON (raises on invalid JSON)
        except (httpx.HTTPError, ValueError) as err:
            code = type(err).__name__
        stats.add("bad", code, time.perf_counter() - t0)


async def slow_client(port: int, which: int, stop: float, stats: Stats) -> None:
    """Stalled headers (closed by the server), stalled body (408), or gone mid-upload."""
    kinds = ["stalled headers", "stalled body", "disconnect"]
    i = which
    while time.perf_counter() < stop:
        kind = kinds[i % 3]
        i += 1
        t0 = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = b"POST /v1/captions HTTP/1.1\r\nHost: x\r\n"
        try:
            if kind == "stalled headers":
                writer.write(head)
                await writer.drain()
                data = await asyncio.wait_for(reader.read(), 60)
                code: int | str = "closed" if not data else data[9:12].decode()
            elif kind == "stalled body":
                writer.write(head + b"Content-Length: 100000\r\n\r\nRIFF")
                await writer.drain()
                data = await asyncio.wait_for(reader.read(), 60)
                code = int(data[9:12]) if data else "closed"
            else:
                writer.write(head + b"Content-Length: 100000\r\n\r\nRIFF" + b"\0" * 1000)
                await writer.drain()
                await asyncio.sleep(0.2)
                code = "left"
        except (ConnectionError, asyncio.TimeoutError) as err:
            code = type(err).__name__
        finally:
            writer.close()
        stats.add(f"slow: {kind}", code, time.perf_counter() - t0)


async def load(url: str, port: int, args: argparse.Namespace, body: bytes) -> tuple[Stats, float]:
    stats = Stats()
    stop = time.perf_counter() + args.seconds
    limits = httpx.Limits(max_connections=args.good + args.bad)
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        await asyncio.gather(
            *(good_client(http, body, stop, stats) for _ in range(args.good)),
            *(bad_client(http, k, stop, stats) for k in range(args.bad)),
            *(slow_client(port, k, stop, stats) for k in range(args.slow)))
    return stats, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="las2020")
    parser.add_argument("--full-size", action="store_true", help="the preset's published size")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--good", type=int, default=8, help="good clients")
    parser.add_argument("--bad", type=int, default=4, help="hostile-request clients")
    parser.add_argument("--slow", type=int, default=6, help="slow or vanishing clients")
    parser.add_argument("--threads", type=int, default=1, help="the server's torch threads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        model = make_checkpoint(args.preset, args.full_size, Path(tmp) / "m.pt")
        log_path = Path(tmp) / "server.log"
        with open(log_path, "w") as log:
            proc, url = start_server(model, 16, 10.0, args.threads, "info", log)
        port = int(url.rsplit(":", 1)[1])
        try:
            body = wav(0.1 * np.random.default_rng(0).standard_normal(5 * 16000))
            size = "full size" if args.full_size else "tiny"
            print(f"untrained {args.preset} ({size}); {args.good} good + {args.bad} bad + "
                  f"{args.slow} slow clients for {args.seconds:g} s; 5 s clips; "
                  f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            stats, wall = asyncio.run(load(url, port, args, body))
        finally:
            proc.terminate()
            proc.wait(30)
        server_log = log_path.read_text()
    print("| clients | requests | req/s | p50 (ms) | p99 (ms) | answers | 5xx |")
    print("|---|---:|---:|---:|---:|---|---:|")
    total_5xx = 0
    for kind in sorted(stats.codes):
        codes = stats.codes[kind]
        n = sum(codes.values())
        fivexx = sum(c for code, c in codes.items() if isinstance(code, int) and code >= 500)
        total_5xx += fivexx
        answers = ", ".join(f"{code}: {c}" for code, c in sorted(codes.items(), key=str))
        print(f"| {kind} | {n} | {n / wall:.2f} | {percentile(stats.latencies[kind], 50):.0f} | "
              f"{percentile(stats.latencies[kind], 99):.0f} | {answers} | {fivexx} |")
    print(f"5xx in all: {total_5xx}; server log: {server_log.count('Traceback')} tracebacks, "
          f"{server_log.count('ERROR')} ERROR lines, "
          f"{server_log.count('disconnected before')} disconnects logged as info, "
          f"{server_log.count('no complete request headers')} header timeouts")


if __name__ == "__main__":
    main()
