"""Stand-in servers on 127.0.0.1 for the download tests (standard library only, so the CoNeTTE
parity script can run one from conette's virtualenv too).

`StandInHub` answers what huggingface_hub's `hf_hub_download` asks a hub (read from
huggingface_hub 2.4's file_download.py / utils/_http.py):

    HEAD /{owner}/{name}/resolve/{revision}/{file}   -> 200 with X-Repo-Commit, ETag, Content-Length
    GET  same, optionally `Range: bytes=N-`           -> 200, or 206 with Content-Range
    a file not in the repository                     -> 404, X-Error-Code: EntryNotFound (+ X-Repo-Commit)
    an unknown repository -> 401, X-Error-Code: RepoNotFound (as the hub answers); revision -> 404 RevisionNotFound

`StandInFiles` serves plain files (a stand-in Zenodo) with Range support. Both can cut the first
GET of a file after half its bytes (`cut={name}`), and log every request as (method, path, range).
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse


class _Server:
    def __init__(self) -> None:
        self.log: list[tuple[str, str, str | None]] = []
        self.cut: set[str] = set()  # file names whose next GET stops after half the bytes
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:  # noqa: N802
                owner._handle(self, body=False)

            def do_GET(self) -> None:  # noqa: N802
                owner._handle(self, body=True)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down and free the port: later requests find nothing listening."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _lookup(self, path: str) -> tuple[int, dict[str, str], bytes | None, str]:
        raise NotImplementedError

    def _handle(self, req: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlparse(req.path).path)
        wanted = req.headers.get("Range")
        self.log.append((req.command, path, wanted))
        status, headers, data, name = self._lookup(path)
        start = 0
        if data is not None and status == 200 and wanted and wanted.startswith("bytes="):
            start = int(wanted[len("bytes="):].split("-")[0] or 0)
            if start >= len(data):
                headers["Content-Range"] = f"bytes */{len(data)}"
                status, data = 416, b""
            else:
                status = 206
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        payload = (data or b"")[start:] if status in (200, 206) else b""
        req.send_response(status)
        for key, value in headers.items():
            req.send_header(key, value)
        req.send_header("Accept-Ranges", "bytes")
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        if not body or not payload:
            return
        if name in self.cut and req.command == "GET":
            self.cut.discard(name)
            req.wfile.write(payload[: len(payload) // 2])
            req.wfile.flush()
            req.close_connection = True
            req.connection.shutdown(2)  # the client sees the connection drop mid-body
            return
        req.wfile.write(payload)


class StandInHub(_Server):
    """A Hugging Face Hub with in-memory repositories: {repo_id: {file name: bytes}}."""

    def __init__(self, repos: dict[str, dict[str, bytes]], revision: str = "main") -> None:
        super().__init__()
        self.repos = repos
        self.revision = revision
        self.commits = {repo: hashlib.sha1(repo.encode()).hexdigest() for repo in repos}

    @classmethod
    def from_dirs(cls, dirs: dict[str, Path]) -> StandInHub:
        return cls({repo: {p.name: p.read_bytes() for p in Path(d).iterdir() if p.is_file()}
                    for repo, d in dirs.items()})

    def _lookup(self, path: str):
        parts = path.strip("/").split("/")
        if len(parts) < 5 or parts[2] != "resolve":
            return 401, {"X-Error-Code": "RepoNotFound"}, None, ""
        repo, revision, name = "/".join(parts[:2]), parts[3], "/".join(parts[4:])
        if repo not in self.repos:
            return 401, {"X-Error-Code": "RepoNotFound"}, None, name
        commit = self.commits[repo]
        if revision not in (self.revision, commit):
            return 404, {"X-Error-Code": "RevisionNotFound"}, None, name
        files = self.repos[repo]
        if name not in files:
            return 404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit}, None, name
        data = files[name]
        etag = hashlib.sha256(data).hexdigest()
        return 200, {"X-Repo-Commit": commit, "ETag": f'"{etag}"'}, data, name


class StandInFiles(_Server):
    """Plain files by URL path (a stand-in Zenodo): {"/records/1/files/x.pth": bytes}."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = files

    def _lookup(self, path: str):
        if path not in self.files:
            return 404, {}, None, ""
        return 200, {"Content-Type": "application/octet-stream"}, self.files[path], path.rsplit("/", 1)[-1]
