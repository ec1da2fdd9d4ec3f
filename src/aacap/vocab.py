"""Word-level vocabulary and caption normalisation (lower case, punctuation removed)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
SPECIALS = (PAD, BOS, EOS, UNK)
TASKS = ("clotho", "audiocaps", "macs", "wavcaps")  # dataset task tokens, as in CoNeTTE
TASK_TOKENS = tuple(f"<bos_{task}>" for task in TASKS)

_NON_WORD = re.compile(r"[^a-z0-9' ]+")

# A small built-in vocabulary for untrained checkpoints (`aacap init` without --vocab-from).
BUILTIN_WORDS = """
a an the and or while with in on of to from by at as is are was be being been it its this that
then followed after before during into over under through near far away background distance
foreground continuously repeatedly loudly softly quietly briefly slowly quickly rapidly several
two three many some people person man woman men women child children baby crowd group someone
speaks speaking talks talking talk voice voices laughs laughing shouts shouting sings singing
whispers crying cries screams screaming cheering claps clapping applause footsteps walking walks
running runs door opens closes closing opening slams knocks knocking creaks creaking bell rings
ringing alarm beeps beeping phone clock ticking ticks engine car cars truck bus train vehicle
vehicles motorcycle idling revving passes passing drives driving horn honks siren traffic road
street wind blows blowing rain falls falling pouring water flows flowing running splashing drips
dripping stream river waves ocean sea thunder storm fire crackling crackles bird birds chirp
chirping chirps tweeting singing dog dogs barks barking cat meows meowing cow moos horse neighs
sheep bleats pig oinks duck quacks frog croaks owl hoots rooster crows insects buzzing buzzes
bee fly music plays playing piano guitar drum drums machine machinery motor whirring humming
hums noise noises sound sounds loud quiet high low pitched tone static electronic metal metallic
wooden glass paper plastic clanking clanging banging bangs hitting hits tapping taps scraping
rustling rustles leaves wood breaking crunching typing keyboard writing pages turning cutting
chopping dishes kitchen cooking sizzling frying fan air blowing vacuum cleaner washing faucet
toilet flushes flushing shower airplane plane aircraft helicopter flying overhead jet boat
whistle whistles whistling gun gunshots explosion fireworks pop popping click clicking clicks
ball bouncing game birdsong forest park city market restaurant room hall outside inside indoors
outdoors environment ambient nature animal animals
""".split()


def caption_words(caption: str) -> list[str]:
    """Lower-case `caption`, drop punctuation (keeping apostrophes), split into words."""
    text = _NON_WORD.sub(" ", caption.lower().replace("-", " "))
    return text.split()


class Vocabulary:
    """Maps words to ids. Ids 0..3 are <pad>, <bos>, <eos>, <unk>; task tokens follow."""

    def __init__(self, tokens: Sequence[str]) -> None:
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with {SPECIALS}, got {tuple(tokens[:4])}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("vocabulary tokens must be unique")
        self.tokens = list(tokens)
        self.index = {token: i for i, token in enumerate(self.tokens)}
        self.pad_id, self.bos_id, self.eos_id, self.unk_id = range(4)

    @classmethod
    def build(cls, words: Iterable[str], min_count: int = 1) -> Vocabulary:
        """Vocabulary of the specials, the task tokens and every word seen ≥ `min_count` times
        (most frequent first, ties alphabetical)."""
        counts = Counter(words)
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls([*SPECIALS, *TASK_TOKENS, *(w for w in kept if w not in TASK_TOKENS)])

    @classmethod
    def from_captions(cls, captions: Iterable[str], min_count: int = 1) -> Vocabulary:
        return cls.build((w for caption in captions for w in caption_words(caption)), min_count)

    @classmethod
    def builtin(cls) -> Vocabulary:
        return cls.build(BUILTIN_WORDS)

    def __len__(self) -> int:
        return len(self.tokens)

    def bos_for(self, task: str | None) -> int:
        """The start token: `<bos_TASK>` when the vocabulary has it, else `<bos>`."""
        if task is None:
            return self.bos_id
        token = f"<bos_{task}>"
        if token not in self.index:
            raise ValueError(f"unknown task {task!r}; this model knows {self.tasks() or 'none'}")
        return self.index[token]

    def tasks(self) -> list[str]:
        return [t[5:-1] for t in self.tokens if t.startswith("<bos_")]

    def encode(self, caption: str, task: str | None = None) -> list[int]:
        """[bos, w1, ..., wn, eos] for a caption; unknown words map to <unk>."""
        ids = [self.index.get(w, self.unk_id) for w in caption_words(caption)]
        return [self.bos_for(task), *ids, self.eos_id]

    def decode(self, ids: Iterable[int]) -> str:
        """Words of `ids` up to the first <eos>, specials dropped."""
        words = []
        for i in ids:
            i = int(i)
            if i == self.eos_id:
                break
            token = self.tokens[i]
            if not (token.startswith("<") and token.endswith(">")):
                words.append(token)
        return " ".join(words)

    def is_special(self, i: int) -> bool:
        token = self.tokens[i]
        return token.startswith("<") and token.endswith(">")
