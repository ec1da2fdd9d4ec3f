"""A synthetic captioning corpus of real recordings, written in Clotho v2.1's on-disk layout.

Each clip mixes 1-3 labelled recordings (`sounds.fetch_sounds`) with set levels, onsets and
overlaps, and gets 5 captions built from the recordings' event phrases and their synonyms,
the temporal relation of the events ("followed by", "while", "in the background"), and
loudness words. Splits (development / validation / evaluation) draw from disjoint sets of
source recordings (numbered takes of one recording stay together), so an evaluation clip
never contains a recording heard in training. Output is a pure function of the recordings
and the seed.

    OUT/clotho_captions_{development,validation,evaluation}.csv
    OUT/clotho_metadata_{development,validation,evaluation}.csv
    OUT/{development,validation,evaluation}/<split>_<n>.wav   (mono, 16-bit PCM)
    OUT/synth_events.csv   (not part of Clotho: which recording is where, for audits)
"""

from __future__ import annotations

import csv
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from ..audio import load_audio
from ..progress import bar as progress_bar
from .clotho import CAPTION_COLUMNS, METADATA_COLUMNS, METADATA_ENCODING, SPLITS
from .sounds import LabelledSound

HELD_OUT_SOURCES = ("0ad-data",)  # reserved for evaluation; never mixed into this corpus
SPLIT_NAMES = tuple(SPLITS.values())  # development, validation, evaluation
LEVELS_DB = {"loud": -14.0, "normal": -22.0, "quiet": -32.0}  # foreground RMS, dBFS
BACKGROUND_DROP_DB = (12.0, 20.0)  # a background event sits this far below the foreground
NOISE_FLOOR_DB = -66.0  # white noise under every clip, dBFS RMS: no digital silence
MAX_REPEAT_S = 1.5  # a lone event shorter than this is repeated 3-6 times
FADE_SAMPLES = 640  # fade-in/out at excerpt cuts (20 ms at 32 kHz)


@dataclass(frozen=True)
class SynthConfig:
    """How to build the corpus. Durations in seconds, rates in Hz."""

    n_clips: int
    seed: int = 0
    sample_rate: int = 32000
    min_clip_s: float = 5.0
    max_clip_s: float = 10.0
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)  # dev, val, eval clips
    n_events_probs: tuple[float, float, float] = (0.35, 0.45, 0.20)  # 1, 2, 3 events


@dataclass(frozen=True)
class Event:
    """One recording placed in a clip."""

    sound: LabelledSound
    onset_s: float
    duration_s: float
    level_db: float  # RMS of the event, dBFS
    role: str  # "main", "second" (after or with main), "background"


@dataclass(frozen=True)
class Clip:
    file_name: str
    split: str
    events: tuple[Event, ...]
    relation: str  # "single", "repeat", "followed_by", "while", "background", "three"
    loudness: str  # "loud" / "normal" / "quiet" (of the main event)
    captions: tuple[str, ...]


# ---------------------------------------------------------------------------- splits


def split_recordings(sounds: list[LabelledSound], seed: int,
                     fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
                     ) -> dict[str, list[LabelledSound]]:
    """Deal recording groups to development / validation / evaluation, per concept.

    A concept with >= 3 groups gets at least one group in each split (more in proportion to
    `fractions`); rarer concepts stay in development. Groups never straddle splits.
    """
    held = [s.path for s in sounds if s.source in HELD_OUT_SOURCES]
    if held:
        raise ValueError(f"{held[0]}: comes from a held-out package ({', '.join(HELD_OUT_SOURCES)})"
                         f" that is reserved for evaluation; do not synthesize training data from it")
    by_concept: dict[str, dict[str, list[LabelledSound]]] = {}
    for s in sorted(sounds, key=lambda s: str(s.path)):
        by_concept.setdefault(s.concept, {}).setdefault(s.group, []).append(s)
    out: dict[str, list[LabelledSound]] = {name: [] for name in SPLIT_NAMES}
    assigned: dict[str, str] = {}
    for concept in sorted(by_concept):
        groups = sorted(by_concept[concept])
        rng = np.random.default_rng([seed, zlib.crc32(concept.encode())])
        groups = [groups[i] for i in rng.permutation(len(groups))]
        n = len(groups)
        n_val = n_eval = 0
        if n >= 3:
            n_val = max(1, round(n * fractions[1]))
            n_eval = max(1, round(n * fractions[2]))
        for i, g in enumerate(groups):
            split = "evaluation" if i < n_eval else "validation" if i < n_eval + n_val else "development"
            split = assigned.setdefault(g, split)  # a group split across concepts keeps its first
            out[split].extend(by_concept[concept][g])
    return out


# ---------------------------------------------------------------------------- audio


def _db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def _rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12))


def trim_silence(x: np.ndarray, sample_rate: int, threshold_db: float = -45.0) -> np.ndarray:
    """Drop leading/trailing 10 ms frames quieter than `threshold_db` below the peak frame."""
    hop = max(1, sample_rate // 100)
    n = len(x) // hop
    if n < 2:
        return x
    frames = x[: n * hop].reshape(n, hop)
    energy = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-20)
    active = np.flatnonzero(energy > energy.max() + threshold_db)
    return x[active[0] * hop: (active[-1] + 1) * hop]


class SoundBank:
    """Decoded recordings at one rate, trimmed of silence, loaded once each."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._cache: dict[Path, np.ndarray] = {}

    def __call__(self, sound: LabelledSound) -> np.ndarray:
        if sound.path not in self._cache:
            x = load_audio(sound.path, self.sample_rate)
            self._cache[sound.path] = trim_silence(x, self.sample_rate)
        return self._cache[sound.path]


def _excerpt(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """A random window of `n` samples (all of `x` when shorter), short fades at the cuts."""
    if len(x) > n:
        start = int(rng.integers(0, len(x) - n + 1))
        x = x[start: start + n].copy()
        fade = min(len(x) // 4, FADE_SAMPLES)
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        x[:fade] *= ramp
        x[len(x) - fade:] *= ramp[::-1]
    return x


def _loop(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """`x` repeated (from a random start) to fill `n` samples: a continuous background."""
    if len(x) >= n:
        return _excerpt(x, n, rng)
    reps = int(np.ceil(n / len(x))) + 1
    start = int(rng.integers(0, len(x)))
    return np.tile(x, reps)[start: start + n].copy()


def _place(mix: np.ndarray, x: np.ndarray, onset: int, level_db: float) -> int:
    """Add `x` scaled to `level_db` RMS at sample `onset`; returns samples actually placed."""
    x = x[: max(0, len(mix) - onset)]
    if len(x) == 0:
        return 0
    mix[onset: onset + len(x)] += x * _db_to_gain(level_db - _rms_db(x))
    return len(x)


# ---------------------------------------------------------------------------- captions

_QUIET_WORDS = ("faint", "quiet", "soft", "distant")
_LOUD_WORDS = ("loud", "very loud", "booming", "intense")
_SINGLE = ("{a}", "{a} can be heard", "a recording of {a}", "a clip of {a}",
           "you can hear {a}")
_REPEAT = ("{a} several times", "{a} repeatedly", "{a} over and over", "{a}, again and again",
           "{a} a few times in a row")
_FOLLOWED = ("{a} followed by {b}", "{a}, then {b}", "first {a} and then {b}",
             "{a} and afterwards {b}", "{a} before {b}")
_WHILE = ("{a} while {b} can be heard", "{a} and {b} at the same time", "{a} together with {b}",
          "{b} while {a} can be heard", "{a} as {b} can be heard")
_BACKGROUND = ("{a} with {b} in the background", "{a} while {b} can be heard in the background",
               "{a} over {b} in the background", "in the background {b}, in front {a}",
               "{a}, and {b} quietly in the background")
_THREE = ("{a} followed by {b} with {c} in the background",
          "{a}, then {b}, while {c} can be heard in the background",
          "{a} and then {b} over {c} in the background",
          "with {c} in the background, {a} and then {b}",
          "first {a}, later {b}, and {c} throughout in the background")
TEMPLATES = {"single": _SINGLE, "repeat": _REPEAT, "followed_by": _FOLLOWED, "while": _WHILE,
             "background": _BACKGROUND, "three": _THREE}


def _loud_phrase(phrase: str, loudness: str, rng: np.random.Generator) -> str:
    if loudness == "loud":
        return f"the {rng.choice(_LOUD_WORDS)} sound of {phrase}"
    if loudness == "quiet":
        word = rng.choice(_QUIET_WORDS)
        return f"{phrase} in the distance" if word == "distant" else f"the {word} sound of {phrase}"
    return phrase


def make_captions(relation: str, phrases: list[tuple[str, ...]], loudness: str,
                  rng: np.random.Generator, n: int = 5) -> tuple[str, ...]:
    """`n` distinct captions for events with caption `phrases` (one tuple of synonyms each,
    best first) in `relation`; the main event's loudness is worded in about half of them."""
    templates = list(TEMPLATES[relation])
    order = [templates[i] for i in rng.permutation(len(templates))]
    captions: list[str] = []
    for attempt in range(20 * n):
        template = order[attempt % len(order)]
        # the first caption uses each event's best phrase, the others draw synonyms
        chosen = [syn[0] if not captions else str(rng.choice(syn)) for syn in phrases]
        if loudness != "normal" and len(captions) % 2 == 0:
            chosen[0] = _loud_phrase(chosen[0], loudness, rng)
        text = template.format(**dict(zip("abc", chosen)))
        text = text[0].upper() + text[1:] + "."
        if text not in captions:
            captions.append(text)
        if len(captions) == n:
            return tuple(captions)
    raise ValueError(f"could not make {n} distinct captions for {phrases}")


# ---------------------------------------------------------------------------- clips


def _pick(pool: dict[str, list[LabelledSound]], k: int, rng: np.random.Generator,
          bank: SoundBank, need_long: int = -1) -> list[LabelledSound]:
    """`k` recordings of distinct concepts; the one at index `need_long` lasts >= 2 s."""
    concepts = sorted(pool)
    long_concepts = [c for c in concepts
                     if any(len(bank(s)) >= 2 * bank.sample_rate for s in pool[c])]
    picked: list[LabelledSound] = []
    used: set[str] = set()
    for i in range(k):
        choices = [c for c in (long_concepts if i == need_long else concepts) if c not in used]
        if not choices:
            choices = [c for c in concepts if c not in used]
        concept = choices[int(rng.integers(len(choices)))]
        used.add(concept)
        sounds = pool[concept]
        if i == need_long:
            sounds = [s for s in sounds if len(bank(s)) >= 2 * bank.sample_rate] or sounds
        picked.append(sounds[int(rng.integers(len(sounds)))])
    return picked


def make_clip(file_name: str, split: str, pool: dict[str, list[LabelledSound]], bank: SoundBank,
              cfg: SynthConfig, rng: np.random.Generator) -> tuple[Clip, np.ndarray]:
    """One mixed clip (mono float32 at `cfg.sample_rate`) and its description."""
    sr = cfg.sample_rate
    n = int(round(rng.uniform(cfg.min_clip_s, cfg.max_clip_s) * sr))
    k = 1 + int(rng.choice(3, p=np.asarray(cfg.n_events_probs)))
    k = min(k, len(pool))
    loudness = str(rng.choice(list(LEVELS_DB), p=[0.3, 0.45, 0.25]))
    level = LEVELS_DB[loudness] + float(rng.uniform(-2, 2))
    mix = np.zeros(n, np.float32)
    events: list[Event] = []

    def put(sound: LabelledSound, x: np.ndarray, onset: int, db: float, role: str) -> int:
        placed = _place(mix, x, onset, db)
        events.append(Event(sound, onset / sr, placed / sr, round(db, 2), role))
        return onset + placed

    if k == 1:
        (a,) = _pick(pool, 1, rng, bank)
        x = bank(a)
        if len(x) < MAX_REPEAT_S * sr:
            relation, t = "repeat", int(rng.uniform(0.0, 0.8) * sr)
            for _ in range(int(rng.integers(3, 7))):
                if t + len(x) > n:
                    break
                t = put(a, x, t, level, "main") + int(rng.uniform(0.15, 0.9) * sr)
        else:
            relation = "single"
            x = _excerpt(x, int(n * rng.uniform(0.6, 0.95)), rng)
            put(a, x, int(rng.integers(0, n - len(x) + 1)), level, "main")
    else:
        relation = "three" if k == 3 else str(rng.choice(["followed_by", "while", "background"]))
        need_long = {"three": 2, "background": 1}.get(relation, -1)
        picked = _pick(pool, k, rng, bank, need_long)
        xa, xb = bank(picked[0]), bank(picked[1])
        if relation in ("followed_by", "three"):
            half = int(n * rng.uniform(0.35, 0.5))
            t = put(picked[0], _excerpt(xa, half, rng), int(rng.uniform(0.0, 0.5) * sr), level, "main")
            t += int(rng.uniform(0.2, 0.8) * sr)
            put(picked[1], _excerpt(xb, max(n - t - sr // 10, sr // 4), rng), t,
                level + float(rng.uniform(-3, 3)), "second")
        elif relation == "while":
            xa = _excerpt(xa, int(n * rng.uniform(0.5, 0.9)), rng)
            xb = _excerpt(xb, int(n * rng.uniform(0.5, 0.9)), rng)
            put(picked[0], xa, int(rng.integers(0, n - len(xa) + 1)), level, "main")
            put(picked[1], xb, int(rng.integers(0, n - len(xb) + 1)),
                level + float(rng.uniform(-4, 2)), "second")
        else:  # background
            put(picked[0], _excerpt(xa, int(n * rng.uniform(0.4, 0.8)), rng),
                int(rng.uniform(0.3, 1.5) * sr), level, "main")
        if relation in ("background", "three"):
            bg = picked[-1]
            put(bg, _loop(bank(bg), n, rng), 0, level - float(rng.uniform(*BACKGROUND_DROP_DB)),
                "background")
    mix += rng.standard_normal(n).astype(np.float32) * _db_to_gain(NOISE_FLOOR_DB)
    peak = float(np.max(np.abs(mix)))
    if peak > 0.99:
        mix *= 0.99 / peak
    phrases = [e.sound.synonyms for e in _caption_order(events, relation)]
    captions = make_captions(relation, phrases, loudness, rng)
    return Clip(file_name, split, tuple(events), relation, loudness, captions), mix


def _caption_order(events: list[Event], relation: str) -> list[Event]:
    """One event per role in caption order: main, second, background."""
    firsts: dict[str, Event] = {}
    for e in events:
        firsts.setdefault(e.role, e)
    return [firsts[r] for r in ("main", "second", "background") if r in firsts]


# ---------------------------------------------------------------------------- corpus


def synthesize(sounds: list[LabelledSound], out: str | Path, cfg: SynthConfig,
               progress: bool = False) -> dict[str, int]:
    """Write the corpus to `out` in Clotho's layout; returns the number of clips per split.

    `cfg.n_clips` are divided by `cfg.fractions` (every split gets at least one clip).
    `progress`: a bar of the clips written on stderr (a terminal only, `aacap.progress`).
    """
    if cfg.n_clips < 3:
        raise ValueError(f"--n-clips {cfg.n_clips}: need at least 3 (one per split)")
    out = Path(out)
    pools = split_recordings(sounds, cfg.seed, cfg.fractions)
    counts = _split_counts(cfg.n_clips, cfg.fractions)
    bank = SoundBank(cfg.sample_rate)
    event_rows = []
    with progress_bar(total=sum(counts.values()), desc="aacap data synth", unit="clip",
                      enabled=progress) as bar:  # closed however the loop ends
        for s_idx, split in enumerate(SPLIT_NAMES):
            pool: dict[str, list[LabelledSound]] = {}
            for s in pools[split]:
                pool.setdefault(s.concept, []).append(s)
            if not pool:
                raise ValueError(f"no recordings left for the {split} split; fetch more sounds")
            rng = np.random.default_rng([cfg.seed, s_idx])
            (out / split).mkdir(parents=True, exist_ok=True)
            clips = []
            for i in range(counts[split]):
                name = f"{split}_{i + 1:05d}.wav"
                clip, audio = make_clip(name, split, pool, bank, cfg, rng)
                sf.write(str(out / split / name), audio, cfg.sample_rate, subtype="PCM_16")
                clips.append(clip)
                bar.update()
            _write_csvs(out, split, clips, cfg.sample_rate)
            for c in clips:
                for e in c.events:
                    event_rows.append([c.file_name, split, c.relation, c.loudness, e.role,
                                       e.sound.concept, e.sound.source, e.sound.group,
                                       f"{e.onset_s:.3f}", f"{e.duration_s:.3f}", e.level_db])
    with open(out / "synth_events.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file_name", "split", "relation", "loudness", "role", "concept", "source",
                    "group", "onset_s", "duration_s", "level_db"])
        w.writerows(event_rows)
    return counts


def _split_counts(n: int, fractions: tuple[float, float, float]) -> dict[str, int]:
    n_val = max(1, round(n * fractions[1]))
    n_eval = max(1, round(n * fractions[2]))
    return {"development": n - n_val - n_eval, "validation": n_val, "evaluation": n_eval}


def _write_csvs(out: Path, split: str, clips: list[Clip], sample_rate: int) -> None:
    with open(out / f"clotho_captions_{split}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file_name", *CAPTION_COLUMNS])
        for c in clips:
            w.writerow([c.file_name, *c.captions])
    with open(out / f"clotho_metadata_{split}.csv", "w", newline="",
              encoding=METADATA_ENCODING) as f:
        w = csv.writer(f)
        w.writerow(METADATA_COLUMNS)
        for i, c in enumerate(clips):
            first = c.events[0]
            start = int(round(first.onset_s * sample_rate))  # the main event, in samples
            w.writerow([c.file_name, ";".join(dict.fromkeys(e.sound.concept for e in c.events)),
                        i, ";".join(dict.fromkeys(f"{e.sound.source}:{e.sound.path.name}"
                                                  for e in c.events)),
                        f"[{start}, {start + int(round(first.duration_s * sample_rate))}]",
                        ";".join(dict.fromkeys(e.sound.source for e in c.events)),
                        "see the source package's copyright file"])
