import pytest

from aacap.config import ModelConfig, apply_overrides
from aacap.presets import PRESETS, get_preset


def test_overrides_parse_json_values() -> None:
    cfg = get_preset("cnn14-trans2022", ["decoder_args.num_layers=2", "d_model=64",
                                         "description=tiny"])
    assert cfg.decoder_args["num_layers"] == 2 and cfg.d_model == 64 and cfg.description == "tiny"
    assert PRESETS["cnn14-trans2022"].decoder_args["num_layers"] == 6  # preset untouched


def test_bad_overrides() -> None:
    with pytest.raises(ValueError, match="key=value"):
        apply_overrides({}, ["oops"])
    with pytest.raises(ValueError, match="unknown key"):
        get_preset("las2020", ["nosuch=1"])
    with pytest.raises(ValueError, match="unknown preset"):
        get_preset("nosuch")


def test_config_round_trip() -> None:
    cfg = get_preset("las2020")
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg
