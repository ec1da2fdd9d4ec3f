"""Caption outputs in the formats people take them to: `--output-format` of `caption`/`batch`.

Every writer takes the records `aacap caption --json` prints (dicts with `path`, `caption`,
`candidates`, `duration_s`, `tags`, and `segments` for a recording captioned in windows;
`aacap batch` lines add `id` and `source`).

Collection formats, one file (or stdout) for all inputs, one row per input:
- `jsonl`: the records, one JSON object a line.
- `csv`: `file_name,caption_predicted,path,duration_s,score,tags`. Add reference columns
  `caption_1`..`caption_N` and `aacap evaluate` scores it (aac-metrics' layout).
- `dcase`: the DCASE challenge's submission file: `file_name,caption_predicted`, where
  `file_name` is the audio file's name with its extension (`test_0001.wav`).
- `txt`: what `aacap caption` prints: `PATH<TAB>caption`, then `PATH<TAB>start-end<TAB>caption`
  for each timed segment.
Timed formats, one file per input (`<audio stem>.srt`, `.vtt`): one cue per segment (a clip
captioned whole is one cue over its duration):
- `srt`: SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`.
- `vtt`: WebVTT: a `WEBVTT` header, `HH:MM:SS.mmm --> HH:MM:SS.mmm`, text escaped (&, <, >).
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any, TextIO

from .config import FieldError

COLLECTION_FORMATS = ("jsonl", "csv", "dcase", "txt")  # one file for every input
TIMED_FORMATS = ("srt", "vtt")  # one file per input
FORMATS = ("jsonl", "csv", "dcase", "srt", "vtt", "txt")
OUTPUT_FORMAT_CHOICES = (*FORMATS, "all")
SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "dcase": ".dcase.csv", "txt": ".txt",
          "srt": ".srt", "vtt": ".vtt"}
CSV_COLUMNS = ("file_name", "caption_predicted", "path", "duration_s", "score", "tags")
DCASE_COLUMNS = ("file_name", "caption_predicted")


def expand_formats(names: Sequence[str]) -> list[str]:
    """`--output-format` values -> formats in `FORMATS` order, `all` standing for each."""
    unknown = [n for n in names if n not in OUTPUT_FORMAT_CHOICES]
    if unknown:
        raise ValueError(f"unknown output format {unknown[0]!r}; choose from "
                         f"{', '.join(OUTPUT_FORMAT_CHOICES)}")
    return [f for f in FORMATS if f in names or "all" in names]


def file_name(record: dict[str, Any]) -> str:
    """The audio file's name with its extension, as DCASE's `file_name` column wants it."""
    return PurePath(str(record.get("path") or record.get("id") or "")).name


def best_score(record: dict[str, Any]) -> float | None:
    """The best candidate's score, None when there is none (or it is not finite)."""
    candidates = record.get("candidates") or []
    return candidates[0].get("score") if candidates else None


def _one_line(text: str) -> str:
    """A caption on one line: newlines and runs of spaces become one space."""
    return " ".join(str(text).split())


def csv_row(record: dict[str, Any]) -> list[str]:
    """One `csv` row (`CSV_COLUMNS`)."""
    score = best_score(record)
    tags = "; ".join(f"{t['name']} {t['score']:.2f}" for t in record.get("tags") or [])
    return [file_name(record), _one_line(record.get("caption", "")), str(record.get("path") or ""),
            f"{float(record.get('duration_s') or 0.0):.3f}",
            "" if score is None else f"{score:.4f}", tags]


def txt_lines(record: dict[str, Any], tags: bool = False) -> list[str]:
    """`aacap caption`'s text lines of one record: the caption, then one line per segment."""
    def listed(pairs: Iterable[dict]) -> str:
        return "\t" + "; ".join(f"{t['name']} {t['score']:.2f}" for t in pairs) if tags else ""

    source = record.get("path") or record.get("id") or "<array>"
    lines = [f"{source}\t{_one_line(record.get('caption', ''))}{listed(record.get('tags') or [])}"]
    for seg in record.get("segments") or []:
        lines.append(f"{source}\t{seg['start_s']:.2f}-{seg['end_s']:.2f}\t"
                     f"{_one_line(seg['caption'])}{listed(seg.get('tags') or [])}")
    return lines


# ------------------------------------------------------------------------------- timed cues


def cues(record: dict[str, Any]) -> list[tuple[float, float, str]]:
    """(start_s, end_s, text) of each timed segment of a record; a record without segments is
    one cue over its whole duration."""
    segments = record.get("segments") or [
        {"start_s": 0.0, "end_s": float(record.get("duration_s") or 0.0),
         "caption": record.get("caption", "")}]
    return [(float(s["start_s"]), float(s["end_s"]), _one_line(s["caption"])) for s in segments]


def timestamp(seconds: float, separator: str) -> str:
    """`HH:MM:SS<sep>mmm` (hours grow past 99 if need be), rounded to the millisecond."""
    ms = max(0, round(seconds * 1000)) if math.isfinite(seconds) else 0
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def to_srt(record: dict[str, Any]) -> str:
    """A SubRip file: numbered cues from 1, a blank line after each."""
    blocks = [f"{i}\n{timestamp(a, ',')} --> {timestamp(b, ',')}\n{_cue_text(text)}\n"
              for i, (a, b, text) in enumerate(cues(record), start=1)]
    return "\n".join(blocks)


def to_vtt(record: dict[str, Any]) -> str:
    """A WebVTT file: the `WEBVTT` line, then each cue (text escaped as WebVTT requires)."""
    blocks = [f"{timestamp(a, '.')} --> {timestamp(b, '.')}\n{_vtt_escape(_cue_text(text))}\n"
              for a, b, text in cues(record)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _cue_text(text: str) -> str:
    """Cue text that cannot end a cue early or read as a timing line: no blank line (it is on
    one line), no '-->'; an empty caption is shown as '…' so the cue keeps its line."""
    return text.replace("-->", "->") or "…"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------------------- the sink


def check_destination(formats: Sequence[str], output_dir: Path | None, inputs: int = 1) -> None:
    """Without an output folder (`output_dir`), stdout takes one format, and a timed one
    (srt, vtt) one input. A `FieldError` naming the fields (the CLI says them as flags)."""
    if output_dir is not None:
        return
    if len(formats) > 1:
        raise FieldError("output_format", formats, "several formats need an output folder "
                         "(output_dir)", shown=",".join(formats))
    if formats[0] in TIMED_FORMATS and inputs > 1:
        raise FieldError("output_format", formats[0], f"without an output folder takes one input, "
                         f"not {inputs}; give output_dir for one file per input",
                         shown=formats[0])


class OutputWriter:
    """Writes records in the chosen formats as they come.

    With `output_dir`, each collection format goes to `<output_dir>/<name><suffix>` (`SUFFIX`)
    and each timed format to `<output_dir>/<audio stem><suffix>` per input (stems that repeat
    get `-2`, `-3`, ...). Without it, the one format chosen is written to `stdout` (a timed
    format then needs a single input; several formats need a folder).
    """

    def __init__(self, formats: Sequence[str], output_dir: Path | None, name: str = "captions",
                 *, tags: bool = False, stdout: TextIO | None = None) -> None:
        self.formats = expand_formats(formats)
        check_destination(self.formats, output_dir)
        self.output_dir, self.name, self.tags = output_dir, name, tags
        self._stdout = stdout
        self._files: dict[str, TextIO] = {}
        self._csv: dict[str, Any] = {}
        self._stems: dict[str, int] = {}  # "srt:walk" -> files so named so far
        self._printed: set[str] = set()  # timed formats already written to stdout
        self.written: list[Path] = []  # files created, in order
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
        for fmt in self.formats:
            if fmt in COLLECTION_FORMATS:
                self._open(fmt)

    def _open(self, fmt: str) -> None:
        if self.output_dir is None:
            stream = self._stdout or sys.stdout
        else:
            path = self.output_dir / f"{self.name}{SUFFIX[fmt]}"
            stream = open(path, "w", encoding="utf-8", newline="")
            self.written.append(path)
        self._files[fmt] = stream
        if fmt in ("csv", "dcase"):
            self._csv[fmt] = csv.writer(stream, lineterminator="\n")
            self._csv[fmt].writerow(CSV_COLUMNS if fmt == "csv" else DCASE_COLUMNS)
            stream.flush()

    def write(self, record: dict[str, Any]) -> None:
        """Add one input's record to every format."""
        for fmt in self.formats:
            if fmt in TIMED_FORMATS:
                self._write_timed(fmt, record)
                continue
            stream = self._files[fmt]
            if fmt == "jsonl":
                stream.write(json.dumps(record, allow_nan=False) + "\n")
            elif fmt == "csv":
                self._csv[fmt].writerow(csv_row(record))
            elif fmt == "dcase":
                self._csv[fmt].writerow([file_name(record), _one_line(record.get("caption", ""))])
            else:
                stream.write("".join(line + "\n" for line in txt_lines(record, self.tags)))
            stream.flush()

    def _write_timed(self, fmt: str, record: dict[str, Any]) -> None:
        text = to_srt(record) if fmt == "srt" else to_vtt(record)
        if self.output_dir is None:
            check_destination([fmt], None, inputs=2 if fmt in self._printed else 1)
            self._printed.add(fmt)
            stream = self._stdout or sys.stdout
            stream.write(text)
            stream.flush()
            return
        path = self.output_dir / f"{self._stem(record, fmt)}{SUFFIX[fmt]}"
        path.write_text(text, encoding="utf-8")
        self.written.append(path)

    def _stem(self, record: dict[str, Any], fmt: str) -> str:
        """The audio file's stem, numbered when an earlier input of this run had the same."""
        stem = PurePath(file_name(record)).stem or "input"
        key = f"{fmt}:{stem}"
        count = self._stems.get(key, 0) + 1
        self._stems[key] = count
        return stem if count == 1 else f"{stem}-{count}"

    def close(self) -> None:
        for stream in self._files.values():
            if self.output_dir is not None:
                stream.close()
        self._files.clear()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_all(records: Iterable[dict[str, Any]], formats: Sequence[str], output_dir: Path,
              name: str = "captions", tags: bool = False) -> list[Path]:
    """Write `records` in `formats` under `output_dir`; returns the files written."""
    with OutputWriter(formats, output_dir, name, tags=tags) as out:
        for record in records:
            out.write(record)
    return out.written


def render(records: Iterable[dict[str, Any]], fmt: str, tags: bool = False) -> str:
    """The text of one format for `records` (what stdout would show)."""
    buffer = io.StringIO()
    with OutputWriter([fmt], None, tags=tags, stdout=buffer) as out:
        for record in records:
            out.write(record)
    return buffer.getvalue()


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a JSONL file (`aacap batch --out`, `aacap caption --json`), sorted by
    `id`, else `path`, so that a run's other formats do not depend on the order workers
    finished in. Lines that are not JSON objects (a cut last line) are left out."""
    records = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "caption" in row:
                records.append(row)
    return sorted(records, key=lambda r: (str(r.get("id") or ""), str(r.get("path") or "")))
