"""`aacap metrics download`: checksummed HTTP against a stand-in server on 127.0.0.1, the hub
calls, and the stand-in JavaScript engine that lets SPICE 1.0 write its output on Java >= 15."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import shutil
import subprocess
import threading
import zipfile

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
    with pytest.raises(downloads.DownloadError, match="checksum does not match sha256:"):
        downloads.http_download(f"{url}/f.bin", dest, sha256="0" * 64)
    assert not dest.exists() and not list(dest.parent.glob("*.part"))
    good = hashlib.sha256(b"payload").hexdigest()
    assert downloads.http_download(f"{url}/f.bin", dest, sha256=good).read_bytes() == b"payload"
    with pytest.raises(downloads.DownloadError, match="server answered 404"):
        downloads.http_download(f"{url}/missing.bin", tmp_path / "m.bin", sha256=good)


def test_spice_download_from_stand_in(server, tmp_path, monkeypatch) -> None:
    pytest.importorskip("pycocoevalcap", reason="pycocoevalcap (metrics extra) not installed")
    url, www = server
    payload = _corenlp_zip()
    (www / "corenlp.zip").write_bytes(payload)
    monkeypatch.setattr(downloads, "needs_script_engine", lambda java=None: False)
    with pytest.raises(downloads.DownloadError, match="sha1"):  # the real archive's digest: a stand-in fails it
        downloads.download_spice(f"{url}/corenlp.zip", tmp_path / "spice")
    monkeypatch.setattr(downloads, "CORENLP_SHA1", hashlib.sha1(payload).hexdigest())
    root = downloads.download_spice(f"{url}/corenlp.zip", tmp_path / "spice")
    for jar in downloads.CORENLP_JARS:
        assert (root / "lib" / jar).read_text() == f"stand-in {jar}"
    assert (root / "spice-1.0.jar").is_file() and (root / "lib" / "SceneGraphParser-1.0.jar").is_file()
    assert not list(root.glob("*.zip"))


HUB_SHA = "0123456789abcdef0123456789abcdef01234567"
HUB_FILES = {
    "sentence-transformers/paraphrase-TinyBERT-L6-v2": {
        "config.json": b"{}", "vocab.txt": b"[UNK]\n", "tokenizer_config.json": b"{}", "model.safetensors": b"w",
        "pytorch_model.bin": b"not fetched when safetensors exist", "1_Pooling/config.json": b"{}", "README.md": b"-"},
    "bert-base-uncased": {"config.json": b"{}", "vocab.txt": b"[UNK]\n", "tokenizer_config.json": b"{}",
                          "model.safetensors": b"the checkpoint holds the weights: not fetched"},
}


class StandInHub(http.server.BaseHTTPRequestHandler):
    """The two kinds of request huggingface_hub's snapshot_download makes: the revision's file
    list (/api/models/REPO/revision/REV) and each file (/REPO/resolve/SHA/NAME, HEAD and GET)."""

    requests: list[str] = []

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        self._answer(body=False)

    def do_GET(self):
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        path = self.path.split("?")[0]
        StandInHub.requests.append(f"{self.command} {path}")
        data, headers = None, {}
        for repo, files in HUB_FILES.items():
            if path == f"/api/models/{repo}/revision/main":
                data = json.dumps({"id": repo, "sha": HUB_SHA, "siblings": [{"rfilename": f} for f in files]}).encode()
                headers = {"Content-Type": "application/json"}
            elif path.startswith(f"/{repo}/resolve/{HUB_SHA}/") and path.split(f"/{HUB_SHA}/", 1)[1] in files:
                data = files[path.split(f"/{HUB_SHA}/", 1)[1]]
                headers = {"X-Repo-Commit": HUB_SHA, "ETag": f'"{hashlib.sha1(data).hexdigest()}"'}
        self.send_response(200 if data is not None else 404)
        for k, v in {**headers, "Content-Length": str(len(data or b""))}.items():
            self.send_header(k, v)
        self.end_headers()
        if body and data:
            self.wfile.write(data)


def test_fense_download_from_stand_in_hub_and_server(server, tmp_path, monkeypatch) -> None:
    pytest.importorskip("huggingface_hub", reason="huggingface_hub not installed (make metrics-parity)")
    url, www = server
    hub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StandInHub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    ckpt = b"stand-in checkpoint"
    (www / "echecker.ckpt").write_bytes(ckpt)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("FENSE_DATA", str(tmp_path / "fense_data"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.delenv("AACAP_FENSE_DIR", raising=False)
    try:
        with pytest.raises(downloads.DownloadError, match="sha256"):  # the real checkpoint's digest
            downloads.download_fense(f"http://127.0.0.1:{hub.server_address[1]}", echecker_url=f"{url}/echecker.ckpt")
        monkeypatch.setattr(fense_files, "ECHECKER_SHA256", hashlib.sha256(ckpt).hexdigest())
        paths = downloads.download_fense(f"http://127.0.0.1:{hub.server_address[1]}", echecker_url=f"{url}/echecker.ckpt")
    finally:
        hub.shutdown()
    sbert, bert, echecker = paths
    assert sbert == fense_files.sbert_dir() and bert == fense_files.bert_type_dir("bert-base-uncased")
    assert sorted(p.relative_to(sbert).as_posix() for p in sbert.rglob("*") if p.is_file()) == [
        "1_Pooling/config.json", "config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"]
    assert not (bert / "model.safetensors").exists()
    assert echecker == tmp_path / "fense_data" / "echecker_clotho_audiocaps_base.ckpt" and echecker.read_bytes() == ckpt
    assert all("pytorch_model.bin" not in r and "README" not in r for r in StandInHub.requests)


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


def test_fense_files_found_in_a_cache_without_refs_main(tmp_path, monkeypatch) -> None:
    """A snapshot fetched by commit with no `refs/main` (what earlier `aacap metrics download
    fense` runs left) is still found when it is the repository's only one; two are ambiguous;
    a recorded `main` is followed."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    root = tmp_path / "models--org--enc"
    for commit in ("a" * 40, "b" * 40):
        (root / "snapshots" / commit).mkdir(parents=True)
        (root / "snapshots" / commit / "config.json").write_text("{}")
        if commit == "a" * 40:
            assert fense_files.hub_snapshot("org/enc") == root / "snapshots" / commit
    assert fense_files.hub_snapshot("org/enc") is None
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text("b" * 40)
    assert fense_files.hub_snapshot("org/enc") == root / "snapshots" / ("b" * 40)
