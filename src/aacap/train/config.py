"""The training configuration (one dataclass) and recipes: small TOML files of plain values
in `train/recipes/`, overridden on the command line with the one `key=value` syntax
(`aacap.config.apply_overrides`)."""

from __future__ import annotations

import copy
import dataclasses
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..config import ModelConfig, apply_overrides

RECIPES_DIR = Path(__file__).resolve().parent / "recipes"

# Fields that change how a run is carried out, not its result: a run may resume with new values.
RUN_ONLY_FIELDS = ("num_workers", "threads", "progress", "tensorboard", "device", "save_every_steps",
                   "val_batch_size", "source", "data_dir")


@dataclass
class TrainConfig:
    """Everything a training run depends on. Stored in every checkpoint it writes.

    Data entries (`train`, `val`) are dicts: `{"manifest": PATH, "task": "clotho", "split":
    "dev"}` or `{"clotho": FOLDER, ...}` (see `data.read_entry`; split optional). Paths may
    use `{data_dir}`. `model` is a preset name plus `ModelConfig` fields that replace the preset's.
    """

    # what to train
    model: dict[str, Any] = field(default_factory=lambda: {"preset": "cnn14-trans2022"})
    init: str | None = None  # start from this aacap checkpoint (weights and vocabulary)
    encoder_weights: str | None = None  # PANNs .pth / aacap checkpoint / YAMNet state dict
    freeze_encoder: bool = False  # frozen: frames computed once into the feature cache
    cache_dir: str | None = None  # feature cache of a frozen encoder; None: OUT/cache
    no_audio: bool = False  # baseline: the decoder sees one zero frame (a language model)
    # data
    data_dir: str = "data"
    train: list[dict[str, Any]] = field(default_factory=list)
    val: list[dict[str, Any]] = field(default_factory=list)
    vocab_min_count: int = 1  # words seen fewer times in the training captions become <unk>
    captions_per_clip: str = "all"  # "all": every caption is an example; "one": one per epoch
    max_audio_s: float | None = None  # clips are cut to their first max_audio_s seconds
    max_caption_tokens: int = 50  # longer captions are cut (tokens incl. <bos>/<eos>)
    # optimisation
    epochs: int = 30
    batch_size: int = 32  # the global batch: split over the DDP processes
    lr: float = 5e-4
    weight_decay: float = 0.0  # AdamW, on weight matrices only (not biases, norms, embeddings)
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    warmup_steps: int = 0  # linear warm-up from 0, then cosine decay to lr * min_lr_ratio
    min_lr_ratio: float = 0.0
    label_smoothing: float = 0.0
    grad_clip: float | None = None  # max global L2 norm of the gradients
    # augmentation (train only)
    specaug_time_masks: int = 0  # stripes masked along time, each up to time_ratio of the frames
    specaug_time_ratio: float = 0.1
    specaug_freq_masks: int = 0  # stripes masked along the feature axis (mels or channels)
    specaug_freq_ratio: float = 0.1
    mixup_alpha: float = 0.0  # > 0: mix pairs of inputs with Beta(alpha, alpha) weights
    # validation and stopping
    val_metric: str = "auto"  # "spider" | "cider_d" | "auto" (SPIDEr when SPICE is available)
    val_max_items: int | None = None  # validate on the first N clips only
    val_batch_size: int = 32
    val_beam_size: int = 1  # 1 = greedy
    val_max_length: int = 30
    patience: int | None = None  # stop after this many epochs without a better score
    # run
    seed: int = 0
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:N"
    amp: bool = True  # mixed precision (bf16, else fp16 with loss scaling) on GPU only
    num_workers: int = 0
    threads: int = 0  # torch CPU threads (0: torch's default); 1 is fastest on a busy machine
    save_every_steps: int = 0  # also write `last.pt` every N steps inside an epoch (0: no)
    keep_epoch_checkpoints: bool = False  # write epoch-NNN.pt model checkpoints
    progress: bool = True  # tqdm progress bar
    tensorboard: bool = True  # when the `tensorboard` package is installed
    source: str = ""  # where the settings come from (paper / repository)

    def __post_init__(self) -> None:
        self.betas = tuple(float(b) for b in self.betas)  # type: ignore[assignment]
        if self.captions_per_clip not in ("all", "one"):
            raise ValueError(f"captions_per_clip={self.captions_per_clip!r}: use 'all' or 'one'")
        if self.val_metric not in ("auto", "spider", "cider_d"):
            raise ValueError(f"val_metric={self.val_metric!r}: use 'auto', 'spider' or 'cider_d'")
        for name in ("epochs", "batch_size"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)!r} must be a positive integer")
        if not self.train:
            raise ValueError("the recipe has no training data: set train=[{manifest=..., task=...}]")
        for entry in [*self.train, *self.val]:
            if not isinstance(entry, dict) or not ({"manifest", "clotho"} & set(entry)):
                raise ValueError(f"data entry {entry!r} needs a 'manifest' path or a 'clotho' folder")

    def to_dict(self) -> dict[str, Any]:
        data = copy.deepcopy(asdict(self))
        data["betas"] = list(self.betas)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown training setting(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(known))}")
        return cls(**copy.deepcopy(data))

    def path(self, template: str) -> Path:
        """A data path with `{data_dir}` filled in."""
        return Path(template.replace("{data_dir}", self.data_dir))

    def model_config(self) -> ModelConfig:
        """The `ModelConfig`: the preset named by `model["preset"]` with the other fields replaced."""
        from ..presets import PRESETS

        spec = copy.deepcopy(self.model)
        name = spec.pop("preset", None)
        if name is None:
            return ModelConfig.from_dict(spec)
        if name not in PRESETS:
            raise ValueError(f"model.preset={name!r} is unknown; choose one of {', '.join(PRESETS)}")
        base = PRESETS[name].to_dict()
        for key in ("encoder_args", "decoder_args"):  # a new encoder/decoder starts from {}
            kind = key.split("_")[0]
            if kind in spec and spec[kind] != base[kind]:
                base[key] = {}
        for key, value in spec.items():
            if key not in base:
                raise ValueError(f"model.{key} is not a ModelConfig field; known: {sorted(base)}")
            if isinstance(value, dict) and isinstance(base[key], dict):
                base[key] = {**base[key], **value}
            else:
                base[key] = value
        return ModelConfig.from_dict(base)


def recipe_names() -> list[str]:
    return sorted(p.stem for p in RECIPES_DIR.glob("*.toml"))


def read_recipe(name_or_path: str) -> dict[str, Any]:
    """The plain dict of a recipe: a name from `recipe_names()` or a path to a .toml file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib

    path = Path(name_or_path)
    if not path.is_file():
        path = RECIPES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ValueError(f"{name_or_path}: no such recipe file or name; known recipes: "
                         f"{', '.join(recipe_names())}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path}: not valid TOML ({err})") from None


def load_recipe(name_or_path: str, overrides: list[str] | None = None) -> TrainConfig:
    """The `TrainConfig` of a recipe with `key=value` overrides (`model.d_model=128`, ...)."""
    data = read_recipe(name_or_path)
    defaults = TrainConfig.__dataclass_fields__
    base = {k: copy.deepcopy(f.default if f.default is not dataclasses.MISSING else f.default_factory())
            for k, f in defaults.items()}
    unknown = sorted(set(data) - set(base))
    if unknown:
        raise ValueError(f"{name_or_path}: unknown setting(s) {', '.join(unknown)}")
    base.update(data)
    return TrainConfig.from_dict(apply_overrides(base, overrides or []))
