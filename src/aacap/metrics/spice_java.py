"""The official SPICE 1.0, run where a user supplies what it needs.

SPICE 1.0 (``spice-1.0.jar``, in the pycocoevalcap wheel) also needs Stanford CoreNLP 3.6.0
(``stanford-corenlp-3.6.0.jar`` and ``stanford-corenlp-3.6.0-models.jar`` in its ``lib/``; no
package registry carries them) and a Java runtime <= 14 (it uses the Nashorn JavaScript engine).
Point ``$AACAP_SPICE_DIR`` at a directory holding ``spice-1.0.jar`` and that ``lib/`` (default:
pycocoevalcap's ``spice/``) and ``$AACAP_SPICE_JAVA`` at a suitable ``java`` (default: ``java``
on PATH). Then ``evaluate(..., spice_backend="java")`` compares the two implementations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from aacap.metrics.java import JavaUnavailable, java_major_version, pycocoevalcap_dir

CORENLP_JARS = ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar")


def _spice_setup() -> tuple[str, Path]:
    """(java, spice jar), or JavaUnavailable saying what is missing."""
    root = Path(os.environ["AACAP_SPICE_DIR"]) if os.environ.get("AACAP_SPICE_DIR") else None
    if root is None:
        base = pycocoevalcap_dir()
        root = base / "spice" if base else None
    if root is None or not (root / "spice-1.0.jar").is_file():
        raise JavaUnavailable("spice-1.0.jar not found: install pycocoevalcap==1.2 or set $AACAP_SPICE_DIR")
    missing = [j for j in CORENLP_JARS if not (root / "lib" / j).is_file()]
    if missing:
        raise JavaUnavailable(f"official SPICE needs {', '.join(missing)} in {root / 'lib'} "
                              "(Stanford CoreNLP 3.6.0; not on any package registry); "
                              "use spice_backend='python' otherwise")
    java = os.environ.get("AACAP_SPICE_JAVA") or shutil.which("java")
    if java is None:
        raise JavaUnavailable("official SPICE needs a Java runtime <= 14: set $AACAP_SPICE_JAVA")
    major = java_major_version(java)
    if major > 14:
        raise JavaUnavailable(f"official SPICE needs Java <= 14 (Nashorn), {java} is Java {major}: "
                              "set $AACAP_SPICE_JAVA to an older java")
    return java, root / "spice-1.0.jar"


def spice_official(candidates: Sequence[str], mult_references: Sequence[Sequence[str]]
                   ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """SPICE of raw candidates by the official jar (one JVM for the corpus); the corpus value
    is the mean of the per-caption "All" F-scores, as aac-metrics reports it."""
    java, jar = _spice_setup()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = [{"image_id": i, "test": c, "refs": list(r)} for i, (c, r) in enumerate(zip(candidates, mult_references))]
        (tmp_path / "in.json").write_text(json.dumps(data))
        cmd = [java, "-jar", "-Xmx8G", str(jar), str(tmp_path / "in.json"), "-cache", str(tmp_path / "cache"),
               "-out", str(tmp_path / "out.json"), "-subset", "-silent"]
        proc = subprocess.run(cmd, cwd=jar.parent, capture_output=True, text=True)
        if proc.returncode != 0 or not (tmp_path / "out.json").is_file():
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise RuntimeError(f"official SPICE failed (exit {proc.returncode}): {last}")
        results = json.loads((tmp_path / "out.json").read_text())
    by_id = {r["image_id"]: r["scores"]["All"]["f"] for r in results}
    scores = np.nan_to_num(np.array([float(by_id[i]) for i in range(len(candidates))]), nan=0.0)
    return {"spice": float(scores.mean())}, {"spice": scores}
