"""`--output-format` and `--output-dir`, shared by `aacap caption` and `aacap batch`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..outputs import OUTPUT_FORMAT_CHOICES, expand_formats

FORMAT_HELP = (f"{', '.join(OUTPUT_FORMAT_CHOICES)}; several joined by commas (csv,srt). jsonl: "
               "the --json lines; csv: file_name,caption_predicted,... (add caption_1..N and "
               "`aacap evaluate` reads it); dcase: the DCASE submission CSV "
               "(file_name,caption_predicted); srt/vtt: one subtitle file per input, a cue per "
               "timed segment; txt: the text lines")


def add_output_arguments(parser: argparse.ArgumentParser, default_dir: str) -> None:
    parser.add_argument("--output-format", metavar="FORMAT", type=parse_formats,
                        help=FORMAT_HELP)
    parser.add_argument("--output-dir", type=Path, metavar="DIR",
                        help=f"write the outputs as files in DIR ({default_dir})")


def parse_formats(text: str) -> list[str]:
    """'csv,srt' -> ['csv', 'srt'] (argparse type: a bad name is a usage error)."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    try:
        return expand_formats(names or [text])
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def describe(paths: list[Path], limit: int = 4) -> str:
    """'out/a.srt, out/b.srt and 3 more' for a summary line."""
    shown = ", ".join(str(p) for p in paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")
