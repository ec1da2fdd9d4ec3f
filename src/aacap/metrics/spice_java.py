"""The official SPICE 1.0, run where a user has what it needs.

SPICE 1.0 (``spice-1.0.jar`` and its ``lib/``, in the pycocoevalcap wheel) also needs Stanford
CoreNLP 3.6.0 (``stanford-corenlp-3.6.0.jar`` and ``stanford-corenlp-3.6.0-models.jar`` in its
``lib/``): ``aacap metrics download spice`` puts all of it in ``$AACAP_CACHE/spice``. Another
folder of that layout can be named with ``$AACAP_SPICE_DIR``; ``$AACAP_SPICE_JAVA`` names the
``java`` (default: ``java`` on PATH).

Why SPICE 1.0 fails on Java >= 15: after scoring, ``SpiceScorer.scoreBatch`` pretty-prints its
JSON output through ``new ScriptEngineManager().getEngineByName("JavaScript")`` and
``eval("result = JSON.stringify(JSON.parse(jsonString), null, 2)")``. Java 15 removed the
Nashorn JavaScript engine (JEP 372), so that lookup returns null and SPICE dies with a
NullPointerException after all the work, writing no output. The work-around: a 40-line
``javax.script`` engine registered under the name "JavaScript" that answers exactly that one
statement by returning the JSON unchanged (compact instead of indented, the same values); it is
compiled once by ``aacap metrics download spice`` into ``lib/aacap-script-engine.jar`` (needs
``javac``, part of any JDK) and put on SPICE's class path. With Java <= 14 it is not needed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from aacap.cache_dirs import cache_dir
from aacap.metrics.java import JavaUnavailable, java_major_version, pycocoevalcap_dir

CORENLP_JARS = ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar")
ENGINE_JAR = "aacap-script-engine.jar"
ENGINE_SOURCE = """package aacap.spice;

import java.io.BufferedReader;
import java.io.Reader;
import java.util.List;
import java.util.stream.Collectors;
import javax.script.*;

/** Answers SPICE 1.0's one JavaScript statement (re-indenting its JSON output) on Javas without Nashorn. */
public final class JsonEngineFactory implements ScriptEngineFactory {
    static final String SPICE_STATEMENT = "result = JSON.stringify(JSON.parse(jsonString), null, 2)";
    public String getEngineName() { return "aacap SPICE JSON pass-through"; }
    public String getEngineVersion() { return "1"; }
    public List<String> getExtensions() { return List.of("js"); }
    public List<String> getMimeTypes() { return List.of("application/javascript"); }
    public List<String> getNames() { return List.of("JavaScript", "javascript", "js"); }
    public String getLanguageName() { return "ECMAScript"; }
    public String getLanguageVersion() { return "SPICE's statement only"; }
    public Object getParameter(String key) {
        switch (key) {
            case ScriptEngine.NAME: return "JavaScript";
            case ScriptEngine.ENGINE: return getEngineName();
            case ScriptEngine.ENGINE_VERSION: return getEngineVersion();
            case ScriptEngine.LANGUAGE: return getLanguageName();
            case ScriptEngine.LANGUAGE_VERSION: return getLanguageVersion();
            default: return null;
        }
    }
    public String getMethodCallSyntax(String obj, String m, String... args) { throw new UnsupportedOperationException(); }
    public String getOutputStatement(String toDisplay) { throw new UnsupportedOperationException(); }
    public String getProgram(String... statements) { throw new UnsupportedOperationException(); }
    public ScriptEngine getScriptEngine() { return new Engine(this); }

    static final class Engine extends AbstractScriptEngine {
        private final ScriptEngineFactory factory;
        Engine(ScriptEngineFactory factory) { this.factory = factory; }
        public Object eval(String script, ScriptContext context) throws ScriptException {
            if (!SPICE_STATEMENT.equals(script.trim())) {
                throw new ScriptException("aacap's stand-in engine only runs SPICE's JSON re-indent statement");
            }
            Object json = context.getAttribute("jsonString");
            context.setAttribute("result", json, ScriptContext.ENGINE_SCOPE);
            return json;
        }
        public Object eval(Reader reader, ScriptContext context) throws ScriptException {
            return eval(new BufferedReader(reader).lines().collect(Collectors.joining("\\n")), context);
        }
        public Bindings createBindings() { return new SimpleBindings(); }
        public ScriptEngineFactory getFactory() { return factory; }
    }
}
"""


def spice_java() -> str:
    java = os.environ.get("AACAP_SPICE_JAVA") or shutil.which("java")
    if java is None:
        raise JavaUnavailable("official SPICE needs a Java runtime: install one or set $AACAP_SPICE_JAVA")
    return java


def needs_script_engine(java: str | None = None) -> bool:
    """Whether this Java lacks the JavaScript engine SPICE 1.0 calls (Java >= 15)."""
    return java_major_version(java or spice_java()) >= 15


def build_script_engine(lib: Path) -> Path:
    """Compile the stand-in engine into lib/aacap-script-engine.jar (javac needed); returns it."""
    javac = shutil.which("javac")
    if javac is None:
        raise JavaUnavailable("this Java has no JavaScript engine (Java >= 15) and no javac was found to build "
                              "aacap's stand-in: install a JDK, or use a Java <= 14 via $AACAP_SPICE_JAVA")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "aacap" / "spice" / "JsonEngineFactory.java"
        src.parent.mkdir(parents=True)
        src.write_text(ENGINE_SOURCE)
        proc = subprocess.run([javac, "--release", "11", "-d", str(Path(tmp) / "classes"), str(src)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise JavaUnavailable(f"javac could not build aacap's SPICE script engine: {proc.stderr.strip()[:300]}")
        part = lib / (ENGINE_JAR + ".part")
        with zipfile.ZipFile(part, "w") as z:
            for cls in (Path(tmp) / "classes").rglob("*.class"):
                z.write(cls, cls.relative_to(Path(tmp) / "classes").as_posix())
            z.writestr("META-INF/services/javax.script.ScriptEngineFactory", "aacap.spice.JsonEngineFactory\n")
        part.replace(lib / ENGINE_JAR)
    return lib / ENGINE_JAR


def spice_dir() -> Path:
    """Where `aacap metrics download spice` puts SPICE 1.0 and its jars."""
    return cache_dir("spice")


def spice_root() -> Path | None:
    """The SPICE folder: $AACAP_SPICE_DIR, else aacap's download, else pycocoevalcap's spice/."""
    if os.environ.get("AACAP_SPICE_DIR"):
        return Path(os.environ["AACAP_SPICE_DIR"])
    if (spice_dir() / "spice-1.0.jar").is_file():
        return spice_dir()
    base = pycocoevalcap_dir()
    return base / "spice" if base else None


def _spice_setup() -> tuple[list[str], Path]:
    """(java command up to the main class, SPICE folder), or JavaUnavailable saying what is missing."""
    root = spice_root()
    if root is None or not (root / "spice-1.0.jar").is_file():
        raise JavaUnavailable("spice-1.0.jar not found: run `aacap metrics download spice` "
                              "(or install pycocoevalcap==1.2, or set $AACAP_SPICE_DIR)")
    missing = [j for j in CORENLP_JARS if not (root / "lib" / j).is_file()]
    if missing:
        raise JavaUnavailable(f"official SPICE needs {', '.join(missing)} in {root / 'lib'} "
                              "(Stanford CoreNLP 3.6.0): run `aacap metrics download spice`")
    java = spice_java()
    classpath = [str(root / "spice-1.0.jar")]  # its manifest brings lib/*.jar along
    if needs_script_engine(java):
        engine = root / "lib" / ENGINE_JAR
        if not engine.is_file():
            raise JavaUnavailable(f"{java} is Java {java_major_version(java)}, which has no JavaScript engine "
                                  "(SPICE 1.0 needs one to write its output): run `aacap metrics download spice`, "
                                  "which builds a stand-in, or set $AACAP_SPICE_JAVA to a Java <= 14")
        classpath.append(str(engine))
    return [java, "-Xmx8G", "-cp", os.pathsep.join(classpath), "edu.anu.spice.SpiceScorer"], root


def spice_official(candidates: Sequence[str], mult_references: Sequence[Sequence[str]]
                   ) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """SPICE of raw candidates by the official jar (one JVM for the corpus); the corpus value
    is the mean of the per-caption "All" F-scores, as aac-metrics reports it."""
    command, root = _spice_setup()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = [{"image_id": i, "test": c, "refs": list(r)} for i, (c, r) in enumerate(zip(candidates, mult_references))]
        (tmp_path / "in.json").write_text(json.dumps(data))
        cmd = [*command, str(tmp_path / "in.json"), "-cache", str(tmp_path / "cache"),
               "-out", str(tmp_path / "out.json"), "-subset", "-silent"]
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        if proc.returncode != 0 or not (tmp_path / "out.json").is_file():
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise RuntimeError(f"official SPICE failed (exit {proc.returncode}): {last}")
        results = json.loads((tmp_path / "out.json").read_text())
    by_id = {r["image_id"]: r["scores"]["All"]["f"] for r in results}
    scores = np.nan_to_num(np.array([float(by_id[i]) for i in range(len(candidates))]), nan=0.0)
    return {"spice": float(scores.mean())}, {"spice": scores}
