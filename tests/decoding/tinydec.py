"""Tiny decoders built in code (both kinds) and random audio memory for the decoding tests."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from aacap.decoders.rnn import RnnDecoder, RnnDecoderConfig
from aacap.decoders.transformer import TransformerDecoder, TransformerDecoderConfig
from aacap.model import Memory
from aacap.vocab import Vocabulary

D = 16
WORDS = ("a the and of in is while dog barks barking birds chirp chirping car engine passes "
         "rain falls water flows people talk talking man speaks door closes wind blows music "
         "plays loudly softly background distance bell rings").split()


@dataclass
class TinyModel:
    """What `decode` needs: `.decoder` and `.vocab`."""

    decoder: nn.Module
    vocab: Vocabulary


def tiny_model(kind: str, seed: int = 0) -> TinyModel:
    """A random 2-layer decoder of `kind` over a ~45-token vocabulary. The classifier is
    scaled so next-token distributions are peaked, and <eos> is favoured a little, so
    captions end at varied lengths."""
    vocab = Vocabulary.build(WORDS)
    torch.manual_seed(seed)
    if kind == "transformer":
        cfg = TransformerDecoderConfig(num_layers=2, d_model=D, nhead=2, dim_feedforward=32,
                                       dropout=0.1)
        decoder: nn.Module = TransformerDecoder(cfg, len(vocab), vocab.pad_id)
    else:
        cfg = RnnDecoderConfig(embed_dim=8, hidden_size=12, num_layers=2, dropout=0.1,
                               attention_dim=10)
        decoder = RnnDecoder(cfg, len(vocab), D, vocab.pad_id)
    with torch.no_grad():
        decoder.classifier.weight.mul_(4.0)
        decoder.classifier.bias[vocab.eos_id] += 1.5
    return TinyModel(decoder.eval(), vocab)


def random_memory(B: int = 5, T: int = 9, seed: int = 1) -> Memory:
    """Frames (B, T, D) with clips of different lengths (clip i has T - i % 4 frames)."""
    g = torch.Generator().manual_seed(seed)
    frames = torch.randn(B, T, D, generator=g)
    lengths = torch.tensor([T - i % 4 for i in range(B)])
    mask = torch.arange(T)[None, :] < lengths[:, None]
    return Memory(frames, mask)
