"""Training data: manifest rows -> examples (clip, caption, task) -> batches.

A manifest is JSON lines, one clip per line: `{"id", "audio", "captions", "duration_s",
"dataset", "split"}` (the format `aacap data prepare` writes). The order of examples in an
epoch is a function of (seed, epoch) only, so an interrupted epoch replays identically; a
global batch is split over the DDP processes by position (`rows[rank::world]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ..vocab import Vocabulary


@dataclass
class Clip:
    """One manifest row, with the task token of its data entry."""

    id: str
    audio: str  # path of the audio file
    captions: list[str]
    task: str | None
    dataset: str = ""


def read_entry(entry: dict[str, Any], resolve: Any) -> list[Any]:
    """Manifest items of one data entry: `{"manifest": PATH}` (a JSON-lines manifest) or
    `{"clotho": ROOT}` (a folder in Clotho's layout, read by `aacap.data.clotho`), with an
    optional `"split"` ("dev", "val", "eval") keeping only that split."""
    split = entry.get("split")
    if "clotho" in entry:
        from ..data.clotho import SPLITS, prepare_clotho

        items = prepare_clotho(resolve(entry["clotho"]), (split,) if split else tuple(SPLITS))
    elif "manifest" in entry:
        from ..data.manifest import read_manifest

        items = [i for i in read_manifest(resolve(entry["manifest"])) if split in (None, i.split)]
    else:
        raise ValueError(f"data entry {entry!r} needs a 'manifest' path or a 'clotho' folder")
    if not items:
        raise ValueError(f"data entry {entry!r} has no clips{f' of split {split!r}' if split else ''}")
    return items


def load_clips(entries: list[dict[str, Any]], resolve: Any) -> list[Clip]:
    """Clips of several data entries (`read_entry`), each with the entry's task token;
    `resolve` maps a path template to a Path (`TrainConfig.path`)."""
    clips: list[Clip] = []
    for entry in entries:
        for item in read_entry(entry, resolve):
            captions = [c for c in item.captions if c.strip()]
            clips.append(Clip(item.id, item.audio, captions, entry.get("task"), item.dataset))
    return clips


def epoch_examples(clips: list[Clip], seed: int, epoch: int, per_clip: str) -> list[tuple[int, int]]:
    """(clip index, caption index) pairs of one epoch in training order, from (seed, epoch):
    every caption of every clip (`per_clip="all"`) or one caption per clip (`"one"`)."""
    g = torch.Generator().manual_seed(seed * 100_003 + epoch)
    if per_clip == "all":
        pairs = [(i, j) for i, clip in enumerate(clips) for j in range(len(clip.captions))]
    else:
        picks = torch.randint(0, 1 << 30, (len(clips),), generator=g).tolist()
        pairs = [(i, picks[i] % len(c.captions)) for i, c in enumerate(clips) if c.captions]
    order = torch.randperm(len(pairs), generator=g).tolist()
    return [pairs[k] for k in order]


def global_batches(examples: list[tuple[int, int]], batch_size: int, world: int) -> list[list[tuple[int, int]]]:
    """Consecutive global batches; a last batch smaller than the number of processes is dropped
    (every process must take part in every step)."""
    batches = [examples[i : i + batch_size] for i in range(0, len(examples), batch_size)]
    return [b for b in batches if len(b) >= world]


def encode_captions(vocab: Vocabulary, captions: list[str], tasks: list[str | None],
                    max_tokens: int) -> Tensor:
    """Token ids (B, L) right-padded with <pad>: [<bos_task>, words..., <eos>], cut to max_tokens
    (a cut caption keeps its <eos>)."""
    seqs = []
    for caption, task in zip(captions, tasks):
        ids = vocab.encode(caption, task)
        if len(ids) > max_tokens:
            ids = ids[: max_tokens - 1] + [vocab.eos_id]
        seqs.append(ids)
    out = torch.full((len(seqs), max(len(s) for s in seqs)), vocab.pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.tensor(s)
    return out


def pad_frames(frames: list[Tensor]) -> tuple[Tensor, Tensor]:
    """(T_i, D) or (S_i,) tensors -> right-padded batch (B, T_max, D) / (B, S_max), lengths (B,)."""
    lengths = torch.tensor([f.shape[0] for f in frames], dtype=torch.long)
    out = frames[0].new_zeros((len(frames), int(lengths.max()), *frames[0].shape[1:]))
    for i, f in enumerate(frames):
        out[i, : f.shape[0]] = f
    return out, lengths


class InputSource(torch.utils.data.Dataset):
    """Model inputs per clip: cached encoder frames (T, D) float32, or the waveform (S,) at
    `sample_rate` (cut to `max_samples`), or one zero frame (T=1) for the no-audio baseline."""

    def __init__(self, clips: list[Clip], *, cache: Any = None, sample_rate: int = 32000,
                 max_samples: int | None = None, zero_dim: int | None = None) -> None:
        self.clips, self.cache = clips, cache
        self.sample_rate, self.max_samples, self.zero_dim = sample_rate, max_samples, zero_dim

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, index: int) -> Tensor:
        clip = self.clips[index]
        if self.zero_dim is not None:
            return torch.zeros(1, self.zero_dim)
        if self.cache is not None:
            return torch.from_numpy(self.cache.load(clip.id))
        from ..audio import AudioFile, load_audio

        if self.max_samples is None:
            wave = load_audio(clip.audio, self.sample_rate)
        else:  # the start only (the data phase of `benchmarks/train_step.py` drops by 40-50%
            # with clips cut to 4 s); the amplitude rule on what is read
            head = AudioFile(clip.audio).head(self.sample_rate, self.max_samples)
            wave = load_audio(head, self.sample_rate)
        return torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float32))


class ExampleBatches(torch.utils.data.Dataset):
    """Item k = the k-th local batch of an epoch: (inputs, lengths, tokens). Used with a
    DataLoader(batch_size=None) so worker processes read the audio/frames ahead."""

    def __init__(self, source: InputSource, batches: list[list[tuple[int, int]]],
                 vocab: Vocabulary, max_tokens: int) -> None:
        self.source, self.batches, self.vocab, self.max_tokens = source, batches, vocab, max_tokens

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, k: int) -> tuple[Tensor, Tensor, Tensor]:
        rows = self.batches[k]
        clips = [self.source.clips[i] for i, _ in rows]
        inputs, lengths = pad_frames([self.source[i] for i, _ in rows])
        tokens = encode_captions(self.vocab, [c.captions[j] for c, (_, j) in zip(clips, rows)],
                                 [c.task for c in clips], self.max_tokens)
        return inputs, lengths, tokens
