"""`aacap caption PATH... [--model NAME_OR_PATH] [decoding options] [--json]`.

A bad file among many is reported on stderr and skipped; the exit status is 1 if any failed.
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
    from ..audio import AudioError, read_audio
    from ..captioner import load_model
    from ..decoding.cli_args import kwargs_from_args, options_from_args
    from ..segment import print_result

    options_from_args(args)  # invalid flags fail here, before any audio is read
    options = kwargs_from_args(args)  # only what was given: the model's defaults fill the rest
    captioner = load_model(args.model, batch_size=args.batch_size, revision=args.revision)
    failed = 0
    clips = []
    for path in args.paths:
        try:
            clips.append(read_audio(path, captioner.sample_rate, resampler=captioner.resampler))
        except AudioError as err:
            print(f"aacap caption: skipped {err}", file=sys.stderr)
            failed += 1
    if args.segment_seconds is not None:  # per-segment captions: aacap/segment.py
        from ..segment import run_segmented

        run_segmented(captioner, clips, args, options)
        clips = []
    for start in range(0, len(clips), args.batch_size):
        chunk = clips[start : start + args.batch_size]
        results = captioner.caption(
            [c.samples for c in chunk],
            sample_rate=captioner.sample_rate,
            first_index=start,
            **options,
        )
        for clip, result in zip(chunk, results):
            result.path = clip.source
            if args.json:
                print(json.dumps(result.to_dict()), flush=True)
            else:  # caption (and tags), then a long recording's segments
                print_result(clip.source, result, args.tags)
    if failed:
        print(f"aacap caption: {failed} of {len(args.paths)} inputs failed", file=sys.stderr)
    return 1 if failed else 0
