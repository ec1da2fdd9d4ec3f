"""Decoder properties: causality, and incremental (cached) steps equal full recomputation."""

from __future__ import annotations

import pytest
import torch

from aacap.decoders import build_decoder

V, D = 23, 16


def tiny(kind: str) -> torch.nn.Module:
    args = (
        {"num_layers": 2, "nhead": 2, "dim_feedforward": 32, "dropout": 0.0}
        if kind == "transformer"
        else {"embed_dim": 8, "hidden_size": 12, "num_layers": 2, "dropout": 0.0,
              "attention_dim": 10}
    )
    torch.manual_seed(0)
    return build_decoder(kind, args, V, D, pad_id=0).eval()


def inputs(B: int = 3, T: int = 7, L: int = 6):
    g = torch.Generator().manual_seed(1)
    memory = torch.randn(B, T, D, generator=g)
    mask = torch.ones(B, T, dtype=torch.bool)
    mask[min(1, B - 1), 4:] = False  # a shorter clip
    tokens = torch.randint(1, V, (B, L), generator=g)
    return tokens, memory, mask


@pytest.mark.parametrize("kind", ["transformer", "rnn"])
def test_cached_steps_equal_forward(kind: str) -> None:
    decoder = tiny(kind)
    tokens, memory, mask = inputs()
    full = decoder(tokens, memory, mask)  # (B, L, V)
    state = None
    for t in range(1, tokens.shape[1] + 1):
        logits, state = decoder.step(tokens[:, :t], memory, mask, state)
        torch.testing.assert_close(logits, full[:, t - 1], atol=1e-5, rtol=1e-5)
        uncached, _ = decoder.step(tokens[:, :t], memory, mask, None)
        torch.testing.assert_close(uncached, logits, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ["transformer", "rnn"])
def test_causal_through_gradients(kind: str) -> None:
    decoder = tiny(kind)
    tokens, memory, mask = inputs(B=1)
    emb = decoder.emb_layer if kind == "transformer" else decoder.embedding
    seen = []

    def keep(module, args, out):
        out.retain_grad()
        seen.append(out)

    hook = emb.register_forward_hook(keep)
    logits = decoder(tokens, memory, mask)
    hook.remove()
    logits[0, 2].sum().backward()
    # (B, L) gradient mass per input position; the RNN embeds one position per call
    grads = torch.cat([s.grad.abs().sum(-1).reshape(1, -1) for s in seen], dim=-1)
    assert grads[0, :3].gt(0).all() and grads[0, 3:].eq(0).all()


@pytest.mark.parametrize("kind", ["transformer", "rnn"])
def test_padded_frames_are_ignored_and_reorder(kind: str) -> None:
    decoder = tiny(kind)
    tokens, memory, mask = inputs()
    noisy = memory.clone()
    noisy[1, 4:] = 100.0  # padding content must not matter
    torch.testing.assert_close(decoder(tokens, memory, mask), decoder(tokens, noisy, mask))
    _, state = decoder.step(tokens[:, :3], memory, mask, None)
    index = torch.tensor([2, 0, 0])
    logits, _ = decoder.step(tokens[index, :4], memory[index], mask[index], state.reorder(index))
    torch.testing.assert_close(logits, decoder(tokens[index, :4], memory[index], mask[index])[:, -1],
                               atol=1e-5, rtol=1e-5)
