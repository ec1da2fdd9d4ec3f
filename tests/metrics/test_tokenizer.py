"""The pure-Python PTB tokenizer against the CoreNLP 3.4.1 jar that pycocoevalcap runs."""

from __future__ import annotations

import pytest

from aacap.metrics.java import JavaUnavailable, require_jar
from aacap.metrics.tokenizer import tokenize, tokenize_java

NASTY = [
 "A dog's barking, and a man isn't happy.",
 'The colour of the theatre (big) [x] {y} "quoted" \'single\' it\'s',
 "Mr. Smith went to Washington D.C. and the U.S. etc.",
 "rock-n-roll  well-known 3.5 1,000 $5 50% a/b c*d e&f AT&T x--y ... ?! ;:",
 "cannot gonna wanna gotta can't won't I'm you're we've they'll he'd",
 "café naïve — – … “smart” ‘q’ ½ ",
 "tabs\tinside\there   and \u00a0nbsp here",
 "-lrb- < > = + # @ ~ ^ _ | \\ ",
 "'90s o'clock rock'n'roll y'all ma'am 'tis dog'",
 "hello...world e.g. i.e. vs. a.m. p.m. No. 5",
 "Cannot CANNOT Gonna DON'T Don't dogs' the dogs's",
 "3 1/2 inches, 555-123-4567 and (555) 123-4567; 12/25/2020",
 "£5 €10 ¥3 ¢",
 "<b>bold</b> text & more &amp; stuff",
 ". . . wait.  Done!",
 "A bird chirps.",
 "a car drives by . then stops",
 "birds,chirping;loudly:now",
 "Someone is typing on a keyboard...",
 "water drips -- slowly - and - quickly",
 "the man's dog's bone",
 "it's 5 o'clock and the kids' toys",
 "",
 "   ",
 "!!!",
 "...",
 "?",
 "a",
 "emoji 🎵 music 🐶 dog",
 "中文 字符 and ελληνικά",
 "x_y snake_case __init__",
 "e-mail foo@bar.com http://example.com/path www.test.org",
 "mp3 player 4x4 h2o 2nd 3rd 1990s",
 "'quoted' \"double\" ''two singles'' ``backticks``",
 "it ' s strange",
 "I'd've",
 "plan b.",
 "c.d.s u.s.a the U.S. The end",
 "Jan. 5 etc. And so on",
 "wind blows -- hard",
 "she said \"hello\"",
 "a a a a a",
 "thé café crème brûlée",
 "ca n't",
 "don't won't shan't ain't can't couldn't",
 "ye'll 'em 'cause 'til",
 "l'amour d'etre j'ai",
 "100% 50°C ±5 x×y",
 "Hyphen‐unicode non‑breaking",
 "co-operate re-enter 3-inch 3.5-inch a-b-c-d-e",
 "#hashtag @mention",
 "___ *** ---- -----",
 "WHAT?! no way!!!",
 "over/under and/or he/she",
 "one, two, three.",
]

# Literal expectations (taken from the jar's output) so the quirks are checked without Java.
EXPECTED = {
    "A dog's barking, and a man isn't happy.": "a dog 's barking and a man is n't happy",
    "The (big) [x] {y} \"q\"": "the -lrb- big -rrb- -lsb- x -rsb- -lcb- y -rcb- q",
    "cannot gonna can't won't I'm": "can not gon na ca n't wo n't i 'm",
    "Mr. Smith, the U.S. etc. e.g.": "mr. smith the u.s. etc. e.g.",
    "3 1/2 ½ £5 ?! plan b.": "3\u00a01/2 1/2 # 5 ?! plan b.",
    "line\nbreak\ttab": "line break tab",
    "...": "",
    "": "",
}


@pytest.fixture(scope="module")
def jar() -> None:
    try:
        require_jar("tokenizer/stanford-corenlp-3.4.1.jar")
    except JavaUnavailable as e:
        pytest.skip(str(e))


def test_literal_quirks() -> None:
    assert tokenize(list(EXPECTED)) == list(EXPECTED.values())


def jar_tokens(captions: list[str]) -> list[str]:
    # pycocoevalcap gives the last caption without a following newline; one more line keeps
    # every caption in the same position as in a longer corpus.
    return tokenize_java([*captions, "end"])[: len(captions)]


def test_nasty_inputs_equal_jar(jar: None) -> None:
    assert tokenize(NASTY) == jar_tokens(NASTY)
    assert jar_tokens(list(EXPECTED)) == list(EXPECTED.values())


def test_generated_punctuated_equal_jar(jar: None, gen) -> None:
    captions = [c for seed in range(3) for c in gen(seed, n=150, punct=True)[0]]
    assert tokenize(captions) == jar_tokens(captions)


def test_clotho_equal_jar(jar: None, clotho: list[dict]) -> None:
    captions = [c for d in clotho for c in [d["candidate"], *d["references"]]]
    assert tokenize(captions) == jar_tokens(captions)
