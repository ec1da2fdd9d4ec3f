"""Progress bars: drawn on a terminal's stderr only, never with --quiet or into a log file; the
byte bar of a download counts every byte with its rate; `aacap evaluate-model` no longer
writes its `\\r` counter."""

from __future__ import annotations

import http.server
import io
import threading
from pathlib import Path

from aacap.progress import bar, byte_bar, shown


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def use_terminal(monkeypatch) -> Terminal:
    """Point sys.stderr at a `Terminal` (in the test's body: pytest's capture sets sys.stderr
    again after the fixtures ran)."""
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    return screen


def test_bars_only_on_a_terminal_and_not_when_quiet(monkeypatch) -> None:
    terminal = use_terminal(monkeypatch)
    assert shown() and not shown(enabled=False)
    for _ in bar(range(3), desc="work", unit="clip"):
        pass
    assert "work" in terminal.getvalue() and "3/3" in terminal.getvalue()
    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    for _ in bar(range(3), desc="work", enabled=False):
        pass
    log = io.StringIO()  # a redirected stderr: no terminal
    monkeypatch.setattr("sys.stderr", log)
    assert not shown()
    for _ in bar(range(3), desc="work"):
        pass
    assert quiet.getvalue() == "" and log.getvalue() == ""


PAYLOAD = bytes(range(256)) * 2048  # 512 KiB


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, *args: object) -> None:
        pass


def test_download_draws_a_byte_bar_with_its_rate(tmp_path: Path, monkeypatch) -> None:
    import hashlib

    from aacap.data.download import RemoteFile, download

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/f.bin"
        digest = "sha256:" + hashlib.sha256(PAYLOAD).hexdigest()
        terminal = use_terminal(monkeypatch)
        path = download(RemoteFile(url, "f.bin", digest), tmp_path)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert path.read_bytes() == PAYLOAD
    screen = terminal.getvalue()
    assert "512k/512k" in screen  # bytes done / total, binary units
    assert "B/s" in screen  # the rate


def test_byte_bar_resumes_from_what_is_there(monkeypatch) -> None:
    terminal = use_terminal(monkeypatch)
    with byte_bar(10240, desc="f.bin", initial=6144) as b:
        b.update(4096)
        assert b.n == 10240
    assert "6.00k/10.0k" in terminal.getvalue() and "10.0k/10.0k" in terminal.getvalue()


def test_evaluate_model_draws_a_bar_not_a_counter(tmp_path: Path, monkeypatch, capsys) -> None:
    import json

    import soundfile as sf

    from aacap.cli import main
    from helpers import tiny_checkpoint, tone

    ckpt = tiny_checkpoint("las2020", tmp_path / "tiny.pt")
    lines = []
    for i in range(3):
        sf.write(tmp_path / f"c{i}.wav", tone(1.0, 32000, 300.0 * (i + 1)), 32000)
        lines.append({"id": f"c{i}", "audio": str(tmp_path / f"c{i}.wav"), "dataset": "clotho",
                      "split": "eval", "duration_s": 1.0,
                      "captions": ["a tone plays", "a beep sounds"]})
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    args = ["evaluate-model", str(ckpt), str(manifest), "--metrics", "bleu_1", "--max-length", "4"]
    terminal = use_terminal(monkeypatch)
    assert main(args) == 0
    assert "aacap evaluate-model: captioning" in terminal.getvalue()
    assert "3/3" in terminal.getvalue() and "captioned 3/3" not in terminal.getvalue()
    quiet = use_terminal(monkeypatch)
    assert main([*args, "--quiet"]) == 0
    assert quiet.getvalue() == ""
    monkeypatch.undo()
    assert main(args) == 0
    assert capsys.readouterr().err == ""  # stderr is no terminal here: no bar, no counter
