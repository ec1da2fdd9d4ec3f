"""`aacap batch INPUT [--out captions.jsonl] [--output-format dcase,srt,...] [--output-dir DIR]
[--workers N] [--ray auto|ADDRESS] [decoding options]`.

INPUT is a folder, a glob or a manifest .jsonl. A rerun skips what the output already holds.
The JSONL is the run's record (what resumes); the other formats are written from all of it
when the run ends (`aacap.outputs`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..hub import REVISION_HELP, with_revision
from ..progress import add_quiet_argument
from .decoding_args import add_decoding_arguments, kwargs_from_args
from .output_args import add_output_arguments, describe


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "batch", help="caption a collection into JSONL (resumable, local processes or Ray)",
        description="Caption every audio file of INPUT into --out, one `aacap caption --json` "
                    "line each. Rerunning skips inputs already in --out or in the errors file "
                    "(<out stem>.errors.jsonl, where unreadable inputs go with the reason).")
    p.add_argument("input", help="a folder, a glob such as 'clips/**/*.flac' (quoted), or a "
                                 'manifest .jsonl of {"id": ..., "audio": PATH} lines')
    p.add_argument("--out", type=Path,
                   help="output JSONL, appended to (default: DIR/captions.jsonl, DIR being "
                        "--output-dir or the current folder)")
    add_output_arguments(p, "default: the folder of --out; collection formats are named after "
                            "--out: captions.csv, captions.dcase.csv, ...; srt/vtt: one "
                            "<audio stem>.srt per input")
    p.add_argument("--model", default="default", help="model name or checkpoint (default: default)")
    p.add_argument("--revision", help=REVISION_HELP)
    p.add_argument("--batch-size", type=int, default=8, help="clips per model call (default 8)")
    p.add_argument("--workers", type=int, default=None,
                   help="local processes (default 1) or, with --ray, actors (default: one per "
                        "CPU of the cluster)")
    p.add_argument("--ray", metavar="auto|ADDRESS", default=None,
                   help="run on Ray: 'auto' joins the cluster of RAY_ADDRESS or `ray start` "
                        "(else starts a local one), or give a cluster address HOST:6379")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads per worker (default: the cores shared out among local "
                        "workers; 1 per Ray actor, which reserves that many CPUs)")
    p.add_argument("--retry-errors", action="store_true",
                   help="caption again the inputs listed in the errors file")
    add_quiet_argument(p, "--no-progress")
    add_decoding_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # imported when the command runs: `aacap --help` stays free of torch and the models
    from ..batch import errors_path, run_batch
    from ..outputs import read_records, write_all

    formats = [f for f in args.output_format or [] if f != "jsonl"]  # the JSONL is --out
    out = args.out or (args.output_dir or Path(".")) / "captions.jsonl"
    model = with_revision(args.model, args.revision)
    summary = run_batch(args.input, out, model, workers=args.workers,
                        batch_size=args.batch_size, options=kwargs_from_args(args), ray=args.ray,
                        threads=args.threads, retry_errors=args.retry_errors,
                        progress=not args.quiet)
    print(f"aacap batch: {summary.captioned} captioned, {summary.failed} failed, "
          f"{summary.skipped} already done; {summary.clips_per_s:.2f} clips/s -> {out}")
    if formats and out.exists():
        written = write_all(read_records(out), formats, args.output_dir or out.parent,
                            name=out.stem)
        print(f"aacap batch: wrote {describe(written)}")
    if summary.failed:
        print(f"aacap batch: reasons in {errors_path(out)}")
    return 1 if summary.failed else 0
