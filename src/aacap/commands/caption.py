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
from pathlib import Path

from ..hub import REVISION_HELP


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
    from ..decoding.cli_args import add_decoding_arguments

    add_decoding_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..audio import AudioError
    from ..captioner import caption_paths
    from ..loading import load_model
    from ..decoding.cli_args import kwargs_from_args, options_from_args
    from ..segment import print_result

    if args.batch_size < 1:
        raise ValueError(f"--batch-size {args.batch_size}: must be >= 1")
    if args.segment_seconds is not None or args.hop_seconds is not None:
        from ..segment import check_segment_args

        if args.segment_seconds is None:
            raise ValueError("--hop-seconds needs --segment-seconds")
        check_segment_args(args.segment_seconds, args.hop_seconds)
    options_from_args(args)  # invalid flags fail here, before the model is loaded
    options = kwargs_from_args(args)  # only what was given: the model's defaults fill the rest
    captioner = load_model(args.model, batch_size=args.batch_size, revision=args.revision)
    captioner.decoding_options(**options)  # against the model, before any audio is read
    failed = 0
    if args.segment_seconds is not None:  # per-segment captions: aacap/segment.py
        from ..segment import caption_long, print_segmented

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
