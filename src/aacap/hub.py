"""Published models by name, fetched from the Hugging Face Hub with `huggingface_hub`.

A model spec names a hub repository in one of three ways:

    conette                   a short name of `HUB_MODELS` (with its default revision)
    Labbeti/conette           any `owner/name` that is not a local file or folder
    hf://Labbeti/conette      explicit; `owner/name@REVISION` (or `--revision`) picks a revision

The repository's `config.json` and one weights file (`model.safetensors`, else
`pytorch_model.bin`) are downloaded into huggingface_hub's standard cache (HF_HOME /
HF_HUB_CACHE; HF_ENDPOINT picks the server; HF_HUB_OFFLINE=1 reads the cache only). A second
call finds them there and works without a network (with a branch name such as `main` as the
revision, huggingface_hub still asks the hub for its current commit when it can reach it). Only those files are fetched, and they are
only read as data (JSON, safetensors, `torch.load(weights_only=True)`): no code from a
repository ever runs. Nothing here runs at import: the download happens when a model is loaded.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .cache_dirs import hf_hub_cache
from .errors import first_line

HF_PREFIX = "hf://"
CONFIG_FILE = "config.json"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")  # the first the repository has
_ELSEWHERE = "download it where the hub is reachable (hf download {repo} --local-dir DIR) and pass --model DIR"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_LOCAL_SUFFIXES = (".pt", ".pth", ".ckpt", ".bin", ".safetensors", ".json")


@dataclass(frozen=True)
class HubModel:
    """A published model aacap loads by its short name."""

    name: str  # short name, e.g. "conette"
    repo_id: str  # owner/name on the hub
    revision: str  # the default revision (a commit hash pins it; a branch follows it)
    licence: str
    size: str  # download size
    paper: str
    scores: dict[str, float] = field(default_factory=dict)  # published (Clotho eval), not measured here


HUB_MODELS: dict[str, HubModel] = {
    "conette": HubModel(
        name="conette",
        repo_id="Labbeti/conette",
        # No commit hash of Labbeti/conette could be looked up from this machine (no hub
        # access), so the default follows the branch; `--revision HASH` pins one.
        revision="main",
        licence="MIT (Labbeti/conette-audio-captioning)",
        size="about 150 MB (estimated: 37.6 M float32 weights of cnext-trans2023; not measured here)",
        paper="Labbé et al., CoNeTTE, IEEE/ACM TASLP 2024 (arXiv:2309.00454)",
        # Clotho v2.1 eval, from results/ of Labbeti/conette-audio-captioning (commit 9a8612cd)
        scores={"SPIDEr": 0.3097, "SPIDEr-FL": 0.3087, "CIDEr-D": 0.4818, "FENSE": 0.5172},
    ),
}


class HubError(ValueError):
    """A hub model that cannot be had; the message is one line for the user."""


@dataclass(frozen=True)
class HubSpec:
    repo_id: str
    revision: str | None  # None: the hub's default branch


def parse_hub_spec(spec: str, revision: str | None = None) -> HubSpec | None:
    """The hub repository `spec` names, or None when it names something else (a local file or
    folder, `default`, a preset). `revision` (from `--revision`) overrides `@REV` and the pin."""
    text = str(spec)
    explicit = text.startswith(HF_PREFIX)
    if explicit:
        text = text[len(HF_PREFIX):]
    elif Path(text).exists():
        return None
    name, _, at = text.partition("@")
    chosen = revision or at or None
    if name in HUB_MODELS and not explicit:
        model = HUB_MODELS[name]
        return HubSpec(model.repo_id, chosen or model.revision)
    if not _REPO_ID.match(name) or (not explicit and name.lower().endswith(_LOCAL_SUFFIXES)):
        if explicit:
            raise HubError(f"{spec}: not a hub repository id; write hf://OWNER/NAME[@REVISION]")
        return None
    for model in HUB_MODELS.values():  # the pinned revision of a known repository
        if model.repo_id == name and chosen is None:
            chosen = model.revision
    return HubSpec(name, chosen)


def with_revision(spec: str, revision: str | None) -> str:
    """`spec` with `@REVISION` appended when it names a hub model and a revision is given (how
    `--revision` reaches code that takes one model string, e.g. batch workers)."""
    if not revision or parse_hub_spec(spec) is None:
        return spec
    return f"{spec.partition('@')[0]}@{revision}"


def fetch_hub_model(spec: HubSpec) -> Path:
    """The local snapshot folder holding `config.json` and one weights file of `spec`,
    downloaded into the hub cache unless it is there already. Raises `HubError` (one line)."""
    try:  # file_download: loaded (and its loggers set up) now
        from huggingface_hub import errors, file_download  # noqa: F401
    except ImportError:
        raise HubError(
            "loading a model by hub name needs huggingface_hub: pip install 'aacap[hub]', "
            "or download the repository elsewhere and pass --model DIR"
        ) from None

    where = f"{spec.repo_id}@{spec.revision or 'main'}"
    with _quiet_hub_logs():  # its retry warnings would bury our one-line error
        return _fetch(errors, spec, where)


def _fetch(errors, spec: HubSpec, where: str) -> Path:
    if cached_snapshot(spec) is None:
        _check_reachable(spec, where)
    try:
        config = download_file(spec.repo_id, CONFIG_FILE, spec.revision)
    except Exception as err:  # noqa: BLE001 - every failure becomes one line
        raise HubError(_explain(where, CONFIG_FILE, err, errors)) from None
    for name in WEIGHT_FILES:  # already cached: no request at all
        if (config.parent / name).is_file():
            return config.parent
    failures: list[Exception] = []
    for name in WEIGHT_FILES:
        try:
            download_file(spec.repo_id, name, spec.revision)
            return config.parent
        except Exception as err:  # noqa: BLE001
            failures.append(err)
            if not _is_missing(err, errors):
                break  # a network or cache failure: report it, not the next file's
    raise HubError(_explain(where, " or ".join(WEIGHT_FILES), failures[-1], errors)) from None


DOWNLOAD_ATTEMPTS = 3  # a download cut mid-file is tried again (the hub client resumes from
# its `.incomplete` file); huggingface_hub >= 1.0 also retries by itself, 0.x does not


def download_file(repo_id: str, name: str, revision: str | None, *,
                  cache_dir: str | Path | None = None, endpoint: str | None = None) -> Path:
    """`huggingface_hub.hf_hub_download` of one file into the hub cache (`cache_dir`, default
    huggingface_hub's), tried again when the connection drops mid-transfer; returns its path.
    Other failures raise huggingface_hub's error at once."""
    from huggingface_hub import hf_hub_download

    def download() -> Path:
        return Path(hf_hub_download(repo_id, name, revision=revision, cache_dir=cache_dir,
                                    endpoint=endpoint))

    for _ in range(DOWNLOAD_ATTEMPTS - 1):
        try:
            return download()
        except Exception as err:  # noqa: BLE001 - huggingface_hub raises many kinds
            if not _is_transient(err):
                raise
    return download()  # the last try: its failure is the caller's to report


def _is_transient(err: BaseException) -> bool:
    """A connection dropped or timed out mid-transfer (requests', urllib3's, httpx's errors)."""
    names = {k.__name__ for k in type(err).__mro__}
    return isinstance(err, (ConnectionError, TimeoutError)) or bool(names & {
        "ChunkedEncodingError", "ConnectionError", "ProtocolError", "IncompleteRead",
        "RemoteProtocolError", "ReadTimeout", "ReadError", "Timeout", "TimeoutException"})


def repo_cache_dir(repo_id: str, cache_dir: str | Path | None = None) -> Path:
    """A model repository's folder in the hub cache (`cache_dir`, default huggingface_hub's:
    `cache_dirs.hf_hub_cache`), as huggingface_hub names it: `models--OWNER--NAME`."""
    return Path(cache_dir or hf_hub_cache()) / f"models--{repo_id.replace('/', '--')}"


def cached_snapshot(spec: HubSpec, cache_dir: str | Path | None = None) -> Path | None:
    """The cached snapshot folder of `spec` when its config is in the hub cache (`cache_dir`,
    default huggingface_hub's), else None: the commit that `refs/REVISION` names (or the
    revision itself, a commit), as huggingface_hub lays out its cache. Reads the disk only (no
    network, no huggingface_hub needed)."""
    root = repo_cache_dir(spec.repo_id, cache_dir)
    revision = spec.revision or "main"
    ref = root / "refs" / revision
    folder = root / "snapshots" / (ref.read_text().strip() if ref.is_file() else revision)
    return folder if (folder / CONFIG_FILE).is_file() else None


def note_branch(snapshot: Path, branch: str) -> None:
    """Record in the hub cache that `branch` is at `snapshot`'s commit, as huggingface_hub does
    when it downloads by branch name: files fetched by commit are then found by `branch`."""
    refs = snapshot.parents[1] / "refs"
    refs.mkdir(exist_ok=True)
    (refs / branch).write_text(snapshot.name)


def _check_reachable(spec: HubSpec, where: str) -> None:
    """Fail at once, in one line, when nothing is cached and the hub's host cannot be reached
    (huggingface_hub would retry for about 30 s first). Any HTTP answer counts as reachable."""
    import urllib.error
    import urllib.request

    from huggingface_hub import constants

    if _offline():
        return  # huggingface_hub answers from the cache alone, at once
    url = f"{constants.ENDPOINT}/{spec.repo_id}/resolve/{spec.revision or 'main'}/{CONFIG_FILE}"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10).close()
    except urllib.error.HTTPError:
        return
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise HubError(
            f"{where}: could not reach {constants.ENDPOINT} ({reason}) and the model is not in the "
            f"hub cache {constants.HF_HUB_CACHE}; {_ELSEWHERE.format(repo=spec.repo_id)}"
        ) from None


@contextmanager
def _quiet_hub_logs():
    """huggingface_hub's own warnings (retries, resumes) off while we download; restored after."""
    logger = logging.getLogger("huggingface_hub")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _offline() -> bool:
    """huggingface_hub's offline mode (HF_HUB_OFFLINE=1): it reads its cache and nothing else."""
    from huggingface_hub import constants

    return getattr(constants, "is_offline_mode", lambda: constants.HF_HUB_OFFLINE)()


def _is_missing(err: BaseException, errors) -> bool:
    """The server answered that the file is not in the repository (not a network failure)."""
    return isinstance(err, errors.EntryNotFoundError) and not isinstance(err, errors.LocalEntryNotFoundError)


def _explain(where: str, what: str, err: BaseException, errors) -> str:
    """One line: what failed, why, and what to do."""
    from huggingface_hub import constants

    endpoint = constants.ENDPOINT
    elsewhere = _ELSEWHERE.format(repo=where.split("@")[0])
    if _is_missing(err, errors):
        return f"{where}: the repository has no {what}; is it a CoNeTTE model repository?"
    if isinstance(err, errors.RevisionNotFoundError):
        return f"{where}: no such revision on {endpoint}; check --revision"
    if isinstance(err, errors.RepositoryNotFoundError):
        return (f"{where}: no such repository on {endpoint} (or it is private), and no local file or "
                f"folder has that name; check the name")
    if _offline():
        return (f"{where}: {what} is not in the hub cache {constants.HF_HUB_CACHE} and "
                f"HF_HUB_OFFLINE=1 forbids downloading; unset it, or {elsewhere}")
    cause = err.__cause__ or err  # the network error under hf's
    return (f"{where}: could not download {what} from {endpoint} ({first_line(cause, 120)}) and it is not in the "
            f"hub cache {constants.HF_HUB_CACHE}; {elsewhere}")


REVISION_HELP = "hub revision (branch, tag or commit) when --model is a hub name"

__all__ = ["HUB_MODELS", "HubError", "HubModel", "HubSpec", "cached_snapshot", "download_file",
           "fetch_hub_model", "note_branch", "parse_hub_spec", "repo_cache_dir", "with_revision"]
