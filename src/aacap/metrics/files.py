"""Caption files for ``aacap evaluate`` and ``aacap compare``: aac-metrics' CSV and JSON lines.

CSV (read with the csv module's own rules: ``newline=''``, a UTF-8 BOM ignored, quoted cells
may hold newlines; U+2028, U+0085 or a form feed inside a cell stay in the cell):

- the candidate column is ``caption_predicted`` (aac-metrics), ``candidate`` or ``caption``
  (what ``aacap evaluate-model --out`` writes);
- the references are ``caption_1`` .. ``caption_N``, and/or aac-metrics' ``captions`` column
  holding a list literal (``['a dog barks', 'a dog is barking']``, Python or JSON quoting).

JSON lines: ``{"candidate": str, "references": [str, ...]}``, optionally ``"candidates": [str,
...]`` (all of a clip's candidates, for ``spider_max``) and ``"id"``.

The same rules hold in both: a reference cell or string that is empty (or only spaces) is
skipped, an item left with no reference is an error, every value must have its type (a string
where a list is expected is an error, never scored character by character).
"""

from __future__ import annotations

import ast
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

CANDIDATE_COLUMNS = ("caption_predicted", "candidate", "caption")
LIST_COLUMN = "captions"


class CaptionFileError(ValueError):
    """A caption file that cannot be read; the message names the file, the line and the fix."""


@dataclass
class CaptionFile:
    """What a caption file holds. ids: N item names (the file's ``id``/``fname`` column, else
    the line number); candidates: N strings; references: N non-empty lists of strings;
    mult_candidates: N lists of candidates where the file gives them, else None."""

    ids: list[str]
    candidates: list[str]
    references: list[list[str]]
    mult_candidates: list[list[str]] | None = None


def read_captions(path: Path) -> CaptionFile:
    """Read a CSV or JSONL caption file (see the module docstring); CaptionFileError otherwise."""
    if not path.exists():
        raise CaptionFileError(f"{path}: no such file")
    if not path.is_file():
        raise CaptionFileError(f"{path}: not a regular file (give a .csv or .jsonl file)")
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            head = f.read(4096)
    except UnicodeDecodeError as e:
        raise CaptionFileError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    if path.suffix.lower() in (".jsonl", ".json") or head.lstrip().startswith("{"):
        return _read_jsonl(path)
    return _read_csv(path)


def _read_csv(path: Path) -> CaptionFile:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            fields = [c.strip() for c in (reader.fieldnames or [])]
            reader.fieldnames = fields
            rows = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as e:
        raise CaptionFileError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    except csv.Error as e:
        raise CaptionFileError(f"{path}: not a readable CSV ({e})") from None
    cand_col = next((c for c in CANDIDATE_COLUMNS if c in fields), None)
    ref_cols = sorted((f for f in fields if re.fullmatch(r"caption_\d+", f)), key=lambda f: int(f[8:]))
    has_list = LIST_COLUMN in fields
    if cand_col is None or not (ref_cols or has_list):
        raise CaptionFileError(f"{path}: a CSV needs a candidate column (caption_predicted) and references "
                               f"(caption_1..caption_N or a 'captions' list column); found {fields}")
    id_col = next((c for c in ("id", "fname", "file_name") if c in fields), None)
    ids, cands, refs = [], [], []
    for line, row in rows:
        if None in row:  # more cells than header fields
            raise CaptionFileError(f"{path}: line {line} has more cells than the header has columns")
        cand = row.get(cand_col)
        if cand is None:
            raise CaptionFileError(f"{path}: line {line} has fewer cells than the header has columns")
        item_refs = [row[c] for c in ref_cols if row.get(c) and row[c].strip()]
        if has_list and row.get(LIST_COLUMN, "").strip():
            item_refs += [r for r in _list_cell(path, line, row[LIST_COLUMN]) if r.strip()]
        if not item_refs:
            raise CaptionFileError(f"{path}: line {line} has no reference caption (every item needs at least one)")
        ids.append(row[id_col] if id_col else str(line))
        cands.append(cand)
        refs.append(item_refs)
    if not cands:
        raise CaptionFileError(f"{path}: no rows below the header")
    return CaptionFile(ids, cands, refs)


def _list_cell(path: Path, line: int, cell: str) -> list[str]:
    """aac-metrics' list column: a Python or JSON list literal of strings."""
    try:
        value = ast.literal_eval(cell.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CaptionFileError(f"{path}: line {line}: the '{LIST_COLUMN}' cell must be a list of strings "
                               f"such as ['a dog barks', 'a dog is barking'] (found {cell[:60]!r})")
    return value


def _read_jsonl(path: Path) -> CaptionFile:
    ids, cands, refs, multi = [], [], [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for i, line in enumerate(f, start=1):  # newline='': only \n, \r, \r\n end a line
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise CaptionFileError(f"{path}: line {i} is not JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise CaptionFileError(f'{path}: line {i} must be an object {{"candidate": str, "references": [str, ...]}}')
            cand, item_refs = obj.get("candidate"), obj.get("references")
            if not isinstance(cand, str):
                raise CaptionFileError(f'{path}: line {i}: "candidate" must be a string '
                                       f"(found {type(cand).__name__})")
            if not isinstance(item_refs, list) or not all(isinstance(r, str) for r in item_refs):
                raise CaptionFileError(f'{path}: line {i}: "references" must be a list of strings '
                                       f"(found {_describe(item_refs)})")
            item_refs = [r for r in item_refs if r.strip()]
            if not item_refs:
                raise CaptionFileError(f"{path}: line {i} has no reference caption (every item needs at least one)")
            many = obj.get("candidates", [cand])
            if not isinstance(many, list) or not many or not all(isinstance(c, str) for c in many):
                raise CaptionFileError(f'{path}: line {i}: "candidates" must be a non-empty list of strings '
                                       f"(found {_describe(many)})")
            ids.append(str(obj.get("id", i)))
            cands.append(cand)
            refs.append(item_refs)
            multi.append(many)
    if not cands:
        raise CaptionFileError(f"{path}: no items")
    return CaptionFile(ids, cands, refs, multi)


def _describe(value: object) -> str:
    if isinstance(value, list):
        bad = next((v for v in value if not isinstance(v, str)), None)
        return f"a list holding a {type(bad).__name__}" if bad is not None or not value else "an empty list"
    return "nothing" if value is None else f"a {type(value).__name__}"


def check_output_path(path: Path) -> None:
    """Raise CaptionFileError unless a file can be written at path (checked before any work):
    its folder exists and is writable, and path is not a folder."""
    if path.is_dir():
        raise CaptionFileError(f"{path}: is a folder; give a file name such as {path / 'items.csv'}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CaptionFileError(f"{path}: folder {parent} does not exist")
    existed = path.exists()
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as e:
        raise CaptionFileError(f"{path}: cannot write there ({e.strerror})") from None
    if not existed:
        path.unlink()
