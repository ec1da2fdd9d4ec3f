"""`aacap evaluate-model MODEL MANIFEST [--out ITEMS.csv] [--metrics dcase2020] [decoding options]`.

Captions every clip of MANIFEST (a JSON-lines manifest, or a folder in Clotho's layout) with the
model (any spec `load_model` takes: a checkpoint, a CoNeTTE directory, a hub name, `default`)
and scores the captions against the manifest's references with the metric suite.
Metrics that cannot run here (e.g. METEOR without Java) are reported and left out.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from ..hub import REVISION_HELP
from ..progress import add_quiet_argument
from .decoding_args import add_decoding_arguments, kwargs_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evaluate-model", help="caption a manifest and score the captions")
    p.add_argument("checkpoint", metavar="model",
                   help="checkpoint (runs/NAME/best.pt), CoNeTTE folder, hub name (conette), or default")
    p.add_argument("--revision", help=REVISION_HELP)
    p.add_argument("manifest", type=Path, help="manifest .jsonl, or a folder in Clotho's layout")
    p.add_argument("--split", help="only the clips of this split (dev, val, eval, ...)")
    p.add_argument("--out", type=Path, help="write per-clip captions and scores to this CSV")
    p.add_argument("--metrics", default="dcase2020", help="preset or comma-separated names")
    p.add_argument("--batch-size", type=int, default=16, help="clips captioned together")
    p.add_argument("--limit", type=int, help="only the first N clips")
    add_quiet_argument(p)
    add_decoding_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..audio import AudioError
    from ..captioning.loading import load_model
    from ..captioning.protocol import caption_paths
    from ..metrics import resolve_metrics
    from ..metrics.files import check_output_path
    from ..metrics.suite import check_available
    from ..progress import bar, cleared
    from ..train.data import read_entry
    from ..train.evaluate import score_available
    from .evaluate import PYTHON_SPICE_ADVICE, used_python_spice

    names = resolve_metrics(args.metrics)
    check_available(names)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        check_output_path(args.out)
    captioner = load_model(args.checkpoint, batch_size=args.batch_size, revision=args.revision)
    entry = {"clotho" if args.manifest.is_dir() else "manifest": str(args.manifest)}
    if args.split:
        entry["split"] = args.split
    items = read_entry(entry, Path)[: args.limit]
    kwargs = kwargs_from_args(args)
    model = getattr(captioner, "model", None)  # a neural model has task tokens; retrieval has none
    if "task" not in kwargs and model is not None:  # the manifest's dataset, when the model has its token
        dataset = Counter(i.dataset for i in items).most_common(1)[0][0]
        if dataset in model.vocab.tasks():
            kwargs["task"] = dataset
    options = captioner.decoding_options(**kwargs)  # over the model's defaults, checked

    kept, captions, failed = [], [], 0
    results = caption_paths(captioner, [i.audio for i in items], args.batch_size, options)
    with bar(total=len(items), desc="aacap evaluate-model: captioning", unit="clip",
             enabled=not args.quiet) as progress:
        for item, (_, result) in zip(items, results):
            if isinstance(result, AudioError):
                with cleared():
                    print(f"aacap evaluate-model: skipped {result}", file=sys.stderr)
                failed += 1
            else:
                kept.append(item)
                captions.append(result.caption)
            progress.update(1)
    if not kept:
        raise ValueError(f"{args.manifest}: no clip could be read")
    refs = [list(i.captions) for i in kept]
    scores = score_available(captions, refs, names, who="aacap evaluate-model",
                             progress=not args.quiet)
    corpus, per_item = scores.corpus, scores.per_item
    print(f"{args.checkpoint} on {args.manifest} ({len(kept)} clips, task {options.task}, "
          f"{options.method}{f' {options.beam_size}' if options.method == 'beam' else ''})")
    for name, value in corpus.items():
        print(f"  {name:<10} {value:.4f}  ({scores.backends[name]})")
    if used_python_spice(scores.backends):
        print(PYTHON_SPICE_ADVICE)
    if args.out:
        _write_items(args.out, kept, captions, refs, per_item)
        print(f"wrote {args.out}")
    return 1 if failed else 0


def _write_items(path: Path, items: list, captions: list[str], refs: list[list[str]],
                 per_item: dict) -> None:
    """aac-metrics' CSV layout (caption_predicted, caption_1..N; shorter reference lists leave
    empty cells, which readers skip) with the clip's id and audio first and its scores last."""
    import csv

    n_refs = max(len(r) for r in refs)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "audio", "caption_predicted", *(f"caption_{j + 1}" for j in range(n_refs)), *per_item])
        for k, (item, caption) in enumerate(zip(items, captions)):
            w.writerow([item.id, item.audio, caption, *refs[k], *([""] * (n_refs - len(refs[k]))),
                        *(f"{float(v[k]):.6f}" for v in per_item.values())])
