"""`aacap caption PATH... [--model NAME_OR_PATH] [decoding options] [--json]
[--output-format FORMAT] [--output-dir DIR]`.

A bad file among many is reported on stderr (one line: the file and the cause) and skipped;
the exit status is 1 if any failed, and the last line counts them. Files are captioned
`--batch-size` at a time, each batch printed (or written, `aacap.outputs`) before the next is
opened; long files are streamed, so memory does not grow with their length. Several files get
a progress bar on stderr (a terminal only; `--quiet` turns it off).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..hub import REVISION_HELP
from ..progress import add_quiet_argument
from .decoding_args import add_decoding_arguments, kwargs_from_args, options_from_args
from ..outputs import check_destination
from .output_args import add_output_arguments, describe

if TYPE_CHECKING:  # the captioning modules load torch: imported when a command runs
    from ..captioning.protocol import Captioner
    from ..decoding import DecodingOptions


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("caption", help="caption audio files")
    p.add_argument("paths", nargs="+", type=Path,
                   help="audio files (wav, flac, ogg, opus, mp3; m4a, aac, mp4, webm, ... with PyAV)")
    p.add_argument("--model", default="default", help="model name or checkpoint (default: default)")
    p.add_argument("--revision", help=REVISION_HELP)
    p.add_argument("--json", action="store_true",
                   help="one JSON object per input line (the same as --output-format jsonl)")
    add_output_arguments(p, "default: the one format on stdout; collection formats go to "
                            "DIR/captions.<format>, srt/vtt to DIR/<audio stem>.srt")
    add_quiet_argument(p)
    p.add_argument("--tags", action="store_true",
                   help="also print the top sound classes with scores (always in --json)")
    p.add_argument("--batch-size", type=int, default=8, help="clips captioned together")
    p.add_argument("--precision", choices=("fp32", "int8", "bf16"), default="fp32",
                   help="decoder precision of a neural model: int8 and bf16 (AMX CPUs) decode "
                        "faster, captions may differ (default fp32)")
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
    from ..captioning.segment import check_segment_args
    from ..outputs import OutputWriter
    from ..progress import bar, cleared

    if args.batch_size < 1:
        raise ValueError(f"--batch-size {args.batch_size}: must be >= 1")
    if args.segment_seconds is not None or args.hop_seconds is not None:
        check_segment_args(args.segment_seconds, args.hop_seconds)
    formats = output_formats(args)
    options_from_args(args)  # invalid flags fail here, before the model is loaded
    captioner = load_model(args.model, batch_size=args.batch_size, revision=args.revision)
    if args.precision != "fp32":
        if not hasattr(captioner, "use_precision"):
            raise ValueError(f"--precision {args.precision}: model {args.model!r} has no neural decoder")
        captioner.use_precision(args.precision)
    # the flags given over the model's defaults, checked against it before any audio is read
    options = captioner.decoding_options(**kwargs_from_args(args))
    failed = 0
    shown = not args.quiet and len(args.paths) > 1
    with OutputWriter(formats, args.output_dir, tags=args.tags) as out, \
            bar(total=len(args.paths), desc="aacap caption", unit="file", enabled=shown) as b:
        for _, result in _results(captioner, args, options):
            b.update()
            if isinstance(result, AudioError):
                with cleared():
                    print(f"aacap caption: skipped {result}", file=sys.stderr, flush=True)
                failed += 1
                continue
            with cleared():
                out.write(result.to_dict())
    if args.output_dir is not None and out.written:
        print(f"aacap caption: wrote {describe(out.written)}", file=sys.stderr)
    if failed:
        print(f"aacap caption: {failed} of {len(args.paths)} inputs failed", file=sys.stderr)
    return 1 if failed else 0


def output_formats(args: argparse.Namespace) -> list[str]:
    """The formats asked for: --output-format, --json (jsonl), else the text lines (txt)."""
    if args.json and args.output_format and args.output_format != ["jsonl"]:
        raise ValueError(f"--json and --output-format {','.join(args.output_format)}: give one "
                         "(--json is --output-format jsonl)")
    formats = args.output_format or (["jsonl"] if args.json else ["txt"])
    check_destination(formats, args.output_dir, len(args.paths))
    return formats


def _results(captioner: Captioner, args: argparse.Namespace, options: DecodingOptions
             ) -> Iterator[tuple[str, object]]:
    """(path, `CaptionResult` / `SegmentedResult` or the `AudioError` that refused it) per
    input, in order."""
    from ..audio import AudioError
    from ..captioning.protocol import caption_paths
    from ..captioning.segment import caption_long

    if args.segment_seconds is None:
        yield from caption_paths(captioner, args.paths, args.batch_size, options)
        return

    for path in args.paths:
        try:
            yield str(path), caption_long(captioner, path, args.segment_seconds,
                                          args.hop_seconds, options=options)
        except AudioError as err:
            yield str(path), err

