"""`aacap embed PATH... --encoder cnn14|cnext|las|yamnet --weights FILE --out DIR`.

Writes one `DIR/<file stem>.npy` of frame embeddings (frames, dim) float32 per input, and
`DIR/encoder.json` naming the encoder and a sha256 of its weights. With `--manifest M.jsonl`
the clips of a manifest are embedded as `<id>.npy` instead: the feature cache that training
with a frozen encoder reads (`cache_dir=DIR`). FILE is an aacap checkpoint (its encoder is
used) or the encoder's published weights (a PANNs CNN14 checkpoint; for yamnet, `default` is
the copy shipped with aacap).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..progress import add_quiet_argument

ENCODERS = ("cnn14", "cnext", "las", "yamnet")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("embed", help="write encoder frame embeddings (.npy) per audio file")
    p.add_argument("paths", nargs="*", type=Path, help="audio files")
    p.add_argument("--encoder", choices=ENCODERS, help="encoder kind (default: the checkpoint's)")
    p.add_argument("--weights", help="aacap checkpoint or the encoder's weights file; `panns` (the "
                   "default for --encoder cnn14): Cnn14_mAP=0.431.pth, downloaded once and checksummed")
    p.add_argument("--out", type=Path, required=True, help="folder for the .npy files")
    p.add_argument("--manifest", type=Path, help="embed the clips of this manifest, named by id")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    add_quiet_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # the encoders load torch: imported when the command runs, not when `aacap` starts
    from ..audio import AudioError
    from ..data.manifest import read_manifest
    from ..pretrained import encoder_with_weights
    from ..progress import cleared, tracked
    from ..train.cache import FrameCache, encoder_fingerprint

    if not args.paths and not args.manifest:
        raise ValueError("give audio files or --manifest")
    if args.weights is None and args.encoder != "cnn14":
        raise ValueError("say which weights to use with --weights FILE (or --encoder cnn14 for PANNs)")
    encoder, kind, enc_args = encoder_with_weights(args.encoder, args.weights)
    encoder.to(args.device)
    cache = FrameCache(args.out, encoder_fingerprint(kind, enc_args, encoder),
                       {"encoder": kind, "encoder_args": enc_args, "weights": str(args.weights)})
    clips = []
    if args.manifest:
        clips += [_Clip(i.id, i.audio, False) for i in read_manifest(args.manifest)]
    stems: dict[str, Path] = {}
    for path in args.paths:
        if path.stem in stems:
            raise ValueError(f"{path} and {stems[path.stem]} would both write {path.stem}.npy; "
                             "embed them into different --out folders")
        stems[path.stem] = path
        clips.append(_Clip(path.stem, str(path), True))
    failed = 0
    for clip in tracked(clips, len(clips), desc="aacap embed", unit="clip",
                        enabled=not args.quiet and len(clips) > 1):
        try:
            cache.fill(encoder, [clip], overwrite=clip.overwrite)
        except AudioError as err:
            with cleared():
                print(f"aacap embed: skipped {err}", file=sys.stderr)
            failed += 1
    print(f"{args.out}: {len(clips) - failed} clips embedded with {kind} "
          f"({encoder.out_dim}-d frames)")
    return 1 if failed else 0


class _Clip:
    def __init__(self, id: str, audio: str, overwrite: bool) -> None:  # noqa: A002
        self.id, self.audio, self.overwrite = id, audio, overwrite
