"""The training loop: AdamW, linear warm-up + cosine decay, label smoothing, gradient clipping,
SpecAugment and mixup, AMP on GPU, validation every epoch with early stopping, DDP.

Files in the run folder OUT:
- `last.pt`: the whole training state (an aacap checkpoint, so `aacap caption --model` reads
  it too, with the optimizer/scheduler/loop state under `extra.train_state`), written
  atomically at the end of each epoch (and every `save_every_steps` steps);
- `best.pt`: the model with the best validation score so far; `log.csv`; `tb/` (TensorBoard).

Resuming: run the same command again. The order of examples is a function of (seed, epoch),
and every random draw of step k (dropout, SpecAugment, mixup) comes from generators reseeded
from (seed, rank, k), so a run killed at any moment and resumed from `last.pt` ends with the
same weights as a run that was never interrupted.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..atomic import atomic_write
from ..checkpoint import FORMAT, atomic_save, load_checkpoint, read_checkpoint, save_model
from ..model import CaptionModel
from ..pretrained import load_encoder_weights
from ..progress import bar as progress_bar
from ..vocab import Vocabulary
from . import distributed
from .augment import FrontendSpecAugment, mix, mixup_pairs, spec_augment
from .cache import FrameCache, encoder_fingerprint
from .config import RUN_ONLY_FIELDS, TrainConfig
from .data import Clip, ExampleBatches, InputSource, epoch_examples, global_batches, load_clips
from .evaluate import caption_clips, choose_val_metric, references, score, val_options

LOG_FIELDS = ["epoch", "step", "train_loss", "lr", "val_metric", "val_score", "best_score", "seconds"]


class TrainStep(nn.Module):
    """What DDP wraps: inputs -> teacher-forced logits for one or two (mixup) caption batches."""

    def __init__(self, model: CaptionModel, from_frames: bool) -> None:
        super().__init__()
        self.model, self.from_frames = model, from_frames

    def forward(self, x: Tensor, lengths: Tensor, tokens: Tensor, tokens_b: Tensor | None = None
                ) -> tuple[Tensor, Tensor | None]:
        m = self.model
        memory = m.encode_frames(x, lengths) if self.from_frames else m.encode(x, lengths)
        logits = m.decoder(tokens[:, :-1], memory.frames, memory.mask)  # (B, L-1, V)
        other = None if tokens_b is None else m.decoder(tokens_b[:, :-1], memory.frames, memory.mask)
        return logits, other


def token_loss(logits: Tensor, tokens: Tensor, pad_id: int, label_smoothing: float, n_tokens: int) -> Tensor:
    """Summed cross-entropy of the next-token targets tokens[:, 1:], divided by `n_tokens`, the
    number of targets in the whole global batch (so the mean is over all processes' tokens)."""
    targets = tokens[:, 1:]
    ce = F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), ignore_index=pad_id,
                         label_smoothing=label_smoothing, reduction="sum")
    return ce / n_tokens


def lr_factor(step: int, warmup: int, total: int, min_ratio: float) -> float:
    """Linear warm-up over `warmup` steps, then cosine decay from 1 to `min_ratio` at `total`."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def step_seed(seed: int, rank: int, step: int) -> int:
    return int(np.random.SeedSequence([seed, rank, step]).generate_state(1)[0])


def build_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.AdamW:
    """AdamW; weight decay on weight matrices only (not biases, norms, embeddings)."""
    embeddings = {id(m.weight) for m in model.modules() if isinstance(m, nn.Embedding)}
    decay, no_decay = [], []
    for p in model.parameters():
        if p.requires_grad:
            (decay if p.dim() >= 2 and id(p) not in embeddings else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": cfg.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=cfg.betas, eps=cfg.eps)


def train(cfg: TrainConfig, out_dir: str | Path, restart: bool = False) -> dict[str, Any]:
    """Train (or resume) the run of `cfg` in `out_dir`; returns a summary of the run."""
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    d, device = distributed.setup(cfg.device)
    try:
        return _train(cfg, Path(out_dir), d, device, restart)
    finally:
        distributed.teardown()


def _read_state(path: Path, cfg: TrainConfig) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    data = read_checkpoint(path)
    state = data.get("extra", {}).get("train_state")
    if state is None:
        raise ValueError(f"{path}: not a training state; remove it or choose another --out")
    old, new = state["config"], cfg.to_dict()
    changed = [k for k in new if k not in RUN_ONLY_FIELDS and old.get(k) != new[k]]
    if changed:
        k = changed[0]
        raise ValueError(f"{path} belongs to a run with other settings ({k}: {old.get(k)!r} there, "
                         f"{new[k]!r} now); use another --out, or --restart to start over")
    return data


def _train(cfg: TrainConfig, out: Path, d: distributed.Dist, device: torch.device,
           restart: bool) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    last_path = out / "last.pt"
    resumed = None if restart else _read_state(last_path, cfg)
    if resumed is not None and resumed["extra"]["train_state"]["finished"]:
        st = resumed["extra"]["train_state"]
        if d.main:
            print(f"{out}: this run is already finished (epoch {st['epoch']}); best {st['best']}")
        return _summary(st, out)

    # ---- data, vocabulary and model
    train_clips = load_clips(cfg.train, cfg.path)
    val_sets = [(e.get("task"), load_clips([e], cfg.path)[: cfg.val_max_items]) for e in cfg.val]
    torch.manual_seed(cfg.seed)
    init = load_checkpoint(cfg.path(cfg.init)) if cfg.init else None  # read once
    if resumed is not None:
        vocab = Vocabulary(resumed["vocab"])
    elif init is not None:
        vocab = init.vocab
    else:
        vocab = Vocabulary.from_captions((c for clip in train_clips for c in clip.captions),
                                         cfg.vocab_min_count)
    for task in {c.task for c in train_clips} | {t for t, _ in val_sets}:
        vocab.bos_for(task)  # an unknown task token fails here, before any training
    model = init if init is not None else CaptionModel(cfg.model_config(), vocab)
    if cfg.encoder_weights and resumed is None:
        load_encoder_weights(model.encoder, model.config.encoder, cfg.path(cfg.encoder_weights))
    if resumed is not None:
        model.load_state_dict(resumed["state_dict"])
    model.to(device)

    # ---- inputs: cached frames of a frozen encoder, waveforms, or nothing (no-audio baseline)
    from_frames = cfg.no_audio or cfg.freeze_encoder
    cache = None
    if cfg.freeze_encoder or cfg.no_audio:
        for p in model.encoder.parameters():
            p.requires_grad_(False)
    if cfg.freeze_encoder and not cfg.no_audio:
        fp = encoder_fingerprint(model.config.encoder, model.config.encoder_args, model.encoder)
        root = cfg.path(cfg.cache_dir) if cfg.cache_dir else out / "cache"
        if d.main:
            FrameCache(root, fp, {"encoder": model.config.encoder, "encoder_args": model.config.encoder_args})
        distributed.barrier(d)
        cache = FrameCache(root, fp)
        every = [c for c in train_clips] + [c for _, clips in val_sets for c in clips]
        n = cache.fill(model.encoder, every[d.rank :: d.world], progress=cfg.progress and d.main)
        if n and d.main:
            print(f"cached the frames of {n} clips in {root}")
        distributed.barrier(d)
    zero_dim = model.encoder.out_dim if cfg.no_audio else None
    max_samples = int(cfg.max_audio_s * model.sample_rate) if cfg.max_audio_s else None

    def source(clips: list[Clip]) -> InputSource:
        return InputSource(clips, cache=cache, sample_rate=model.sample_rate,
                           max_samples=max_samples, zero_dim=zero_dim)

    train_source = source(train_clips)
    target_counts = {(i, j): min(len(vocab.encode(cap, clip.task)), cfg.max_caption_tokens) - 1
                     for i, clip in enumerate(train_clips) for j, cap in enumerate(clip.captions)}

    # ---- optimisation
    step_model: nn.Module = TrainStep(model, from_frames)
    if d.active:
        step_model = nn.parallel.DistributedDataParallel(
            step_model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = build_optimizer(model, cfg)
    steps_per_epoch = len(global_batches(epoch_examples(train_clips, cfg.seed, 0, cfg.captions_per_clip),
                                         cfg.batch_size, d.world))
    total_steps = steps_per_epoch * cfg.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: lr_factor(s, cfg.warmup_steps, total_steps, cfg.min_lr_ratio))
    use_amp = cfg.amp and device.type == "cuda"
    amp_dtype = torch.bfloat16 if use_amp and torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp and amp_dtype == torch.float16)
    aug = torch.Generator()
    specaug = (cfg.specaug_time_masks, cfg.specaug_time_ratio, cfg.specaug_freq_masks, cfg.specaug_freq_ratio)
    if not from_frames and (cfg.specaug_time_masks or cfg.specaug_freq_masks):
        if not hasattr(model.encoder, "frontend") or model.config.encoder == "yamnet":
            raise ValueError(f"SpecAugment from audio needs a log-mel front-end; the "
                             f"{model.config.encoder} encoder has none: freeze it to mask its frames")
        model.encoder.frontend.register_forward_hook(FrontendSpecAugment(model, aug, *specaug))

    st: dict[str, Any] = {"config": cfg.to_dict(), "epoch": 0, "step_in_epoch": 0, "global_step": 0,
                          "epoch_loss": [0.0, 0], "best": None, "bad_epochs": 0, "log": [],
                          "finished": False, "metric": None}
    if resumed is not None:
        st = resumed["extra"]["train_state"]
        st["config"] = cfg.to_dict()
        optimizer.load_state_dict(st.pop("optimizer"))
        scheduler.load_state_dict(st.pop("scheduler"))
        scaler.load_state_dict(st.pop("scaler"))
        if d.main:
            print(f"resuming {out} at epoch {st['epoch'] + 1}, step {st['step_in_epoch']}")
    if val_sets:  # choosing may start SPICE (seconds): only when there is validation
        metric = st["metric"] = st["metric"] or choose_val_metric(cfg.val_metric)
    else:
        metric = None
    if d.main:
        (out / "config.json").write_text(json.dumps(cfg.to_dict(), indent=1))
    writer = _tensorboard(out / "tb", st["global_step"]) if cfg.tensorboard and d.main else None

    def save_last() -> None:
        if not d.main:
            return
        state = {**st, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                 "scaler": scaler.state_dict()}
        atomic_save({"format": FORMAT, "config": model.config.to_dict(), "vocab": list(vocab.tokens),
                     "state_dict": model.state_dict(), "extra": {"train_state": state}}, last_path)

    # ---- the loop
    t0 = time.time()
    while st["epoch"] < cfg.epochs and not st["finished"]:
        epoch = st["epoch"]
        batches = global_batches(epoch_examples(train_clips, cfg.seed, epoch, cfg.captions_per_clip),
                                 cfg.batch_size, d.world)
        skip = st["step_in_epoch"]
        local = [b[d.rank :: d.world] for b in batches[skip:]]
        loader = torch.utils.data.DataLoader(
            ExampleBatches(train_source, local, vocab, cfg.max_caption_tokens), batch_size=None,
            num_workers=cfg.num_workers)
        step_model.train()
        if cfg.freeze_encoder or cfg.no_audio:
            model.encoder.eval()
        bar = progress_bar(loader, total=len(batches), initial=skip, desc=f"epoch {epoch + 1}/{cfg.epochs}",
                           enabled=cfg.progress and d.main, leave=False)
        for k, (x, lengths, tokens) in enumerate(bar, start=skip):
            seed = step_seed(cfg.seed, d.rank, st["global_step"])
            torch.manual_seed(seed)
            aug.manual_seed(seed + 1)
            n_tokens = sum(target_counts[p] for p in batches[k])
            x, lengths, tokens = x.to(device), lengths.to(device), tokens.to(device)
            if from_frames and not cfg.no_audio and (specaug[0] or specaug[2]):
                x = spec_augment(x, *specaug, generator=aug)
            tokens_b, lam = None, 1.0
            if cfg.mixup_alpha > 0:
                perm, lam = mixup_pairs(x.shape[0], cfg.mixup_alpha, aug)
                x, lengths = mix(x, lengths, perm, lam)
                tokens_b = tokens[perm.to(device)]
            with torch.autocast("cuda", dtype=amp_dtype) if use_amp else nullcontext():
                logits, logits_b = step_model(x, lengths, tokens, tokens_b)
            loss = token_loss(logits, tokens, vocab.pad_id, cfg.label_smoothing, n_tokens)
            if logits_b is not None:
                loss = lam * loss + (1 - lam) * token_loss(logits_b, tokens_b, vocab.pad_id,
                                                           cfg.label_smoothing, n_tokens)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss * d.world).backward()  # DDP averages the processes' gradients
            if cfg.grad_clip:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            batch_loss = distributed.all_sum(float(loss.detach()), d, device)
            st["global_step"] += 1
            st["step_in_epoch"] = k + 1
            st["epoch_loss"] = [st["epoch_loss"][0] + batch_loss, st["epoch_loss"][1] + 1]
            if d.main:
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{batch_loss:.3f}")
                if writer is not None:
                    writer.add_scalar("train/loss", batch_loss, st["global_step"])
            if cfg.save_every_steps and st["global_step"] % cfg.save_every_steps == 0 \
                    and k + 1 < len(batches):
                save_last()

        # ---- end of epoch: validate, log, checkpoint
        val_score = None
        if val_sets:
            scores = [_validate(model, cfg, task, clips, source(clips), device, from_frames, metric)
                      for task, clips in val_sets] if d.main else [0.0] * len(val_sets)
            val_score = distributed.broadcast_floats([float(np.mean(scores))], d, device)[0]
        improved = val_score is None or st["best"] is None or val_score > st["best"]["score"]
        if improved:
            st["best"] = {"score": val_score, "epoch": epoch + 1}
            st["bad_epochs"] = 0
            if d.main and (val_sets or epoch + 1 == cfg.epochs):  # no validation: best = last, once
                save_model(model, out / "best.pt", extra={"epoch": epoch + 1, "metric": metric,
                                                          "score": val_score, "trained": True})
        else:
            st["bad_epochs"] += 1
        if d.main and cfg.keep_epoch_checkpoints:
            save_model(model, out / f"epoch-{epoch + 1:03d}.pt", extra={"epoch": epoch + 1, "trained": True})
        loss_sum, n = st["epoch_loss"]
        row = {"epoch": epoch + 1, "step": st["global_step"], "train_loss": round(loss_sum / max(n, 1), 6),
               "lr": scheduler.get_last_lr()[0], "val_metric": metric if val_sets else "",
               "val_score": "" if val_score is None else round(val_score, 6),
               "best_score": "" if st["best"]["score"] is None else round(st["best"]["score"], 6),
               "seconds": round(time.time() - t0, 1)}
        st["log"].append(row)
        st["epoch"], st["step_in_epoch"], st["epoch_loss"] = epoch + 1, 0, [0.0, 0]
        stop = cfg.patience is not None and st["bad_epochs"] >= cfg.patience
        st["finished"] = stop or st["epoch"] >= cfg.epochs
        if d.main:
            _write_csv(out / "log.csv", st["log"])
            if writer is not None:
                for key in ("train_loss", "lr", "val_score"):
                    if row[key] != "":
                        writer.add_scalar(f"epoch/{key}", float(row[key]), st["global_step"])
                writer.flush()
            print(f"epoch {epoch + 1}: loss {row['train_loss']:.4f}"
                  + (f", {metric} {val_score:.4f} (best {st['best']['score']:.4f} at epoch "
                     f"{st['best']['epoch']})" if val_score is not None else ""), flush=True)
            if stop:
                print(f"early stop: no better {metric} for {cfg.patience} epochs")
        save_last()
    if writer is not None:
        writer.close()
    return _summary(st, out)


def _validate(model: CaptionModel, cfg: TrainConfig, task: str | None, clips: list[Clip],
              src: InputSource, device: torch.device, from_frames: bool, metric: str) -> float:
    nbest = caption_clips(model, src, val_options(cfg, task), device, cfg.val_batch_size, from_frames)
    corpus, _ = score([c[0][0] if c else "" for c in nbest], references(clips), [metric])
    return corpus[metric]


def _summary(st: dict[str, Any], out: Path) -> dict[str, Any]:
    best = st["best"] or {}
    return {"out": str(out), "epochs": st["epoch"], "steps": st["global_step"], "metric": st["metric"],
            "best_score": best.get("score"), "best_epoch": best.get("epoch"), "log": st["log"]}


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=LOG_FIELDS)
    w.writeheader()
    w.writerows(rows)
    atomic_write(path, lambda f: f.write(buf.getvalue().encode("utf-8")), fsync=False)


def _tensorboard(log_dir: Path, step: int) -> Any:
    """A SummaryWriter that drops events past `step` (replayed after a resume), or None when the
    `tensorboard` package is not installed (`pip install aacap[train]`)."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        print("note: tensorboard is not installed; logging to log.csv only")
        return None
    return SummaryWriter(str(log_dir), purge_step=step or None)
