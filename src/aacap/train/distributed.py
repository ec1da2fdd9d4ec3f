"""DDP on PyTorch's own engine. Under `torchrun` (RANK/WORLD_SIZE/LOCAL_RANK set) each process
joins a process group: NCCL on GPU, gloo on CPU. Outside torchrun everything is one process."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


def setup(device: str) -> tuple[Dist, torch.device]:
    """Join the process group when launched by torchrun; pick this process's device.
    `device`: "auto" (cuda:LOCAL_RANK when CUDA is there, else cpu), "cpu", "cuda" or "cuda:N"."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        device = f"cuda:{local}"
    dev = torch.device(device)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return Dist(rank, world, local), dev


def teardown() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def barrier(d: Dist) -> None:
    if d.active:
        dist.barrier()


def all_sum(value: float, d: Dist, device: torch.device) -> float:
    """The sum of `value` over all processes (the value itself when alone)."""
    if not d.active:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return float(t.item())


def broadcast_floats(values: list[float], d: Dist, device: torch.device) -> list[float]:
    """Rank 0's `values` on every process."""
    if not d.active:
        return values
    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.broadcast(t, 0)
    return t.tolist()
