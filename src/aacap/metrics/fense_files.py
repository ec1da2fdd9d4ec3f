"""Where FENSE's model files are: a folder you name, or the caches aac-metrics and fense use.

FENSE (and FER, SPIDEr-FL) need three things, the ones aac-metrics 0.6.0 loads:

- the sentence encoder ``sentence-transformers/paraphrase-TinyBERT-L6-v2`` (sentence-transformers
  layout: ``config.json``, ``vocab.txt``, ``tokenizer_config.json``, weights, ``1_Pooling/``);
- the error detector ``echecker_clotho_audiocaps_base.ckpt`` (a torch file holding
  ``model_type``, ``num_classes`` and the ``state_dict`` of a BERT + linear classifier);
- the tokenizer and config of its ``model_type`` (``bert-base-uncased``).

Looked up in this order: ``$AACAP_FENSE_DIR`` (a folder holding ``paraphrase-TinyBERT-L6-v2/``,
``echecker_clotho_audiocaps_base.ckpt`` and ``bert-base-uncased/``); then the Hugging Face hub
cache (``$HF_HUB_CACHE``, ``$HF_HOME/hub``, ``~/.cache/huggingface/hub``) and the older
sentence-transformers cache for the encoders; and fense's data folder (``$FENSE_DATA``, else
``$TORCH_HOME/hub/fense_data``, ``~/.cache/torch/hub/fense_data``) for the checkpoint.
``aacap metrics download fense`` fills those caches.
"""

from __future__ import annotations

import os
from pathlib import Path

from aacap.hub import HubSpec, cached_snapshot, repo_cache_dir

SBERT_REPO = "sentence-transformers/paraphrase-TinyBERT-L6-v2"
ECHECKER = "echecker_clotho_audiocaps_base"
# URL and sha256 as aac-metrics 0.6.0 (functional/fer.py) fetches the checkpoint.
ECHECKER_URL = "https://github.com/blmoistawinde/fense/releases/download/V0.1/echecker_clotho_audiocaps_base.ckpt"
ECHECKER_SHA256 = "1a719f090af70614bbdb9f9437530b7e133c48cfa4a58d964de0d47fc974a2fa"
ECHECKER_BERT = "bert-base-uncased"
DOWNLOAD_HINT = "run `aacap metrics download fense` (or set $AACAP_FENSE_DIR)"


class FenseFilesMissing(RuntimeError):
    """FENSE's model files were not found; the message names them and the download command."""


def torch_home() -> Path:
    return Path(os.environ.get("TORCH_HOME") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "torch")


def fense_data_dir() -> Path:
    """Where fense (and aac-metrics) keep the error-detector checkpoint."""
    return Path(os.environ["FENSE_DATA"]).expanduser() if os.environ.get("FENSE_DATA") else torch_home() / "hub" / "fense_data"


def hub_snapshot(repo: str) -> Path | None:
    """The cached snapshot folder of a hub repository's ``main``, holding its config.json; or,
    when the cache records no ``main`` (earlier `aacap metrics download fense` runs fetched by
    commit and wrote none), its only snapshot holding a config.json."""
    found = cached_snapshot(HubSpec(repo, "main"))
    root = repo_cache_dir(repo)
    if found is not None or (root / "refs" / "main").is_file():
        return found
    lone = [d for d in (root / "snapshots").glob("*") if (d / "config.json").is_file()]
    return lone[0] if len(lone) == 1 else None


def _local_dir() -> Path | None:
    return Path(os.environ["AACAP_FENSE_DIR"]).expanduser() if os.environ.get("AACAP_FENSE_DIR") else None


def sbert_dir() -> Path:
    """The paraphrase-TinyBERT-L6-v2 folder, or FenseFilesMissing."""
    local = _local_dir()
    st_home = Path(os.environ.get("SENTENCE_TRANSFORMERS_HOME") or torch_home() / "sentence_transformers")
    candidates = [local / "paraphrase-TinyBERT-L6-v2" if local else None, hub_snapshot(SBERT_REPO),
                  st_home / SBERT_REPO.replace("/", "_")]
    for folder in candidates:
        if folder is not None and (folder / "config.json").is_file():
            return folder
    raise FenseFilesMissing(f"FENSE's sentence encoder {SBERT_REPO} was not found: {DOWNLOAD_HINT}")


def echecker_path() -> Path:
    """The error-detector checkpoint, or FenseFilesMissing."""
    local = _local_dir()
    name = f"{ECHECKER}.ckpt"
    for path in (local / name if local else None, fense_data_dir() / name):
        if path is not None and path.is_file():
            return path
    raise FenseFilesMissing(f"FENSE's error detector {name} was not found: {DOWNLOAD_HINT}")


def bert_type_dir(model_type: str) -> Path:
    """Tokenizer and config folder of the checkpoint's `model_type`, or FenseFilesMissing."""
    local = _local_dir()
    for folder in (Path(model_type) if os.sep in model_type or model_type.startswith(".") else None,
                   local / model_type.split("/")[-1] if local else None, hub_snapshot(model_type)):
        if folder is not None and (folder / "config.json").is_file() and (folder / "vocab.txt").is_file():
            return folder
    raise FenseFilesMissing(f"the tokenizer of FENSE's error detector ({model_type}: config.json, vocab.txt) "
                            f"was not found: {DOWNLOAD_HINT}")


def check_fense_files() -> None:
    """Raise FenseFilesMissing (one line naming every missing part) unless all are present."""
    missing = []
    for find, what in ((sbert_dir, SBERT_REPO), (echecker_path, f"{ECHECKER}.ckpt"),
                       (lambda: bert_type_dir(ECHECKER_BERT), f"{ECHECKER_BERT} (tokenizer, config)")):
        try:
            find()
        except FenseFilesMissing:
            missing.append(what)
    if missing:
        raise FenseFilesMissing(f"FENSE's model files were not found ({', '.join(missing)}): {DOWNLOAD_HINT}")
