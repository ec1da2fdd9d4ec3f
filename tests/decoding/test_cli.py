"""`aacap caption` with the decoding flags on every preset (tiny untrained checkpoints from
`aacap init`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from aacap.cli import main
from aacap.presets import PRESETS, tiny_overrides

@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("clips")
    rng = np.random.default_rng(0)
    paths = []
    for i, seconds in enumerate([1.0, 0.6, 1.3]):
        path = folder / f"clip{i}.wav"
        sf.write(path, (0.1 * rng.standard_normal(int(16000 * seconds))).astype(np.float32), 16000)
        paths.append(str(path))
    return paths


def caption(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, list[dict], str]:
    code = main(["caption", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


@pytest.mark.parametrize("preset", list(PRESETS))
def test_caption_with_decoding_flags(preset: str, clips: list[str], tmp_path: Path,
                                     capsys: pytest.CaptureFixture) -> None:
    ckpt = str(tmp_path / "tiny.pt")
    sets = [arg for item in tiny_overrides(preset) for arg in ("--set", item)]
    assert main(["init", preset, ckpt, *sets]) == 0
    capsys.readouterr()
    sample = ["--model", ckpt, "--json", "--method", "sample", "--seed", "3",
              "--num-candidates", "3", "--top-p", "0.95", "--temperature", "1.2",
              "--max-length", "12"]
    code, first, _ = caption(capsys, *clips, *sample)
    assert code == 0 and [r["path"] for r in first] == clips
    assert all(len(r["candidates"]) == 3 for r in first)
    assert all(r["caption"] == r["candidates"][0]["caption"] for r in first)
    assert all(len(c["caption"].split()) <= 12 for r in first for c in r["candidates"])
    code, again, _ = caption(capsys, *clips, *sample)
    assert again == first  # same seed, same samples

    code, beam, _ = caption(capsys, clips[0], "--model", ckpt, "--json", "--beam-size", "4",
                            "--no-repeat", "ngram:2", "--min-length", "3", "--max-length", "8")
    cands = beam[0]["candidates"]
    assert code == 0 and len(cands) == 4 and len({c["caption"] for c in cands}) >= 3
    assert all(len(c["caption"].split()) <= 8 for c in cands)

    code, _, err = caption(capsys, clips[0], "--model", ckpt, "--top-k", "5")
    assert code == 2 and err.count("\n") == 1 and "--top-k 5: only applies to method='sample'" in err
    code, _, err = caption(capsys, clips[0], "--model", ckpt, "--no-repeat", "sometimes")
    assert code == 2 and "--no-repeat 'sometimes': is invalid" in err
