"""Downloads against a local HTTP server on 127.0.0.1: resume, checksum, offline message."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
from pathlib import Path

import pytest

from aacap.data.download import DownloadError, RemoteFile, download

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path != "/file.bin":
            self.send_error(404, "Not Found")
            return
        rng = self.headers.get("Range")
        type(self).requests.append(rng)
        start = int(rng.split("=")[1].rstrip("-")) if rng else 0
        body = PAYLOAD[start:]
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    _RangeHandler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _remote(url: str, algorithm: str = "sha256") -> RemoteFile:
    digest = hashlib.new(algorithm, PAYLOAD).hexdigest()
    return RemoteFile(f"{url}/file.bin", "sub/file.bin", f"{algorithm}:{digest}")


def test_download_then_cached(tmp_path: Path, server: str) -> None:
    path = download(_remote(server), tmp_path)
    assert path == tmp_path / "sub" / "file.bin" and path.read_bytes() == PAYLOAD
    download(_remote(server, "md5"), tmp_path)  # same bytes, md5 digest: no new request
    assert _RangeHandler.requests == [None]


def test_resumes_from_partial_file(tmp_path: Path, server: str) -> None:
    part = tmp_path / "sub" / "file.bin.part"
    part.parent.mkdir()
    part.write_bytes(PAYLOAD[:300_000])
    path = download(_remote(server), tmp_path)
    assert path.read_bytes() == PAYLOAD and not part.exists()
    assert _RangeHandler.requests == ["bytes=300000-"]


def test_checksum_mismatch_removes_the_file(tmp_path: Path, server: str) -> None:
    bad = RemoteFile(f"{server}/file.bin", "file.bin", "sha256:" + "0" * 64)
    with pytest.raises(DownloadError, match="checksum does not match"):
        download(bad, tmp_path)
    assert not any(tmp_path.iterdir())


def test_http_error_and_offline_are_one_line(tmp_path: Path, server: str) -> None:
    with pytest.raises(DownloadError, match="answered 404") as err:
        download(RemoteFile(f"{server}/nope", "x", ""), tmp_path)
    assert "\n" not in str(err.value)
    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match=r"cannot reach 127.0.0.1:\d+ .*network") as err:
        download(RemoteFile(f"http://127.0.0.1:{port}/f", "f", ""), tmp_path, timeout_s=2)
    assert "\n" not in str(err.value)


def test_download_macs_from_a_local_mirror(tmp_path: Path, monkeypatch) -> None:
    """download_macs fetches the YAML and the TAU archives, extracts only MACS's files, and
    the result reads back with prepare_macs."""
    pytest.importorskip("yaml", reason="MACS.yaml needs PyYAML")
    import functools
    import io
    import wave
    import zipfile

    from aacap.data import macs
    from aacap.data.manifest import Problems

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "MACS.yaml").write_text("files:\n- filename: a.wav\n  annotations:\n"
                                      "  - sentence: birds sing\n")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 800)
    with zipfile.ZipFile(mirror / "tau.audio.1.zip", "w") as z:
        z.writestr("audio/a.wav", buf.getvalue())
        z.writestr("audio/not-in-macs.wav", buf.getvalue())
    md5 = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in mirror.iterdir()}
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        monkeypatch.setattr(macs, "_ZENODO", url)
        monkeypatch.setattr(macs, "_FILES", (("MACS.yaml", md5["MACS.yaml"]),))
        monkeypatch.setattr(macs, "_TAU", f"{url}/tau")
        monkeypatch.setattr(macs, "_TAU_ZIPS", (("audio.1", md5["tau.audio.1.zip"]),))
        macs.download_macs(tmp_path / "data")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert sorted(p.name for p in (tmp_path / "data" / "MACS" / "audio").iterdir()) == ["a.wav"]
    (item,) = macs.prepare_macs(tmp_path / "data", problems=Problems())
    assert item.captions == ["birds sing"] and item.duration_s == 0.1


def test_a_transfer_cut_midway_is_resumed_in_the_same_call(tmp_path: Path) -> None:
    """Every download (datasets, metric files, PANNs) resumes a cut transfer itself, from
    where it stopped, before giving up."""
    import hashlib

    from standin_servers import StandInFiles

    data = bytes(range(256)) * 4000
    with StandInFiles({"/f.bin": data}) as host:
        host.cut = {"f.bin"}
        remote = RemoteFile(host.url + "/f.bin", "f.bin", "sha256:" + hashlib.sha256(data).hexdigest())
        assert download(remote, tmp_path, progress=False).read_bytes() == data
        ranges = [r for m, _, r in host.log if m == "GET"]
    assert ranges == [None, f"bytes={len(data) // 2}-"]
