"""`Cnn14_mAP=0.431.pth` by name (aacap.encoders.panns_weights) against a stand-in Zenodo on
127.0.0.1 serving a small file in PANNs' layout ({'model': state_dict}): the md5 is checked, a
bad file is refused and removed, a cut download resumes with an HTTP Range request."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys

import pytest
import torch

from aacap.data.download import DownloadError
from aacap.encoders import panns_weights as pw
from standin_servers import StandInFiles

PATH = "/records/3987831/files/Cnn14_mAP=0.431.pth"


@pytest.fixture(scope="module")
def panns_file() -> bytes:
    """A 3 MiB checkpoint in the published layout (a few CNN14-named tensors)."""
    g = torch.Generator().manual_seed(0)
    state = {"conv_block1.conv1.weight": torch.randn(64, 1, 3, 3, generator=g),
             "fc1.weight": torch.randn(384, 2048, generator=g)}
    buf = io.BytesIO()
    torch.save({"model": state, "iteration": 0}, buf)
    return buf.getvalue()


@pytest.fixture
def published(monkeypatch, panns_file: bytes) -> bytes:
    """Make the small file the 'published' one: its md5 and size replace Zenodo's."""
    monkeypatch.setattr(pw, "MD5", hashlib.md5(panns_file).hexdigest())
    monkeypatch.setattr(pw, "SIZE", len(panns_file))
    return panns_file


def test_the_published_checksum_and_size():
    # Zenodo record 3987831 lists Cnn14_mAP=0.431.pth with this md5 and size.
    assert (pw.MD5, pw.SIZE) == ("541141fa2ee191a88f24a3219fff024e", 327_428_481)
    assert pw.URL.startswith("https://zenodo.org/records/3987831/files/Cnn14_mAP")


def test_download_checks_the_md5_then_uses_the_cache(published, tmp_path):
    cache = tmp_path / "cache"
    with StandInFiles({PATH: published}) as zenodo:
        path = pw.panns_weights(url=zenodo.url + PATH, cache=cache, legacy=tmp_path / "none")
    assert path == cache / pw.FILE_NAME and path.read_bytes() == published
    assert torch.load(path, weights_only=True)["model"]["fc1.weight"].shape == (384, 2048)
    # the server is gone: the verified copy is used
    assert pw.panns_weights(url=zenodo.url + PATH, cache=cache, legacy=tmp_path / "none") == path


def test_a_file_with_the_wrong_checksum_is_refused_and_removed(published, tmp_path):
    corrupt = bytearray(published)
    corrupt[1000] ^= 0xFF
    cache = tmp_path / "cache"
    with StandInFiles({PATH: bytes(corrupt)}) as zenodo:
        with pytest.raises(DownloadError, match="checksum does not match md5:") as err:
            pw.panns_weights(url=zenodo.url + PATH, cache=cache, legacy=tmp_path / "none")
    assert "--weights FILE" in str(err.value) and "\n" not in str(err.value)
    assert list(cache.iterdir()) == []  # neither the file nor a .part is left


def test_a_cut_download_resumes_where_it_stopped(published, tmp_path):
    with StandInFiles({PATH: published}) as zenodo:
        zenodo.cut = {pw.FILE_NAME}
        path = pw.panns_weights(url=zenodo.url + PATH, cache=tmp_path / "cache", legacy=tmp_path / "none")
        ranges = [r for m, p, r in zenodo.log if m == "GET"]
    assert ranges == [None, f"bytes={len(published) // 2}-"]
    assert path.read_bytes() == published


def test_panns_data_is_looked_at_first(published, tmp_path):
    legacy = tmp_path / "panns_data"
    legacy.mkdir()
    (legacy / pw.FILE_NAME).write_bytes(published)
    assert pw.panns_weights(url="http://127.0.0.1:9/unused", cache=tmp_path / "c", legacy=legacy) == legacy / pw.FILE_NAME


def test_offline_is_one_line_naming_the_url_and_the_flag(tmp_path):
    env = {"HOME": str(tmp_path), "AACAP_CACHE": str(tmp_path / "cache"),
           "AACAP_PANNS_URL": "http://127.0.0.1:9/Cnn14_mAP=0.431.pth", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-m", "aacap.cli", "init", "cnn14-rnn2021", str(tmp_path / "m.pt"),
                          "--encoder-weights", "panns"], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    [line] = run.stderr.strip().splitlines()
    assert "http://127.0.0.1:9/Cnn14_mAP=0.431.pth" in line and "--encoder-weights FILE" in line
