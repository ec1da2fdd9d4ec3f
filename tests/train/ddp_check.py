"""Run under `torchrun --nproc_per_node 2` (gloo on the CPU) by test_ddp.py. Writes OUT/result.json:

1. gradients: one DDP step, each process taking half of a global batch, against the same step
   on the whole batch in one process (same weights);
2. training: `aacap.train.train` with 2 processes against the same recipe in one process
   (rank 0 runs it after the DDP run, alone), final weights compared.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist

from aacap.config import apply_overrides
from aacap.model import CaptionModel
from aacap.train import TrainConfig, train
from aacap.train.data import encode_captions
from aacap.train.loop import TrainStep, token_loss
from aacap.vocab import Vocabulary


def config(sets: list[str]) -> TrainConfig:
    base = TrainConfig(train=[{"manifest": "-"}]).to_dict()
    return TrainConfig.from_dict(apply_overrides(base, sets))


def gradient_check(cfg: TrainConfig) -> float:
    """Largest |grad difference| between the 2-process step and the 1-process step."""
    rank, world = dist.get_rank(), dist.get_world_size()
    vocab = Vocabulary.builtin()
    torch.manual_seed(0)
    model = CaptionModel(cfg.model_config(), vocab)
    single = CaptionModel(cfg.model_config(), vocab)
    single.load_state_dict(model.state_dict())
    g = torch.Generator().manual_seed(1)
    frames = torch.randn(6, 9, model.encoder.out_dim, generator=g)
    lengths = torch.tensor([9, 7, 9, 3, 5, 8])
    captions = ["a dog barks", "rain falls on a roof while a car passes", "birds chirp",
                "a door opens and closes", "wind", "people talk in a crowd loudly"]
    tokens = encode_captions(vocab, captions, ["clotho"] * 6, 50)
    n_tokens = int((tokens[:, 1:] != vocab.pad_id).sum())
    for m in (model, single):
        m.eval()  # no dropout: both sides compute the same function
        m.encoder.requires_grad_(False)  # frozen, as in training from cached frames

    ddp = torch.nn.parallel.DistributedDataParallel(TrainStep(model, from_frames=True))
    rows = slice(rank, None, world)
    logits, _ = ddp(frames[rows], lengths[rows], tokens[rows])
    (token_loss(logits, tokens[rows], vocab.pad_id, 0.1, n_tokens) * world).backward()

    logits, _ = TrainStep(single, from_frames=True)(frames, lengths, tokens)
    token_loss(logits, tokens, vocab.pad_id, 0.1, n_tokens).backward()
    diffs = [(a.grad - b.grad).abs().max().item() for a, b in zip(model.parameters(), single.parameters())
             if a.grad is not None]
    assert len(diffs) > 10
    return max(diffs)


def _diff(name: str, a: torch.Tensor, b: torch.Tensor) -> float:
    """Largest |a - b|, leaving out the key rows of attention input biases: adding a constant
    to every key logit of a query changes nothing after the softmax, so their gradient is 0 up
    to rounding, and Adam turns that rounding noise (different summation order in 2 processes)
    into steps of size lr."""
    if name.endswith("attn.in_proj_bias"):
        d = a.shape[0] // 3
        a, b = torch.cat([a[:d], a[2 * d:]]), torch.cat([b[:d], b[2 * d:]])
    return (a.float() - b.float()).abs().max().item()


def main() -> None:
    out, sets = Path(sys.argv[1]), sys.argv[2:]
    cfg = config(sets)
    dist.init_process_group("gloo")
    grad_diff = gradient_check(cfg)
    dist.barrier()
    ddp_run = train(cfg, out / "ddp")  # joins the existing group, tears it down at the end
    if int(os.environ["RANK"]) != 0:
        return
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        os.environ.pop(key)
    single_run = train(cfg, out / "single")
    a = torch.load(out / "ddp" / "last.pt", weights_only=True)["state_dict"]
    b = torch.load(out / "single" / "last.pt", weights_only=True)["state_dict"]
    weight_diff = max(_diff(k, a[k], b[k]) for k in a)
    (out / "result.json").write_text(json.dumps({
        "grad_diff": grad_diff, "weight_diff": weight_diff,
        "steps": [ddp_run["steps"], single_run["steps"]],
        "losses": [[r["train_loss"] for r in run["log"]] for run in (ddp_run, single_run)],
    }))


if __name__ == "__main__":
    main()
