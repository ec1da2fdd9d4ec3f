"""The README names the flags the CLI has: every `--flag` it writes exists in the `--help` of
the command it is written for, and the service section's table lists exactly the flags of
`aacap serve`.

Which command a flag belongs to: on a line or in a code span that runs `aacap CMD [SUB]` (also
`-m aacap.cli CMD`), that command's `--help`; on one that runs a script (`python
benchmarks/x.py`, `scripts/y.py`), the flags the script's parser declares; a flag on its own
(`--max-upload-mb` in a sentence) must be a flag of some aacap command or of a script named in
its section (prose is too loose to say which command it means); one the README says does not
exist ("there is no `--backend onnx`") must be in no command's help. Flags of other programs
(curl, pip, ray, torchrun's own) are not checked.
"""

from __future__ import annotations

import argparse
import re
from functools import cache
from pathlib import Path

import pytest

from aacap.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FLAG = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*")
SPAN = re.compile(r"(`[^`]+`)")  # a code span, kept by re.split
SERVICE_SECTION = "## Serve, batch, long recordings"

Command = tuple[str, ...]  # ("aacap", "data", "prepare") or ("script", "benchmarks/x.py")
# Flags of other programs that the README names in its prose, with the program they belong to.
OTHER_PROGRAMS = {"--no-deps": "pip", "--local-dir": "huggingface-cli download"}


@cache
def help_flags() -> dict[Command, frozenset[str]]:
    """Every aacap command path -> the flags its `--help` prints."""
    found: dict[Command, frozenset[str]] = {}

    def walk(parser: argparse.ArgumentParser, path: Command) -> None:
        found[path] = frozenset(FLAG.findall(parser.format_help()))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, path + (name,))

    walk(build_parser(), ("aacap",))
    return found


@cache
def script_flags(script: str) -> frozenset[str]:
    """The flags a script's argparse declares (`add_argument("--x", ...)` string literals)."""
    path = ROOT / script
    if not path.exists():
        matches = [p for p in ROOT.glob(f"*/{script}") if ".venv" not in p.parts]
        assert matches, f"the README runs {script}, which is not in the repository"
        path = matches[0]
    return frozenset(re.findall(r"[\"'](--[A-Za-z][\w-]*)[\"']", path.read_text()))


def command_of(text: str) -> tuple[list[Command], str] | None:
    """(the commands `text` runs, the part of `text` that is their arguments), or None when it
    runs no aacap command and no script of this repository. `aacap caption|serve --model`
    names two commands: the flag must be in both."""
    words = text.split()
    for i, word in enumerate(words):
        if word in ("aacap", "aacap.cli"):
            paths: list[Command] = [("aacap",)]
            rest = words[i + 1:]
            while rest:
                longer = [p + (alt,) for p in paths for alt in rest[0].split("|")]
                if not all(p in help_flags() for p in longer):
                    break
                paths, rest = longer, rest[1:]
            return paths, " ".join(rest)
        if word.endswith(".py") and i <= 1 and words[0] in ("python", "python3", word):
            return [("script", word)], " ".join(words[i + 1:])
    return None


def true(flag: str, commands: list[Command]) -> bool:
    """Whether the README is right about `flag`: it exists for `commands`, or, where the README
    says there is no such flag (`ABSENT`), no aacap command has it."""
    if commands == [ABSENT]:
        return flag not in allowed([PROSE])
    return flag in allowed(commands)


def allowed(commands: list[Command]) -> frozenset[str]:
    """The flags valid for all of `commands`; for a flag in prose (`PROSE` first), those of any
    aacap command or of a script named in its section."""
    def flags(command: Command) -> frozenset[str]:
        if command[0] == "script":
            return script_flags(command[1]) | {"--help"}
        return help_flags()[command]

    if commands[0] == PROSE:
        return frozenset().union(*help_flags().values(), *map(flags, commands[1:]))
    return frozenset.intersection(*map(flags, commands))


PROSE: Command = ("prose",)
ABSENT: Command = ("said not to exist",)  # "there is no `--backend onnx`"
NEW_BLOCK = re.compile(r"\s*([-*|#>]|\d+\.)\s")  # a bullet, table row, heading or quote


def blocks(text: str) -> list[tuple[int, str, bool]]:
    """(first line number, text, is code) of each shell line of the code blocks and each
    paragraph, bullet or table row of the prose (its lines joined)."""
    out: list[tuple[int, str, bool]] = []
    in_code, joining = False, False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_code, joining = not in_code, False
            continue
        if in_code:
            if joining:
                out[-1] = (out[-1][0], out[-1][1].rstrip("\\") + " " + line, True)
            else:
                out.append((number, line, True))
            joining = line.rstrip().endswith("\\")
        elif not line.strip():
            joining = False
        elif joining and not NEW_BLOCK.match(line):
            out[-1] = (out[-1][0], out[-1][1] + " " + line.strip(), False)
        else:
            out.append((number, line.strip(), False))
            joining = True
    return out


def readme_flags(text: str) -> list[tuple[int, str, list[Command]]]:
    """(line number, flag, the commands it is written for) of every flag in `text`: on a
    command line or in a code span that runs aacap or a script, that command; elsewhere in the
    prose (a comment of an aacap line included), `PROSE` and the scripts its section names.
    Flags of other programs are left out."""
    found: list[tuple[int, str, list[Command]]] = []
    lines_before = 0
    for part in re.split(r"(?m)^(?=#{1,3} )", text):  # section by section
        found += [(number + lines_before, flag, commands)
                  for number, flag, commands in _section_flags(part)]
        lines_before += part.count("\n")
    return found


def _section_flags(text: str) -> list[tuple[int, str, list[Command]]]:
    parsed = []  # (line number, is code, [(piece, what it runs or None)])
    for number, block, is_code in blocks(text):
        if is_code:
            line, _, comment = block.partition(" #")
            parsed.append((number, True, [(line, command_of(line)), (comment, None)]))
        else:
            pieces = SPAN.split(block)
            parsed.append((number, False, [
                (p, command_of(p[1:-1]) if len(p) > 1 and p[0] == p[-1] == "`" else None)
                for p in pieces]))
    prose = [PROSE] + sorted({c for _, _, pieces in parsed for _, ran in pieces if ran
                              for c in ran[0] if c[0] == "script"})
    found: list[tuple[int, str, list[Command]]] = []
    for number, is_code, pieces in parsed:
        if is_code:
            (line, ran), (comment, _) = pieces
            if ran:
                found += [(number, flag, ran[0]) for flag in FLAG.findall(ran[1])]
                found += [(number, flag, prose) for flag in FLAG.findall(comment)]
            continue
        before = ""
        for piece, ran in pieces:
            commands = prose
            if ran:
                commands, piece = ran[0], ran[1]
            elif len(piece) > 1 and piece[0] == piece[-1] == "`" and FLAG.search(piece) \
                    and not piece[1:].lstrip().startswith("--"):
                continue  # another program's command line (curl, pip, ray ...): its flags
            elif piece[:1] == "`" and re.search(r"\bthere (is|are) no\s*$", before, re.I):
                commands = [ABSENT]
            before = piece
            found += [(number, flag, commands) for flag in FLAG.findall(piece)
                      if not (commands is prose and flag in OTHER_PROGRAMS)]
    return found


def what_is_wrong(commands: list[Command]) -> str:
    if commands == [ABSENT]:
        return "the README says there is no such flag, but an aacap command has it"
    where = "any aacap command" if commands[0] == PROSE else " and ".join(map(" ".join, commands))
    return f"not in the --help of {where}"


def section(text: str, heading: str) -> str:
    start = text.index(heading + "\n")
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end >= 0 else len(text)]


def test_every_flag_the_readme_names_is_in_the_help_of_its_command() -> None:
    text = README.read_text()
    named = readme_flags(text)
    assert len(named) > 100  # the parser does find them
    wrong = [f"README.md:{n}: {flag}: {what_is_wrong(commands)}"
             for n, flag, commands in named if not true(flag, commands)]
    assert wrong == []


def test_the_service_flag_table_is_exactly_the_flags_of_aacap_serve() -> None:
    service = section(README.read_text(), SERVICE_SECTION)
    table = service[service.index("`aacap serve` flags"):]
    rows = [line for line in table.splitlines() if line.startswith("| `--")]
    in_table = {flag for row in rows for flag in FLAG.findall(row.split(" | ")[0])}
    assert in_table == help_flags()[("aacap", "serve")] - {"--help"}


@pytest.mark.parametrize("readme, wrong", [
    ("```\naacap serve --max-bytes 5  # or --max-upload-mb\n```",
     [("--max-bytes", [("aacap", "serve")])]),
    ("The limit is `--max-bytes`.", [("--max-bytes", [PROSE])]),
    ("`aacap caption|models --model m.pt`", [("--model", [("aacap", "caption"),
                                                          ("aacap", "models")])]),
    ("```\ntorchrun --nproc_per_node 2 -m aacap.cli train R --sett x=1\n```",
     [("--sett", [("aacap", "train")])]),
    ("`python benchmarks/batch.py --clip 4`", [("--clip", [("script", "benchmarks/batch.py")])]),
    ("`scripts/check_conette_parity.py` has a `--quick` form; `pip install --no-deps x`", []),
    ("## A\n\n`python benchmarks/metrics.py`\n\nWith `--skip-coco`.\n\n## B\n\n`--skip-coco`",
     [("--skip-coco", [PROSE])]),  # a script's flag in prose: only in the section naming it
    ("```\ncurl --data-binary @a.wav http://x/  # or --form\n```", []),
    ("It loses, so there is no `--backend onnx`.", []),  # said not to exist, and does not
    ("There is no `--max-upload-mb`.", [("--max-upload-mb", [ABSENT])]),  # but there is
    ("`aacap caption` with no `--model` uses the default.", []),  # 'with no' is not 'there is no'
])
def test_a_flag_the_cli_lacks_is_found(readme: str, wrong: list) -> None:
    named = readme_flags(readme)
    assert [(flag, c) for _, flag, c in named if not true(flag, c)] == wrong
