"""aacap.conette: a directory in the layout of the Hugging Face model `Labbeti/conette`
(config.json + pytorch_model.bin or model.safetensors, with CoNeTTE's own key names) rebuilds a
CaptionModel that computes exactly what the model it was written from computes.

The directories are written here from a tiny model built in code; the key names and config
fields are spelled out as conette 0.3.2 writes them (`CoNeTTEModel.save_pretrained`). Parity
with conette's own code is checked by scripts/check_conette_parity.py, run here in its quick form
(`make test` builds conette's virtualenv; `make conette-parity` runs the full check).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from aacap.checkpoint import CheckpointError
from aacap.conette import conette_decoding_options, load_conette
from aacap.decoders.transformer import sinusoids
from aacap.decoding import DecodingOptions, decode
from aacap.decoding.stopwords import STOPWORDS
from aacap.features import mel_filterbank
from aacap.model import CaptionModel
from aacap.presets import get_preset, tiny_overrides
from aacap.vocab import Vocabulary

REPO = Path(__file__).resolve().parents[1]
# conette==0.3.2 lives in its own virtualenv (`make conette-venv`, a TEST_DEPS of `make test`).
CONETTE_PYTHON = Path(os.environ.get("AACAP_CONETTE_PYTHON")
                      or REPO / ".cache" / "venvs" / "conette" / "bin" / "python")
TORCHAUDIO_WHEEL = REPO / ".cache" / "wheels" / "torchaudio-0.13.1-cp310-cp310-manylinux1_x86_64.whl"
TASKS = ["clotho", "audiocaps", "macs", "wavcaps_audioset_sl", "wavcaps_bbc_sound_effects",
         "wavcaps_freesound", "wavcaps_soundbible"]
WORDS = "a dog barks while man is talking the birds are chirping in distance car passes by and".split()


def tiny_model(seed: int = 0) -> CaptionModel:
    """cnext-trans2023 shrunk (ConvNeXt dims 8-8-16-16, 2 decoder layers, d_model 16), with
    weights moved away from their init so that every layer matters."""
    torch.manual_seed(seed)
    config = get_preset("cnext-trans2023", tiny_overrides("cnext-trans2023"))
    tokens = ["<pad>", "<bos>", "<eos>", "<unk>", *WORDS, *(f"<bos_{t}>" for t in TASKS)]
    model = CaptionModel(config, Vocabulary(tokens))
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
        model.encoder.bn0.running_mean.uniform_(-40.0, -10.0)
        model.encoder.bn0.running_var.uniform_(50.0, 200.0)
    return model.eval()


def torchlibrosa_frontend(n_mels: int) -> dict[str, torch.Tensor]:
    """The frozen STFT/mel tensors CoNeTTE's encoder stores (torchlibrosa, n_fft 1024)."""
    n = torch.arange(1024, dtype=torch.float64)
    k = torch.arange(513, dtype=torch.float64)
    angle = 2.0 * np.pi * torch.outer(k, n) / 1024
    window = torch.hann_window(1024, periodic=True, dtype=torch.float64)
    prefix = "preprocessor.encoder."
    return {
        prefix + "spectrogram_extractor.stft.conv_real.weight": (torch.cos(angle) * window)[:, None].float(),
        prefix + "spectrogram_extractor.stft.conv_imag.weight": (-torch.sin(angle) * window)[:, None].float(),
        prefix + "logmel_extractor.melW": torch.from_numpy(mel_filterbank(32000, 1024, n_mels, 50.0, 14000.0).T.copy()),
    }


def tokenizer_state(tokens: list[str]) -> dict:
    """`AACTokenizer.get_txt_state()` of a tokenizer with these tokens in id order."""
    return {"_target_": "conette.tokenization.aac_tokenizer.AACTokenizer", "_version_": "2.2.0",
            "_type_": "txt", "tokenizer": {
                "hparams": {"level": "word", "lowercase": True, "normalize": True, "punctuation_mode": "remove"},
                "itos": {i: t for i, t in enumerate(tokens)},
                "stoi": {t: i for i, t in enumerate(tokens)},
                "vocab": {t: 1 for t in tokens},
            }}


def pickled(obj) -> torch.Tensor:
    return torch.frombuffer(bytearray(pickle.dumps(obj)), dtype=torch.uint8)


def write_conette_dir(model: CaptionModel, out: Path, conette_tokens: list[str], fmt: str = "bin",
                      saved_tokens: list[str] | None = None) -> Path:
    """Write `model` as conette 0.3.2 saves a CoNeTTEModel. `conette_tokens`: the tokens in
    CoNeTTE's id order; `saved_tokens`: those stored in config.json's tokenizer_state (default
    all; CoNeTTE appends the task tokens it lacks when it builds the model)."""
    out.mkdir(parents=True, exist_ok=True)
    ours = model.vocab.index
    rows = torch.tensor([ours[t] for t in conette_tokens])  # CoNeTTE id -> our id
    enc = model.encoder
    state = {f"preprocessor.encoder.{k}": v for k, v in enc.state_dict().items()}
    state |= torchlibrosa_frontend(enc.cfg.n_mels)
    dim = enc.out_dim
    state["preprocessor.encoder.norm.weight"] = torch.ones(dim)  # AudioSet tagging head
    state["preprocessor.encoder.norm.bias"] = torch.zeros(dim)
    state["preprocessor.encoder.head_audioset.weight"] = torch.randn(527, dim)
    state["preprocessor.encoder.head_audioset.bias"] = torch.zeros(527)
    state["model.task_id_to_token_id"] = torch.tensor([conette_tokens.index(f"<bos_{t}>") for t in TASKS])
    state["model.forbid_rep_mask"] = torch.tensor([t not in STOPWORDS for t in conette_tokens])
    state["model.projection.2.weight"] = model.projection[1].weight
    state["model.projection.2.bias"] = model.projection[1].bias
    for k, v in model.decoder.state_dict().items():
        if k in ("emb_layer.weight", "classifier.weight", "classifier.bias"):
            v = v.index_select(0, rows)
        state[f"model.decoder.{k}"] = v
    d = model.config.d_model
    state["model.decoder.pos_encoding.pos_embedding"] = sinusoids(5000, d)[:, None, :]
    tokenizer = tokenizer_state(conette_tokens)  # CoNeTTE pickles its non-tensor states
    state["_extra_state_"] = pickled({"model.tokenizers.0._extra_state": tokenizer})
    state = {k: v.detach().clone().contiguous() for k, v in state.items()}
    if fmt == "safetensors":
        from safetensors.torch import save_file

        save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    else:
        torch.save(state, out / "pytorch_model.bin")

    saved = saved_tokens if saved_tokens is not None else conette_tokens
    dec = model.config.decoder_args
    config = {
        "architectures": ["CoNeTTEModel"], "task_mode": "ds_src", "task_names": TASKS,
        "proj_name": "lin768", "acti_name": "gelu", "min_pred_size": 3, "max_pred_size": 20,
        "beam_size": 3, "nhead": dec["nhead"], "d_model": d, "num_decoder_layers": dec["num_layers"],
        "decoder_dropout_p": 0.2, "dim_feedforward": dec["dim_feedforward"],
        "tokenizer_state": tokenizer_state(saved),
        "transformers_version": "4.30.2",
    }
    (out / "config.json").write_text(json.dumps(config, indent=2))
    return out


@pytest.fixture(scope="module")
def model() -> CaptionModel:
    return tiny_model()


def batch(seed: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    wave = torch.randn(2, 32000, generator=g) * 0.1
    lengths = torch.tensor([32000, 20000])
    tokens = torch.randint(4, 4 + len(WORDS), (2, 6), generator=g)
    return wave, lengths, tokens


def logits_by_token(model: CaptionModel, wave, lengths, token_strings: list[list[str]]) -> torch.Tensor:
    """Teacher-forced logits (B, L, V) with the vocabulary axis ordered by sorted token string."""
    ids = torch.tensor([[model.vocab.index[t] for t in row] for row in token_strings])
    with torch.no_grad():
        out = model(wave, lengths, ids)
    order = sorted(range(len(model.vocab)), key=lambda i: model.vocab.tokens[i])
    return out[:, :, order]


@pytest.mark.parametrize("fmt", ["bin", "safetensors"])
def test_load_rebuilds_identical_logits(model, tmp_path, fmt):
    if fmt == "safetensors":
        pytest.importorskip("safetensors", reason="model.safetensors needs the safetensors package")
    directory = write_conette_dir(model, tmp_path / "conette", list(model.vocab.tokens), fmt)
    loaded = load_conette(directory)
    assert loaded.vocab.tokens == model.vocab.tokens
    assert not loaded.training
    wave, lengths, tokens = batch()
    with torch.no_grad():
        expected = model(wave, lengths, tokens)
        got = loaded(wave, lengths, tokens)
        memory = loaded.encode(wave, lengths)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)
    assert memory.mask.sum(1).tolist() == model.encode(wave, lengths).mask.sum(1).tolist()


def test_special_tokens_in_another_order_are_remapped(model, tmp_path):
    # CoNeTTE ids with <unk> after the words and the task tokens first: our Vocabulary needs
    # <pad>, <bos>, <eos>, <unk> at 0..3, so rows of the embedding and classifier are permuted.
    tasks = [f"<bos_{t}>" for t in TASKS]
    conette_tokens = ["<pad>", *tasks, "<eos>", *WORDS, "<bos>", "<unk>"]
    directory = write_conette_dir(model, tmp_path / "perm", conette_tokens)
    loaded = load_conette(directory)
    assert loaded.vocab.tokens[:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert loaded.vocab.tokens != model.vocab.tokens
    wave, lengths, tokens = batch(2)
    words = [[model.vocab.tokens[i] for i in row] for row in tokens.tolist()]
    torch.testing.assert_close(logits_by_token(loaded, wave, lengths, words),
                               logits_by_token(model, wave, lengths, words), rtol=0, atol=1e-6)


def test_task_tokens_missing_from_the_saved_tokenizer_are_appended(model, tmp_path):
    # A config saved before CoNeTTE built its model has no <bos_TASK> tokens; CoNeTTE adds them
    # after the words, in task_names order.
    tokens = list(model.vocab.tokens)
    directory = write_conette_dir(model, tmp_path / "notasks", tokens,
                                  saved_tokens=[t for t in tokens if not t.startswith("<bos_")])
    loaded = load_conette(directory)
    assert loaded.vocab.tokens == tokens
    assert loaded.vocab.tasks() == TASKS


def test_vocabulary_from_the_weights_when_the_config_has_none(model, tmp_path):
    directory = write_conette_dir(model, tmp_path / "extra", list(model.vocab.tokens))
    _edit_config(directory, tokenizer_state=None)
    assert load_conette(directory).vocab.tokens == model.vocab.tokens


def test_decoding_with_conette_defaults_matches_the_source_model(model, tmp_path):
    directory = write_conette_dir(model, tmp_path / "dec", list(model.vocab.tokens))
    options = conette_decoding_options(directory)
    assert options == {"method": "beam", "beam_size": 3, "min_length": 3, "max_length": 20,
                       "no_repeat": "words", "length_penalty": 1.0, "task": "clotho"}
    loaded = load_conette(directory)
    wave, lengths, _ = batch(3)
    for opts in (DecodingOptions(**options), DecodingOptions(**{**options, "method": "greedy"})):
        with torch.no_grad():
            ours = decode(loaded, loaded.encode(wave, lengths), opts)
            ref = decode(model, model.encode(wave, lengths), opts)
        assert [[c.tokens for c in cs] for cs in ours] == [[c.tokens for c in cs] for cs in ref]
        assert all(len(c.tokens) >= 3 for cs in ours for c in cs)
        np.testing.assert_allclose([c.score for cs in ours for c in cs],
                                   [c.score for cs in ref for c in cs], atol=1e-5)


def test_load_model_reads_a_conette_directory(model, tmp_path):
    import aacap

    directory = write_conette_dir(model, tmp_path / "api", list(model.vocab.tokens))
    captioner = aacap.load_model(directory)
    clip = (np.random.default_rng(0).standard_normal(16000) * 0.1).astype(np.float32)
    [result] = captioner.caption([clip], sample_rate=16000, **conette_decoding_options(directory))
    assert result.caption and len(result.candidates) == 3


def test_stopword_list_mismatch_warns(model, tmp_path):
    tokens = list(model.vocab.tokens)
    directory = write_conette_dir(model, tmp_path / "stop", tokens)
    state = torch.load(directory / "pytorch_model.bin", weights_only=True)
    state["model.forbid_rep_mask"][tokens.index("the")] = True  # 'the' may not repeat there
    torch.save(state, directory / "pytorch_model.bin")
    with pytest.warns(UserWarning, match=r"'the'"):
        load_conette(directory)


# --- errors: one line, naming the directory or file and what is wrong -------------------------

def _edit_config(directory: Path, **changes) -> None:
    config = json.loads((directory / "config.json").read_text())
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    (directory / "config.json").write_text(json.dumps(config))


def _add_token(directory: Path, token: str) -> None:
    config = json.loads((directory / "config.json").read_text())
    data = config["tokenizer_state"]["tokenizer"]
    data["itos"][str(len(data["stoi"]))] = token
    data["stoi"][token] = len(data["stoi"])
    (directory / "config.json").write_text(json.dumps(config))


def _edit_state(directory: Path, drop: str | None = None, add: str | None = None, **replace) -> None:
    state = torch.load(directory / "pytorch_model.bin", weights_only=True)
    if drop:
        del state[drop]
    if add:
        state[add] = torch.zeros(1)
    for key, value in replace.items():
        state[key.replace("__", ".")] = value
    torch.save(state, directory / "pytorch_model.bin")


CASES = {
    "missing directory": (lambda d: d / "nope", r"no such directory"),
    "a file": (lambda d: (d / "pytorch_model.bin"), r"not a directory"),
    "no config": (lambda d: ((d / "config.json").unlink(), d)[1], r"no config\.json"),
    "bad json": (lambda d: ((d / "config.json").write_text("{oops"), d)[1], r"not readable JSON"),
    "not conette": (lambda d: (_edit_config(d, architectures=["BertModel"]), d)[1], r"not a CoNeTTE config"),
    "other projection": (lambda d: (_edit_config(d, proj_name="lin2048"), d)[1], r"proj_name='lin2048' is not supported"),
    "no tokenizer": (lambda d: (_edit_config(d, tokenizer_state=None), _edit_state(d, _extra_state_=pickled({})), d)[2],
                     r"no tokenizer_state in config\.json nor a tokenizer in the weights"),
    "code in pickle": (lambda d: (_edit_config(d, tokenizer_state=None), _edit_state(d, _extra_state_=pickled(Evil())), d)[2],
                       r"not plain data \(refusing to load builtins\.print\)"),
    "no weights": (lambda d: ((d / "pytorch_model.bin").unlink(), d)[1], r"no model\.safetensors or pytorch_model\.bin"),
    "corrupt weights": (lambda d: ((d / "pytorch_model.bin").write_bytes(b"garbage"), d)[1], r"not a readable PyTorch state_dict"),
    "missing key": (lambda d: (_edit_state(d, drop="model.projection.2.bias"), d)[1], r"lack 'model\.projection\.2\.bias'"),
    "missing decoder key": (lambda d: (_edit_state(d, drop="model.decoder.layers.1.norm3.bias"), d)[1],
                            r"missing \['model\.decoder\.layers\.1\.norm3\.bias'\]"),
    "unexpected key": (lambda d: (_edit_state(d, add="model.extra_head.weight"), d)[1], r"unexpected \['model\.extra_head\.weight'\]"),
    "encoder mismatch": (lambda d: (_edit_state(d, drop="preprocessor.encoder.stages.3.0.pwconv2.bias"), d)[1],
                         r"CoNeTTE encoder state"),
    "vocab size": (lambda d: (_add_token(d, "extra"), d)[1], r"token embeddings but config\.json's tokenizer has"),
    "positions": (lambda d: (_edit_state(d, model__decoder__pos_encoding__pos_embedding=torch.zeros(5000, 1, 16)), d)[1],
                  r"not the sinusoid table"),
}


class Evil:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.parametrize("case", list(CASES))
def test_bad_directories_give_one_line_errors(model, tmp_path, case):
    directory = write_conette_dir(model, tmp_path / "bad", list(model.vocab.tokens))
    make, pattern = CASES[case]
    target = make(directory)
    with pytest.raises(CheckpointError, match=pattern) as info:
        load_conette(target)
    message = str(info.value)
    assert "\n" not in message and str(directory) in message


def test_task_table_must_match_the_tokenizer(model, tmp_path):
    directory = write_conette_dir(model, tmp_path / "tasks", list(model.vocab.tokens))
    ids = torch.load(directory / "pytorch_model.bin", weights_only=True)["model.task_id_to_token_id"]
    _edit_state(directory, model__task_id_to_token_id=ids.flip(0))
    with pytest.raises(CheckpointError, match=r"task_id_to_token_id"):
        load_conette(directory)


# --- parity with conette 0.3.2's own code ------------------------------------------------------

@pytest.mark.skipif(not CONETTE_PYTHON.exists() or not TORCHAUDIO_WHEEL.is_file(),
                    reason=f"needs conette's virtualenv ({CONETTE_PYTHON}) and {TORCHAUDIO_WHEEL.name}: "
                           "`make conette-venv torchaudio-wheel` (both are TEST_DEPS of `make test`)")
def test_parity_with_conette_on_32k_mono_44k1_stereo_and_48k_files():
    """conette reads, resamples (torchaudio 0.13.1) and mixes three WAV files itself; aacap
    reads them with the resampler the model config names. Same 32 kHz waveforms, same frames,
    same greedy and beam-3 tokens, log-probs within 2.9e-5, and `aacap caption --model
    Labbeti/conette` through a stand-in hub gives conette's beam-3 captions."""
    run = subprocess.run([str(CONETTE_PYTHON), str(REPO / "scripts" / "check_conette_parity.py"), "--quick",
                          "--aacap-python", sys.executable], capture_output=True, text=True, timeout=900, cwd=REPO)
    # the script's own pass rule (tokens equal; log-probs 2.9e-5, frames 1.1e-5 relative,
    # waves identical: 10x the README's figures)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("{")))["bin"]
    assert figures["cli_hub_captions_equal"]
