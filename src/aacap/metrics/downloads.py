"""`aacap metrics download fense|spice`: the model files and jars of the official metrics.

Nothing else in aacap touches the network. Hub files come through huggingface_hub into its
standard cache (where aac-metrics and sentence-transformers also look); other files by HTTP,
streamed to a ``.part`` file, checked against a digest recorded here, then renamed into place.

- fense: ``sentence-transformers/paraphrase-TinyBERT-L6-v2`` and ``bert-base-uncased``'s
  tokenizer and config (hub), and ``echecker_clotho_audiocaps_base.ckpt`` from fense's GitHub
  release, sha256 as aac-metrics 0.6.0 pins it, into fense's data folder.
- spice: Stanford CoreNLP 3.6.0 (``stanford-corenlp-full-2015-12-09.zip``, from nlp.stanford.edu
  as aac-metrics and pycocoevalcap fetch it). aac-metrics pins no digest for it; its SHA-1 is
  the one a public CoreNLP install script pins (found by code search). The two jars SPICE needs
  are taken out of it into ``$AACAP_CACHE/spice/lib`` next to SPICE 1.0 and its other jars
  (copied from the pycocoevalcap wheel), and, where the Java has no JavaScript engine
  (Java >= 15), a small stand-in engine is compiled there (see spice_java.py).
"""

from __future__ import annotations

import fnmatch
import shutil
import zipfile
from pathlib import Path

from aacap.cache_dirs import hf_hub_cache
from aacap.data.download import DownloadError, RemoteFile, download
from aacap.errors import first_line
from aacap.hub import download_file, note_branch
from aacap.metrics import fense_files
from aacap.metrics.java import JavaUnavailable, pycocoevalcap_dir
from aacap.metrics.spice_java import CORENLP_JARS, build_script_engine, needs_script_engine, spice_dir

CORENLP_URL = "https://nlp.stanford.edu/software/stanford-corenlp-full-2015-12-09.zip"
CORENLP_SHA1 = "55c9d653eb30ace7d5a60eb3138e424f9442e539"
SBERT_FILES = ["*.json", "vocab.txt", "1_Pooling/*"]  # + one weights file, safetensors preferred
BERT_TOKENIZER_FILES = ["config.json", "vocab.txt", "tokenizer_config.json", "tokenizer.json"]


def http_download(url: str, dest: Path, *, sha256: str | None = None, sha1: str | None = None
                  ) -> Path:
    """Fetch url to dest unless dest is there with the right digest (`aacap.data.download`:
    resumed after a cut, the digest checked before the file takes its name)."""
    digest = f"sha256:{sha256}" if sha256 else f"sha1:{sha1}" if sha1 else ""
    return download(RemoteFile(url, dest.name, digest), dest.parent)


def download_fense(hub_endpoint: str | None = None, echecker_url: str = fense_files.ECHECKER_URL) -> list[Path]:
    """Fetch FENSE's three parts into their standard caches; returns where they are."""
    try:
        from huggingface_hub import HfApi
    except ImportError:
        raise DownloadError("the hub download needs huggingface_hub: pip install huggingface_hub") from None
    cache = hf_hub_cache()
    out = []
    for repo, patterns in ((fense_files.SBERT_REPO, SBERT_FILES), (fense_files.ECHECKER_BERT, BERT_TOKENIZER_FILES)):
        try:
            info = HfApi(endpoint=hub_endpoint).model_info(repo, revision="main")
            names = {s.rfilename for s in info.siblings or []}
            if repo == fense_files.SBERT_REPO:
                patterns = [*patterns, "model.safetensors" if "model.safetensors" in names else "pytorch_model.bin"]
            wanted = sorted(n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns))
            if not wanted:
                raise FileNotFoundError(f"none of {patterns} in the repository")
            # file by file at the listed commit: the same requests on every huggingface_hub version
            for name in wanted:
                path = download_file(repo, name, info.sha, cache_dir=cache, endpoint=hub_endpoint)
            snapshot = path.parents[len(Path(name).parts) - 1]
            note_branch(snapshot, "main")  # so that fense_files finds it by `main`
            out.append(snapshot)
        except Exception as e:  # huggingface_hub raises many kinds: name the repository and the cause
            raise DownloadError(f"{repo}: hub download failed ({type(e).__name__}: {first_line(e, 200)})") from None
    ckpt = fense_files.fense_data_dir() / f"{fense_files.ECHECKER}.ckpt"
    out.append(http_download(echecker_url, ckpt, sha256=fense_files.ECHECKER_SHA256))
    fense_files.check_fense_files()
    return out


def download_spice(url: str = CORENLP_URL, dest: Path | None = None) -> Path:
    """SPICE 1.0 with everything it needs in dest (default ``$AACAP_CACHE/spice``); returns dest."""
    dest = dest or spice_dir()
    lib = dest / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    source = pycocoevalcap_dir()
    if source is None or not (source / "spice" / "spice-1.0.jar").is_file():
        raise DownloadError("spice-1.0.jar comes from the pycocoevalcap wheel: pip install pycocoevalcap==1.2")
    shutil.copy2(source / "spice" / "spice-1.0.jar", dest / "spice-1.0.jar")
    for jar in (source / "spice" / "lib").glob("*.jar"):
        shutil.copy2(jar, lib / jar.name)
    if not all((lib / j).is_file() for j in CORENLP_JARS):
        archive = http_download(url, dest / "stanford-corenlp-full-2015-12-09.zip", sha1=CORENLP_SHA1)
        with zipfile.ZipFile(archive) as z:
            missing = [j for j in CORENLP_JARS if f"stanford-corenlp-full-2015-12-09/{j}" not in z.namelist()]
            if missing:
                raise DownloadError(f"{url}: the archive has no {', '.join(missing)}")
            for jar in CORENLP_JARS:
                with z.open(f"stanford-corenlp-full-2015-12-09/{jar}") as src, open(lib / (jar + ".part"), "wb") as out:
                    shutil.copyfileobj(src, out)
                (lib / (jar + ".part")).replace(lib / jar)
        archive.unlink()
    try:
        if needs_script_engine():
            build_script_engine(lib)
    except JavaUnavailable as e:
        raise DownloadError(f"CoreNLP is in {lib}, but {e}") from None
    return dest
