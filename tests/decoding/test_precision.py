"""Reduced-precision decoders (`aacap.decoders.precision`): they keep the decoder contract, so
`decode` runs them; their logits stay near float32's; the float32 decoder is left untouched."""

from __future__ import annotations

import pytest
import torch

from aacap.decoders.precision import has_amx, reduced_precision
from aacap.decoding import DecodingOptions, decode
from aacap.model import Memory
from tinydec import TinyModel

# int8 weights (per-tensor scale) and int8 activations on a 16-wide model: logits move by a
# few hundredths of their spread; bf16 keeps 8 mantissa bits.
LOGIT_TOLERANCE = {"int8": 0.1, "bf16": 0.05}


def first_step_logits(decoder: torch.nn.Module, model: TinyModel, memory: Memory) -> torch.Tensor:
    tokens = torch.full((len(memory.frames), 1), model.vocab.bos_id, dtype=torch.long)
    with torch.inference_mode():
        logits, _ = decoder.step(tokens, memory.frames, memory.mask, None)
    return logits


@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_reduced_precision_decodes_close_to_fp32(model: TinyModel, memory: Memory, precision: str) -> None:
    if precision == "bf16" and not has_amx():
        pytest.skip("bf16 is offered only on CPUs with AMX tiles")
    options = DecodingOptions(method="beam", beam_size=3, max_length=12)
    before = decode(model, memory, options)
    reduced = reduced_precision(model.decoder, precision)
    want = first_step_logits(model.decoder, model, memory)
    got = first_step_logits(reduced, model, memory)
    assert got.dtype == torch.float32 and got.shape == want.shape
    spread = (want.max(dim=-1).values - want.min(dim=-1).values).max()
    assert ((got - want).abs().max() / spread).item() < LOGIT_TOLERANCE[precision]
    captions = decode(TinyModel(reduced, model.vocab), memory, options)
    assert len(captions) == len(memory.frames) and all(len(c) >= 1 for c in captions)
    assert [c[0].tokens for c in decode(model, memory, options)] == [c[0].tokens for c in before]


def test_fp32_is_the_decoder_itself_and_unknown_precisions_fail(model: TinyModel) -> None:
    assert reduced_precision(model.decoder, "fp32") is model.decoder
    with pytest.raises(ValueError, match="unknown precision 'int4'"):
        reduced_precision(model.decoder, "int4")
