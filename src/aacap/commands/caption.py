"""`aacap caption PATH... [--model NAME_OR_PATH] [decoding options] [--json]`.

A bad file among many is reported on stderr (one line: the file and the cause) and skipped;
the exit status is 1 if any failed, and the last line counts them. Files are captioned
`--batch-size` at a time, each batch printed before the next is opened; long files are
streamed, so memory does not grow with their length.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..hub import REVISION_HELP
from .decoding_args import add_decoding_arguments, kwargs_from_args, options_from_args

if TYPE_CHECKING:  # the captioning modules load torch: imported when a command runs
    from ..captioning.protocol import CaptionResult
    from ..captioning.segment import SegmentedResult


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("caption", help="caption audio files")
    p.add_argument("paths", nargs="+", type=Path, help="audio files (wav, flac, ogg, opus, mp3)")
    p.add_argument("--model", default="default", help="model name or checkpoint (default: default)")
    p.add_argument("--revision", help=REVISION_HELP)
    p.add_argument("--json", action="store_true", help="one JSON object per input line")
    p.add_argument("--tags", action="store_true",
                   help="also print the top sound classes with scores (always in --json)")
    p.add_argument("--batch-size", type=int, default=8, help="clips captioned together")
    p.add_argument("--segment-seconds", type=float, metavar="S",
                   help="long recordings: caption windows of S seconds, merge equal neighbours")
    p.add_argument("--hop-seconds", type=float, metavar="H",
                   help="with --segment-seconds: a window starts every H seconds (default S)")
    add_decoding_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the captioning modules load torch: imported when the command runs, not at start-up
    from ..audio import AudioError
    from ..captioning.loading import load_model
    from ..captioning.protocol import caption_paths
    from ..captioning.segment import caption_long, check_segment_args

    if args.batch_size < 1:
        raise ValueError(f"--batch-size {args.batch_size}: must be >= 1")
    if args.segment_seconds is not None or args.hop_seconds is not None:
        if args.segment_seconds is None:
            raise ValueError("--hop-seconds needs --segment-seconds")
        check_segment_args(args.segment_seconds, args.hop_seconds)
    options_from_args(args)  # invalid flags fail here, before the model is loaded
    options = kwargs_from_args(args)  # only what was given: the model's defaults fill the rest
    captioner = load_model(args.model, batch_size=args.batch_size, revision=args.revision)
    captioner.decoding_options(**options)  # against the model, before any audio is read
    failed = 0
    if args.segment_seconds is not None:  # per-segment captions: aacap/captioning/segment.py
        for path in args.paths:
            try:
                result = caption_long(captioner, path, args.segment_seconds, args.hop_seconds,
                                      **options)
            except AudioError as err:
                failed += _skipped(err)
                continue
            print_segmented(result, args.json, args.tags)
    else:
        for path, result in caption_paths(captioner, args.paths, args.batch_size, **options):
            if isinstance(result, AudioError):
                failed += _skipped(result)
            elif args.json:
                print(json.dumps(result.to_dict(), allow_nan=False), flush=True)
            else:  # caption (and tags), then a long recording's segments
                print_result(path, result, args.tags)
    if failed:
        print(f"aacap caption: {failed} of {len(args.paths)} inputs failed", file=sys.stderr)
    return 1 if failed else 0


def _skipped(err: Exception) -> int:
    print(f"aacap caption: skipped {err}", file=sys.stderr, flush=True)
    return 1


def print_result(source: str, result: CaptionResult, tags: bool = False) -> None:
    """`aacap caption` text lines: `SOURCE<TAB>caption` (with `<TAB>tags` when `tags`), then
    for a segmented recording one `SOURCE<TAB>start-end<TAB>caption` line per segment."""
    def listed(pairs: Sequence[tuple[str, float]]) -> str:
        return "\t" + "; ".join(f"{name} {score:.2f}" for name, score in pairs) if tags else ""

    print(f"{source}\t{result.caption}{listed(result.tags)}", flush=True)
    for seg in result.segments or []:
        print(f"{source}\t{seg.start_s:.2f}-{seg.end_s:.2f}\t{seg.caption}{listed(seg.tags)}",
              flush=True)


def print_segmented(result: SegmentedResult, as_json: bool, tags: bool = False) -> None:
    """`aacap caption --segment-seconds S` output: one JSON line, or the text lines of
    `print_result` (headline, then one line per segment)."""
    if as_json:
        print(json.dumps(result.to_dict(), allow_nan=False), flush=True)
        return
    print_result(result.path or "<array>", result.as_result(), tags)
