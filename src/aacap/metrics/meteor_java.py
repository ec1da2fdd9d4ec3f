"""METEOR 1.5 computed by the official jar, in one persistent JVM.

The jar (``meteor-1.5.jar`` with its English resources) ships in the pycocoevalcap wheel. The JVM
is started once per :class:`MeteorJava` (a context manager) and serves every call made through
it, using METEOR's ``-stdio`` protocol exactly as pycocoevalcap does: one ``SCORE`` line per item
gives its sufficient statistics, one ``EVAL`` line gives the per-item scores and the corpus
score (computed by METEOR from the summed statistics, not a mean of the item scores).
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from typing import Sequence

import numpy as np

from aacap.metrics.java import require_jar

_CHUNK = 256  # SCORE lines written before reading their answers (keeps the pipes from filling)


class MeteorJava:
    """A running ``meteor-1.5.jar -stdio -l en -norm`` process.

    Usage: ``with MeteorJava() as m: corpus, per_item = m.score(candidates, mult_references)``.
    Raises JavaUnavailable when Java or the jar is missing.
    """

    def __init__(self, max_heap: str = "2G") -> None:
        java, jar = require_jar("meteor/meteor-1.5.jar")
        self._stderr = tempfile.TemporaryFile()
        cmd = [java, "-Dfile.encoding=UTF-8", f"-Xmx{max_heap}", "-jar", str(jar), "-", "-", "-stdio",
               "-l", "en", "-norm"]
        self._proc = subprocess.Popen(cmd, cwd=jar.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._stderr)
        self._lock = threading.Lock()

    def __enter__(self) -> "MeteorJava":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()  # type: ignore[union-attr]
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._stderr.close()

    def _readline(self) -> str:
        line = self._proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            self._stderr.seek(0)
            err = self._stderr.read().decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"METEOR jar stopped: {err[-1] if err else 'no message'}")
        return line.decode().strip()

    def score(self, candidates: Sequence[str], mult_references: Sequence[Sequence[str]]
              ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
        """METEOR of tokenised candidates (N) against their references (N lists).
        Returns ``({"meteor": corpus}, {"meteor": per_item[N]})``."""
        stdin = self._proc.stdin
        assert stdin is not None
        with self._lock:
            stats: list[str] = []
            for start in range(0, len(candidates), _CHUNK):
                stop = min(start + _CHUNK, len(candidates))
                lines = []
                for cand, refs in zip(candidates[start:stop], mult_references[start:stop]):
                    hyp = cand.replace("|||", "").replace("  ", " ")
                    lines.append(" ||| ".join(["SCORE", " ||| ".join(refs), hyp]) + "\n")
                stdin.write("".join(lines).encode())
                stdin.flush()
                stats.extend(self._readline() for _ in range(stop - start))
            stdin.write(("EVAL ||| " + " ||| ".join(stats) + "\n").encode())
            stdin.flush()
            per_item = np.array([float(self._readline()) for _ in stats])
            corpus = float(self._readline())
        return {"meteor": corpus}, {"meteor": per_item}
