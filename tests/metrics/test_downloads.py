"""`aacap metrics download`: checksummed HTTP against a stand-in server on 127.0.0.1, the hub
calls, and the stand-in JavaScript engine that lets SPICE 1.0 write its output on Java >= 15."""

from __future__ import annotations

import hashlib
import http.server
import io
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from aacap.metrics import downloads, fense_files


@pytest.fixture()
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1; yields (base URL, folder)."""
    root = tmp_path / "www"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()


def _corenlp_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for jar in downloads.CORENLP_JARS:
            z.writestr(f"stanford-corenlp-full-2015-12-09/{jar}", f"stand-in {jar}")
        z.writestr("stanford-corenlp-full-2015-12-09/README.txt", "other files stay out")
    return buf.getvalue()


def test_http_download_checks_digest_and_keeps_nothing_wrong(server, tmp_path) -> None:
    url, www = server
    (www / "f.bin").write_bytes(b"payload")
    dest = tmp_path / "out" / "f.bin"
    with pytest.raises(downloads.DownloadError, match="sha256 .* is not the expected"):
        downloads.http_download(f"{url}/f.bin", dest, sha256="0" * 64)
    assert not dest.exists() and not list(dest.parent.glob("*.part"))
    good = hashlib.sha256(b"payload").hexdigest()
    assert downloads.http_download(f"{url}/f.bin", dest, sha256=good).read_bytes() == b"payload"
    with pytest.raises(downloads.DownloadError, match="download failed"):
        downloads.http_download(f"{url}/missing.bin", tmp_path / "m.bin", sha256=good)


def test_spice_download_from_stand_in(server, tmp_path, monkeypatch) -> None:
    pytest.importorskip("pycocoevalcap", reason="pycocoevalcap (metrics extra) not installed")
    url, www = server
    payload = _corenlp_zip()
    (www / "corenlp.zip").write_bytes(payload)
    monkeypatch.setattr("aacap.metrics.spice_java.needs_script_engine", lambda java=None: False)
    with pytest.raises(downloads.DownloadError, match="sha1"):  # the real archive's digest: a stand-in fails it
        downloads.download_spice(f"{url}/corenlp.zip", tmp_path / "spice")
    monkeypatch.setattr(downloads, "CORENLP_SHA1", hashlib.sha1(payload).hexdigest())
    root = downloads.download_spice(f"{url}/corenlp.zip", tmp_path / "spice")
    for jar in downloads.CORENLP_JARS:
        assert (root / "lib" / jar).read_text() == f"stand-in {jar}"
    assert (root / "spice-1.0.jar").is_file() and (root / "lib" / "SceneGraphParser-1.0.jar").is_file()
    assert not list(root.glob("*.zip"))


def test_fense_download_fetches_hub_repos_and_checked_checkpoint(server, tmp_path, monkeypatch) -> None:
    hub = pytest.importorskip("huggingface_hub", reason="huggingface_hub not installed (make metrics-parity)")
    url, www = server
    ckpt = b"stand-in checkpoint"
    (www / "echecker.ckpt").write_bytes(ckpt)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("FENSE_DATA", str(tmp_path / "fense_data"))
    monkeypatch.delenv("AACAP_FENSE_DIR", raising=False)
    calls = []

    def snapshot(repo, cache_dir, allow_patterns, endpoint):  # what the hub would leave in its cache
        calls.append((repo, tuple(allow_patterns), endpoint))
        folder = Path(cache_dir) / f"models--{repo.replace('/', '--')}" / "snapshots" / "rev"
        folder.mkdir(parents=True)
        (folder / "config.json").write_text("{}")
        (folder / "vocab.txt").write_text("[UNK]\n")
        return str(folder)

    monkeypatch.setattr(hub, "snapshot_download", snapshot)
    monkeypatch.setattr(fense_files, "ECHECKER_SHA256", hashlib.sha256(ckpt).hexdigest())
    paths = downloads.download_fense("http://127.0.0.1:1", echecker_url=f"{url}/echecker.ckpt")
    assert [c[0] for c in calls] == [fense_files.SBERT_REPO, "bert-base-uncased"]
    assert all(c[2] == "http://127.0.0.1:1" for c in calls)
    assert paths[-1] == tmp_path / "fense_data" / "echecker_clotho_audiocaps_base.ckpt"
    assert paths[-1].read_bytes() == ckpt


HARNESS = """
import javax.script.*;
public class Harness {
    public static void main(String[] args) throws Exception {
        // exactly what SPICE 1.0's SpiceScorer.scoreBatch does with its output
        ScriptEngineManager manager = new ScriptEngineManager();
        ScriptEngine scriptEngine = manager.getEngineByName("JavaScript");
        scriptEngine.put("jsonString", args[0]);
        scriptEngine.eval("result = JSON.stringify(JSON.parse(jsonString), null, 2)");
        System.out.print((String) scriptEngine.get("result"));
    }
}
"""


def test_script_engine_stands_in_for_nashorn(tmp_path) -> None:
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("no JDK (javac) here to build the stand-in engine")
    from aacap.metrics.spice_java import build_script_engine

    jar = build_script_engine(tmp_path)
    (tmp_path / "Harness.java").write_text(HARNESS)
    payload = '[{"image_id":0,"scores":{"All":{"f":0.5}}}]'
    out = subprocess.run(["java", "-cp", str(jar), str(tmp_path / "Harness.java"), payload],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == payload
