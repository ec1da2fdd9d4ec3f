"""Load a CoNeTTE checkpoint directory into a `CaptionModel` (preset cnext-trans2023).

The directory has the layout of the published Hugging Face model `Labbeti/conette` (conette
0.3.2, Labbé et al. 2023), as written by `CoNeTTEModel.save_pretrained`:

    config.json          CoNeTTEConfig: decoder sizes, task names, decoding defaults, and
                         `tokenizer_state` (the word vocabulary, `stoi` / `itos`)
    model.safetensors    or pytorch_model.bin: the state_dict, with keys
        preprocessor.encoder.*          ConvNeXt encoder + torchlibrosa front-end + AudioSet head
        model.projection.2.{weight,bias}  Linear(768, d_model) between Dropout/ReLU/Dropout
        model.decoder.*                 nn.TransformerDecoder layers, emb_layer, classifier,
                                        pos_encoding.pos_embedding (a fixed sinusoid table)
        model.task_id_to_token_id, model.forbid_rep_mask, _extra_state_ (pickled tokenizer)

The vocabulary comes from config.json (else from the tokenizer state in `_extra_state_`, read
by an unpickler that refuses every class, so only plain data loads) and the weights are read
with `safetensors` or `torch.load(weights_only=True)`: no code in the directory ever runs. CoNeTTE's own decoding settings (task token,
min/max length, beam size) are returned by `conette_decoding_options`; decode with them to get
CoNeTTE's captions (see scripts/check_conette_parity.py).
"""

from __future__ import annotations

import io
import json
import pickle
import re
import warnings
from pathlib import Path
from typing import Any, Mapping

import torch
from torch import Tensor

from .checkpoint import CheckpointError
from .config import ModelConfig
from .decoders.transformer import sinusoids
from .errors import first_line
from .fileio import read_torch_file
from .model import CaptionModel
from .presets import get_preset
from .vocab import SPECIALS, Vocabulary

CONFIG_FILE = "config.json"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")  # preferred first
LAYOUT = "config.json + model.safetensors or pytorch_model.bin, as Labbeti/conette on Hugging Face"

ENCODER_PREFIX = "preprocessor.encoder."
PROJECTION_KEYS = {"model.projection.2.weight": "projection.1.weight",
                   "model.projection.2.bias": "projection.1.bias"}
DECODER_PREFIX = "model.decoder."
POSITIONS_KEY = "model.decoder.pos_encoding.pos_embedding"  # (max_len, 1, d_model), fixed
# Buffers and states we check or ignore rather than load.
TASK_IDS_KEY = "model.task_id_to_token_id"
FORBID_KEY = "model.forbid_rep_mask"
IGNORED_KEYS = ("_extra_state_",)  # CoNeTTE's pickled tokenizer state (read for the vocabulary only)


def load_conette(path: str | Path) -> CaptionModel:
    """Rebuild the CoNeTTE model stored in directory `path` (eval mode, CPU).

    Raises `CheckpointError` (one line, naming the directory) when it is not such a directory
    or its weights do not match its config."""
    path = Path(path)
    config = read_conette_config(path)
    state = read_conette_weights(path)
    return conette_model(config, state, source=str(path))


def conette_decoding_options(path_or_config: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """CoNeTTE's own decoding defaults as `DecodingOptions` keyword arguments: beam search with
    its beam size, its min/max caption lengths, no repeated content words, mean log-prob
    ranking, and its first task (`clotho` for the published model)."""
    config = path_or_config if isinstance(path_or_config, Mapping) else read_conette_config(Path(path_or_config))
    tasks = _task_names(config)
    return {
        "method": "beam",
        "beam_size": int(config.get("beam_size", 3)),
        "min_length": int(config.get("min_pred_size", 3)),
        "max_length": int(config.get("max_pred_size", 20)),
        "no_repeat": "words",
        "length_penalty": 1.0,
        "task": tasks[0] if tasks else None,
    }


def read_conette_config(path: Path) -> dict[str, Any]:
    """config.json of a CoNeTTE directory, checked to be a CoNeTTE config."""
    if not path.exists():
        raise CheckpointError(f"{path}: no such directory; expected a CoNeTTE directory ({LAYOUT})")
    if not path.is_dir():
        raise CheckpointError(f"{path}: not a directory; expected a CoNeTTE directory ({LAYOUT})")
    file = path / CONFIG_FILE
    if not file.is_file():
        raise CheckpointError(f"{path}: no {CONFIG_FILE}; a CoNeTTE directory holds {LAYOUT}")
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{file}: not readable JSON ({first_line(err, 160)})") from None
    if not isinstance(config, dict) or "CoNeTTEModel" not in (config.get("architectures") or []):
        raise CheckpointError(
            f"{file}: not a CoNeTTE config (its 'architectures' does not name CoNeTTEModel)"
        )
    for key, allowed in (("acti_name", ("gelu",)), ("proj_name", ("lin768",)),
                         ("task_mode", ("ds", "ds_src", "none"))):
        if config.get(key, allowed[0]) not in allowed:
            raise CheckpointError(
                f"{file}: {key}={config[key]!r} is not supported; this loader reads "
                f"{key} in {allowed} (the published CoNeTTE)"
            )
    return config


def read_conette_weights(path: Path) -> dict[str, Tensor]:
    """The state_dict of a CoNeTTE directory: model.safetensors (needs the `safetensors`
    package, extra `aacap[conette]`) or pytorch_model.bin (`torch.load(weights_only=True)`)."""
    present = [path / name for name in WEIGHT_FILES if (path / name).is_file()]
    if not present:
        raise CheckpointError(f"{path}: no {' or '.join(WEIGHT_FILES)}; a CoNeTTE directory holds {LAYOUT}")
    file = present[0]
    if file.suffix == ".safetensors":
        try:
            from safetensors.torch import load_file
        except ImportError:
            if len(present) > 1:
                file = present[1]
            else:
                raise CheckpointError(
                    f"{file}: reading safetensors needs the `safetensors` package; "
                    "pip install 'aacap[conette]'"
                ) from None
        else:
            try:
                return load_file(str(file), device="cpu")
            except Exception as err:  # noqa: BLE001 - any parse failure means the same here
                raise CheckpointError(f"{file}: not a readable safetensors file ({first_line(err, 160)})") from None
    state = read_torch_file(file, "PyTorch state_dict", error=CheckpointError)
    if not isinstance(state, dict) or not all(isinstance(v, Tensor) for v in state.values()):
        raise CheckpointError(f"{file}: not a state_dict (a dict of tensors)")
    return state


def conette_vocabulary(config: Mapping[str, Any], source: str = "config.json",
                       weights: Mapping[str, Tensor] | None = None) -> list[str]:
    """CoNeTTE's tokens in id order, from `tokenizer_state` of its config (else from the
    tokenizer state stored in the weights' `_extra_state_`), with the task tokens `<bos_TASK>`
    that CoNeTTE adds when it builds the model (ids after the words, in `task_names` order)
    appended when the saved state lacks them."""
    state = config.get("tokenizer_state")
    if not isinstance(state, Mapping) and weights is not None and "_extra_state_" in weights:
        state = _tokenizer_from_extra_state(weights["_extra_state_"], source)
    data = state.get("tokenizer") if isinstance(state, Mapping) else None
    if not isinstance(data, Mapping):
        raise CheckpointError(
            f"{source}: no tokenizer_state in config.json nor a tokenizer in the weights; "
            "the vocabulary cannot be rebuilt"
        )
    if isinstance(data.get("stoi"), Mapping):
        pairs = [(int(i), str(t)) for t, i in data["stoi"].items()]
    elif isinstance(data.get("itos"), Mapping):
        pairs = [(int(i), str(t)) for i, t in data["itos"].items()]
    else:
        raise CheckpointError(f"{source}: tokenizer_state has neither 'stoi' nor 'itos'")
    pairs.sort()
    if [i for i, _ in pairs] != list(range(len(pairs))):
        raise CheckpointError(f"{source}: tokenizer ids are not 0..{len(pairs) - 1} without gaps")
    tokens = ["<bos>" if t == "<sos>" else t for _, t in pairs]  # CoNeTTE's pre-2.2 name
    if config.get("task_mode", "ds_src") != "none":
        tokens += [t for t in (f"<bos_{task}>" for task in _task_names(config)) if t not in tokens]
    missing = [s for s in SPECIALS if s not in tokens]
    if missing:
        raise CheckpointError(f"{source}: the tokenizer lacks the special tokens {missing}")
    return tokens


def conette_model(config: Mapping[str, Any], state: Mapping[str, Tensor], source: str = "CoNeTTE") -> CaptionModel:
    """A `CaptionModel` from a CoNeTTE config (config.json as a dict) and its state_dict."""
    from .encoders.convnext import load_conette_encoder_state

    tokens = conette_vocabulary(config, f"{source}/{CONFIG_FILE}", state)
    # Our Vocabulary puts <pad>, <bos>, <eos>, <unk> first; `order[i]` is the CoNeTTE id of our id i.
    order = [tokens.index(s) for s in SPECIALS]
    order += [i for i in range(len(tokens)) if i not in order]
    vocab = Vocabulary([tokens[i] for i in order])

    def need(key: str) -> Tensor:
        if key not in state:
            raise CheckpointError(f"{source}: weights lack {key!r}; is it a CoNeTTE state_dict?")
        return state[key]

    rows = need(DECODER_PREFIX + "emb_layer.weight").shape[0]
    if rows != len(tokens):
        raise CheckpointError(
            f"{source}: the decoder has {rows} token embeddings but config.json's tokenizer has "
            f"{len(tokens)} tokens; config and weights do not belong together"
        )
    positions = need(POSITIONS_KEY)
    model = CaptionModel(_model_config(config, state, positions.shape[0], source), vocab)

    expected = sinusoids(positions.shape[0], positions.shape[-1])
    if positions.reshape(expected.shape).sub(expected).abs().max().item() > 1e-4:
        raise CheckpointError(f"{source}: {POSITIONS_KEY} is not the sinusoid table this decoder uses")

    try:
        load_conette_encoder_state(model.encoder, state, prefix=ENCODER_PREFIX)
    except ValueError as err:
        raise CheckpointError(f"{source}: {err}") from None

    ours: dict[str, Tensor] = {new: need(old) for old, new in PROJECTION_KEYS.items()}
    index = torch.tensor(order)
    for key, value in state.items():
        if key.startswith(DECODER_PREFIX) and key != POSITIONS_KEY:
            name = "decoder." + key[len(DECODER_PREFIX):]
            if name in ("decoder.emb_layer.weight", "decoder.classifier.weight", "decoder.classifier.bias"):
                value = value.index_select(0, index)  # rows in our token order
            ours[name] = value
    own = {k: v for k, v in model.state_dict().items() if not k.startswith("encoder.")}
    missing = [k for k in own if k not in ours]
    shapes = [f"{k} {tuple(ours[k].shape)} vs {tuple(v.shape)}" for k, v in own.items()
              if k in ours and ours[k].shape != v.shape]
    known = (ENCODER_PREFIX, DECODER_PREFIX, *PROJECTION_KEYS, TASK_IDS_KEY, FORBID_KEY, *IGNORED_KEYS)
    unexpected = [k for k in state if not k.startswith(known)]
    if missing or shapes or unexpected:
        raise CheckpointError(
            f"{source}: weights do not match config.json: missing "
            f"{[_conette_name(k) for k in missing[:3]]}, unexpected {unexpected[:3]}, "
            f"shape mismatch {shapes[:2]}"
        )
    model.load_state_dict({**model.state_dict(), **ours}, strict=True)
    _check_tasks(config, state, vocab, tokens, source)
    _check_stopwords(state, vocab, tokens, order, source)
    return model.eval()


def _model_config(config: Mapping[str, Any], state: Mapping[str, Tensor], max_len: int, source: str) -> ModelConfig:
    """cnext-trans2023 with the decoder sizes of config.json and the ConvNeXt sizes read off the
    encoder weights (the published model is ConvNeXt-Tiny on 224 mels)."""
    cfg = get_preset("cnext-trans2023")
    d_model = int(config.get("d_model", 256))
    cfg.d_model = d_model
    cfg.decoder_args.update(
        num_layers=int(config.get("num_decoder_layers", 6)),
        d_model=d_model,
        nhead=int(config.get("nhead", 8)),
        dim_feedforward=int(config.get("dim_feedforward", 2048)),
        dropout=float(config.get("decoder_dropout_p", 0.2)),
        max_len=int(max_len),
    )
    cfg.encoder_args.update(_convnext_sizes(state, source))
    cfg.name = "conette"
    cfg.resampler = "torchaudio-sinc"  # conette resamples with torchaudio 0.13.1, then averages channels
    cfg.description = "CoNeTTE checkpoint (ConvNeXt + transformer decoder, Labbé et al. 2023)"
    return cfg


def _convnext_sizes(state: Mapping[str, Tensor], source: str) -> dict[str, Any]:
    """n_mels, depths and dims of CoNeTTE's ConvNeXt from the shapes of its weights."""
    bn = ENCODER_PREFIX + "bn0.weight"
    if bn not in state:
        raise CheckpointError(f"{source}: weights lack {bn!r}; is it a CoNeTTE state_dict?")
    blocks: dict[int, set[int]] = {}
    pattern = re.compile(re.escape(ENCODER_PREFIX) + r"stages\.(\d+)\.(\d+)\.")
    for key in state:
        match = pattern.match(key)
        if match:
            blocks.setdefault(int(match[1]), set()).add(int(match[2]))
    if sorted(blocks) != [0, 1, 2, 3]:
        raise CheckpointError(f"{source}: the ConvNeXt encoder weights do not have 4 stages")
    dims = [int(state[f"{ENCODER_PREFIX}stages.{i}.0.dwconv.weight"].shape[0]) for i in range(4)]
    return {"n_mels": int(state[bn].shape[0]), "depths": [len(blocks[i]) for i in range(4)], "dims": dims}


def _check_tasks(config: Mapping[str, Any], state: Mapping[str, Tensor], vocab: Vocabulary,
                 tokens: list[str], source: str) -> None:
    """CoNeTTE's task -> start token table must name the `<bos_TASK>` tokens we rebuilt."""
    if TASK_IDS_KEY not in state or config.get("task_mode", "ds_src") == "none":
        return
    stored = [tokens[i] if 0 <= i < len(tokens) else "?" for i in state[TASK_IDS_KEY].tolist()]
    wanted = [f"<bos_{t}>" for t in _task_names(config)]
    if stored != wanted:
        raise CheckpointError(
            f"{source}: {TASK_IDS_KEY} maps the tasks to {stored[:3]}..., not to {wanted[:3]}...; "
            "config.json's tokenizer does not match the weights"
        )


def _check_stopwords(state: Mapping[str, Tensor], vocab: Vocabulary, tokens: list[str],
                     order: list[int], source: str) -> None:
    """Warn when the words CoNeTTE let repeat (its stored mask) differ from the stopword list
    that `no_repeat='words'` uses here."""
    if FORBID_KEY not in state:
        return
    from .decoding.filters import NoRepeatWords

    theirs = ~state[FORBID_KEY].bool().index_select(0, torch.tensor(order))
    ours = ~NoRepeatWords.for_vocab(vocab).forbid
    if theirs.shape != ours.shape:
        return
    differ = (theirs != ours).nonzero()[:, 0].tolist()
    if differ:
        words = [vocab.tokens[i] for i in differ]
        warnings.warn(
            f"{source}: {len(words)} word(s) differ between CoNeTTE's repeatable stopwords and "
            f"ours (e.g. {words[:5]}); no_repeat='words' captions may differ on them",
            stacklevel=3,
        )


class _PlainDataUnpickler(pickle.Unpickler):
    """Reads pickles of plain data only (dict, list, str, numbers): any class or function
    reference is refused, so nothing in the file can run code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _tokenizer_from_extra_state(blob: Tensor, source: str) -> Mapping[str, Any] | None:
    """The text tokenizer state (`AACTokenizer.get_txt_state()`) inside CoNeTTE's
    `_extra_state_` (a pickled dict of the non-tensor states, stored as uint8), or None."""
    try:
        extra = _PlainDataUnpickler(io.BytesIO(bytes(blob.to(torch.uint8).tolist()))).load()
    except Exception as err:  # noqa: BLE001 - a refused class or a corrupt pickle alike
        raise CheckpointError(
            f"{source}: the tokenizer in the weights' _extra_state_ is not plain data ({first_line(err, 160)}); "
            "put its tokenizer_state in config.json"
        ) from None
    if not isinstance(extra, Mapping):
        return None
    for key, value in extra.items():
        if str(key).startswith("model.tokenizers.") and isinstance(value, Mapping) \
                and value.get("_type_") == "txt":
            return value
    return None


def _task_names(config: Mapping[str, Any]) -> list[str]:
    if config.get("task_mode", "ds_src") == "none":
        return []
    return [str(t) for t in config.get("task_names") or []]


def _conette_name(key: str) -> str:
    """Our parameter name -> CoNeTTE's, for error messages."""
    for old, new in PROJECTION_KEYS.items():
        if key == new:
            return old
    return DECODER_PREFIX + key[len("decoder."):] if key.startswith("decoder.") else key


__all__ = [
    "conette_decoding_options",
    "conette_model",
    "conette_vocabulary",
    "load_conette",
    "read_conette_config",
    "read_conette_weights",
]
