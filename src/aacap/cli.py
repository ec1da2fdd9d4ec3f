"""`aacap` command line. Each subcommand lives in `aacap/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func=run` (`run(args) -> int`)."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from .config import FieldError

# Subcommand modules in the order `aacap --help` lists them.
COMMANDS = ["caption", "models", "init", "data", "evaluate", "compare", "metrics", "train", "evaluate-model", "embed", "serve",
            "batch"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aacap", description="Automated audio captioning.")
    parser.add_argument("--version", action="version", version=_version())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"aacap.commands.{name.replace('-', '_')}")
        module.register(subparsers)
    return parser


def _version() -> str:
    from . import __version__

    return f"aacap {__version__}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # stdout closed early (`aacap caption ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return 141  # 128 + SIGPIPE, what a shell reports for such a pipe
    except FieldError as err:  # the library names the field; say it with the flag typed
        flag = _flag_of(parser, args.command, err.field)
        reason = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b",  # other fields it names, as flags too
                        lambda m: _flag_of(parser, args.command, m[0]) or m[0], err.reason)
        text = f"{flag} {err.shown}: {reason}" if flag else str(err)
        print(f"aacap {args.command}: error: {text}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as err:  # user errors (a path, a permission): one line
        print(f"aacap {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _flag_of(parser: argparse.ArgumentParser, command: str, field: str) -> str | None:
    """The flag of `command` that sets `field` (its argparse dest), if it has one."""
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for action in commands.choices[command]._actions:
        if action.dest == field and action.option_strings:
            return action.option_strings[0]
    return None


if __name__ == "__main__":
    sys.exit(main())


def console() -> None:
    """Entry point of the `aacap` script."""
    sys.exit(main())
