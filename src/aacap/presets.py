"""Named model presets: the IRIT DCASE systems and CoNeTTE, with their published sizes."""

from __future__ import annotations

from .config import ModelConfig, apply_overrides

_TRANSFORMER = {  # DCASE2022 IRIT and CoNeTTE (Labbé et al. 2023): 6 layers, d 256, 8 heads
    "num_layers": 6,
    "d_model": 256,
    "nhead": 8,
    "dim_feedforward": 2048,
    "dropout": 0.2,
}
_RNN = {"embed_dim": 256, "hidden_size": 512, "num_layers": 1, "dropout": 0.2}

PRESETS: dict[str, ModelConfig] = {
    "las2020": ModelConfig(
        name="las2020",
        encoder="las",
        decoder="rnn",
        encoder_args={"n_mels": 64, "hidden_size": 256, "num_layers": 4},
        decoder_args=dict(_RNN),
        d_model=256,
        description="Listen-Attend-Spell: pyramidal BiLSTM + attention LSTM (IRIT DCASE 2020)",
    ),
    "cnn14-rnn2021": ModelConfig(
        name="cnn14-rnn2021",
        encoder="cnn14",
        decoder="rnn",
        decoder_args=dict(_RNN),
        d_model=256,
        description="PANNs CNN14 (pretrained) + attention LSTM (IRIT DCASE 2021)",
    ),
    "cnn14-trans2022": ModelConfig(
        name="cnn14-trans2022",
        encoder="cnn14",
        decoder="transformer",
        decoder_args=dict(_TRANSFORMER),
        d_model=256,
        description="PANNs CNN14 + transformer decoder, stochastic decoding (IRIT DCASE 2022)",
    ),
    "cnext-trans2023": ModelConfig(
        name="cnext-trans2023",
        encoder="cnext",
        decoder="transformer",
        decoder_args=dict(_TRANSFORMER),
        d_model=256,
        description="ConvNeXt-Tiny + transformer decoder: CoNeTTE (Labbé et al. 2023)",
    ),
}


def preset_names() -> list[str]:
    return list(PRESETS)


def get_preset(name: str, overrides: list[str] | None = None) -> ModelConfig:
    """The config of preset `name`, with optional `key=value` overrides (see `apply_overrides`)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    data = apply_overrides(PRESETS[name].to_dict(), overrides or [])
    return ModelConfig.from_dict(data)


_TINY_DECODER = {
    "rnn": ["decoder_args.embed_dim=8", "decoder_args.hidden_size=16",
            "decoder_args.attention_dim=8"],
    "transformer": ["decoder_args.num_layers=2", "decoder_args.nhead=2",
                    "decoder_args.dim_feedforward=32", "decoder_args.d_model=16"],
}
_TINY_ENCODER = {
    "las": ["encoder_args.hidden_size=16", "encoder_args.num_layers=2"],
    "cnn14": ["encoder_args.channels=[4,4,8,8,16,16]"],
    "cnext": ["encoder_args.depths=[1,1,1,1]", "encoder_args.dims=[8,8,16,16]"],
}


def tiny_overrides(name: str) -> list[str]:
    """Overrides that shrink preset `name` to a few thousand weights, for tests and smoke runs."""
    config = PRESETS[name]
    return ["d_model=16", *_TINY_ENCODER[config.encoder], *_TINY_DECODER[config.decoder]]
